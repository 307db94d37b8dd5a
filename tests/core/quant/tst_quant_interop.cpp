// Parity of core/quant with bitsandbytes 0.50 on CPU (fixtures from
// tests/fixtures/gen_quant.py): code tables, NF4/FP4 packed bytes and absmax
// bit for bit, dequantized values exactly equal (bit for bit but for the sign
// of FP4's zero); double quantization's offset and nested absmax bit for bit,
// its uint8 codes bit for bit against bnb's pure-PyTorch formula (bnb's native
// CPU search differs in a few codes: counted, and the count must not change),
// dequantization of bnb's own nested state exactly equal; int8 CB, SCB and
// dequantization bit for bit.
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "io/JsonFile.h"
#include "quant/Blockwise8bit.h"
#include "quant/Int8.h"
#include "quant/Nf4.h"

#include <QtTest>

#include <cstring>

using namespace headroom;

namespace {

// Same dtype, shape and bytes (so -0.0 != 0.0 and NaN == NaN).
bool bitEqual(const at::Tensor &a, const at::Tensor &b, QString *why = nullptr)
{
    auto report = [&](const QString &text) {
        if (why)
            *why = text;
        return false;
    };
    if (a.scalar_type() != b.scalar_type())
        return report(QString("dtype %1 vs %2")
                          .arg(c10::toString(a.scalar_type()), c10::toString(b.scalar_type())));
    if (a.sizes() != b.sizes())
        return report("shape differs");
    auto ca = a.contiguous();
    auto cb = b.contiguous();
    if (std::memcmp(ca.data_ptr(), cb.data_ptr(), ca.nbytes()) != 0) {
        auto diff = ca.to(at::kFloat).ne(cb.to(at::kFloat)).sum().item<int64_t>();
        return report(QString("%1 of %2 elements differ, max |Δ| %3")
                          .arg(diff)
                          .arg(ca.numel())
                          .arg(test::maxAbsDifference(ca, cb)));
    }
    return true;
}

#define VERIFY_BITS(a, b, what)                                                                    \
    do {                                                                                           \
        QString why;                                                                               \
        QVERIFY2(bitEqual((a), (b), &why), qPrintable(QString("%1: %2").arg(what, why)));          \
    } while (false)

// Same dtype and shape, every value exactly equal (-0.0 == 0.0), no NaN.
#define VERIFY_VALUES(a, b, what)                                                                  \
    do {                                                                                           \
        const auto x = (a);                                                                        \
        const auto y = (b);                                                                        \
        QCOMPARE(x.scalar_type(), y.scalar_type());                                                \
        QVERIFY2(                                                                                  \
            at::equal(x, y),                                                                       \
            qPrintable(QString("%1: max |Δ| %2").arg(what).arg(test::maxAbsDifference(x, y))));    \
    } while (false)

at::ScalarType dtypeNamed(const std::string &name)
{
    if (name == "bfloat16")
        return at::kBFloat16;
    if (name == "float16")
        return at::kHalf;
    return at::kFloat;
}

} // namespace

class TestQuantInterop : public QObject
{
    Q_OBJECT

private:
    std::filesystem::path m_dir = test::fixtureDir() / "quant";
    std::map<std::string, at::Tensor> m_t;
    nlohmann::json m_cases;

    void addCases(const char *group)
    {
        QTest::addColumn<int>("index");
        const auto cases = io::readJsonFile(m_dir / "cases.json");
        for (size_t i = 0; i < cases.at(group).size(); ++i)
            QTest::newRow(cases.at(group)[i].at("name").get<std::string>().c_str())
                << static_cast<int>(i);
    }

private slots:
    void initTestCase()
    {
        m_t = test::readSafetensors(m_dir / "quant.safetensors");
        m_cases = io::readJsonFile(m_dir / "cases.json");
        qInfo("bitsandbytes %s", m_cases.at("bitsandbytes").get<std::string>().c_str());
    }

    void tables()
    {
        VERIFY_BITS(quant::fourBitCodeTable(quant::FourBitType::Nf4), m_t.at("nf4_table"), "nf4");
        VERIFY_BITS(quant::fourBitCodeTable(quant::FourBitType::Fp4), m_t.at("fp4_table"), "fp4");
        VERIFY_BITS(quant::createDynamicMap(true), m_t.at("dynamic_map"), "dynamic map");
    }

    void fourBit_data() { addCases("four_bit"); }
    void fourBit()
    {
        QFETCH(int, index);
        const auto &c = m_cases.at("four_bit")[index];
        const std::string p = c.at("name").get<std::string>() + ".";
        const auto type =
            c.at("quant_type") == "nf4" ? quant::FourBitType::Nf4 : quant::FourBitType::Fp4;
        const int64_t blocksize = c.at("blocksize").get<int64_t>();
        const auto dtype = dtypeNamed(c.at("dtype").get<std::string>());
        const auto &input = m_t.at(p + "input");
        QCOMPARE(input.scalar_type(), dtype);

        auto q = quant::quantizeNf4(input, {type, blocksize, false});
        VERIFY_BITS(q.packed, m_t.at(p + "packed"), "packed");
        VERIFY_BITS(q.absmax, m_t.at(p + "absmax"), "absmax");
        // Values exactly equal; bnb's native FP4 kernel returns -0.0 for code 8
        // (sign bit, magnitude 0) where its table, its PyTorch path and ours hold +0.0.
        VERIFY_VALUES(quant::dequantizeNf4(q, dtype), m_t.at(p + "dequant"), "dequant");

        auto dq = quant::quantizeNf4(input, {type, blocksize, true});
        VERIFY_BITS(dq.packed, m_t.at(p + "dq_packed"), "double-quant packed");
        QCOMPARE(dq.nestedOffset, m_t.at(p + "dq_offset")[0].item<float>());
        VERIFY_BITS(dq.nestedAbsmax, m_t.at(p + "dq_nested_absmax"), "nested absmax");
        VERIFY_BITS(dq.nestedCode, m_t.at("dynamic_map"), "nested quant map");
        VERIFY_BITS(dq.absmax, m_t.at(p + "dq_absmax_ref"), "nested codes vs bnb's formula");
        const auto native = dq.absmax.ne(m_t.at(p + "dq_absmax")).sum().item<int64_t>();
        QCOMPARE(native, c.at("native_nested_code_differences").get<int64_t>());

        // bnb's own nested state through our dequantization: identical values.
        quant::Nf4Weight theirs = dq;
        theirs.absmax = m_t.at(p + "dq_absmax");
        VERIFY_VALUES(quant::dequantizeNf4(theirs, dtype), m_t.at(p + "dq_dequant"),
                      "dequant of bnb's nested state");
        const double ours =
            test::maxAbsDifference(quant::dequantizeNf4(dq, dtype), m_t.at(p + "dq_dequant"));
        qInfo("%s: bit-exact; nested codes differing from bnb's native CPU search: %lld of %lld "
              "(max |Δ| of our dequantization vs bnb's: %.3g)",
              c.at("name").get<std::string>().c_str(), static_cast<long long>(native),
              static_cast<long long>(dq.absmax.numel()), ours);
    }

    void int8_data() { addCases("int8"); }
    void int8()
    {
        QFETCH(int, index);
        const auto &c = m_cases.at("int8")[index];
        const std::string p = c.at("name").get<std::string>() + ".";
        auto q = quant::quantizeInt8(m_t.at(p + "input"));
        VERIFY_BITS(q.weight, m_t.at(p + "cb"), "CB");
        VERIFY_BITS(q.scb, m_t.at(p + "scb"), "SCB");
        VERIFY_BITS(quant::dequantizeInt8(q, at::kFloat), m_t.at(p + "dequant"), "dequant");
    }
};

QTEST_GUILESS_MAIN(TestQuantInterop)
#include "tst_quant_interop.moc"
