// SafetensorsFile / SafetensorsWriter: round trip of every dtype, the
// reference writer's layout, and every malformed-header case the reader must
// refuse with a message naming the file and the problem.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

#include <QTest>

#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

using namespace headroom;
using namespace headroom::io;

namespace {
// A file from a header text and a data buffer; `lengthOverride` lies about N.
std::string makeFile(const std::string &header, const std::string &data,
                     std::optional<uint64_t> lengthOverride = std::nullopt)
{
    const uint64_t n = lengthOverride.value_or(header.size());
    std::string out(8, '\0');
    std::memcpy(out.data(), &n, 8);
    return out + header + data;
}

// Expects open() to throw an Error whose message contains the file name and `needle`.
void expectRefused(const test::TempDir &dir, const std::string &bytes, const std::string &needle)
{
    const auto path = dir / "bad.safetensors";
    test::writeBytes(path, bytes);
    try {
        (void)SafetensorsFile::open(path);
        QFAIL(("accepted a bad file, expected: " + needle).c_str());
    } catch (const Error &e) {
        const std::string what = e.what();
        if (what.find("bad.safetensors") == std::string::npos ||
            what.find(needle) == std::string::npos)
            QFAIL(("message `" + what + "` lacks `" + needle + "`").c_str());
    }
}
} // namespace

class TestSafetensors : public QObject
{
    Q_OBJECT

private slots:
    void roundTripEveryDType()
    {
        test::TempDir dir;
        SafetensorsWriter writer;
        std::vector<std::vector<std::byte>> storage;
        for (DType t : kAllDTypes) {
            std::vector<std::byte> bytes(2 * 3 * dtypeSize(t));
            for (std::size_t i = 0; i < bytes.size(); ++i)
                bytes[i] = std::byte(static_cast<unsigned char>(i * 7 + static_cast<int>(t)));
            storage.push_back(std::move(bytes));
            writer.add("t_" + std::string(dtypeName(t)), t, {2, 3}, storage.back());
        }
        std::vector<std::byte> none;
        writer.add("empty", DType::F32, {0, 4}, none);
        std::vector<std::byte> scalar(8, std::byte{1});
        writer.add("scalar", DType::F64, {}, scalar);
        writer.setMetadata("note", "hello");
        const auto path = dir / "all.safetensors";
        writer.write(path);

        const auto raw = test::readText(path);
        uint64_t n = 0;
        std::memcpy(&n, raw.data(), 8);
        QCOMPARE(n % 8, uint64_t(0)); // padded so data starts 8-aligned
        QCOMPARE(raw[8 + n - 1] == ' ' || raw[8 + n - 1] == '}', true);

        const auto file = SafetensorsFile::open(path);
        QCOMPARE(file.metadata().at("format"), std::string("pt"));
        QCOMPARE(file.metadata().at("note"), std::string("hello"));
        QCOMPARE(file.tensors().size(), std::size(kAllDTypes) + 2);
        std::size_t k = 0;
        for (DType t : kAllDTypes) {
            const auto *info = file.find("t_" + std::string(dtypeName(t)));
            QVERIFY(info);
            QCOMPARE(info->dtype, t);
            QCOMPARE(info->shape, (std::vector<int64_t>{2, 3}));
            QCOMPARE(info->numel(), int64_t(6));
            QVERIFY(std::equal(info->bytes.begin(), info->bytes.end(), storage[k].begin(),
                               storage[k].end()));
            QCOMPARE(info->offset % dtypeSize(t), uint64_t(0)); // aligned to its element
            ++k;
        }
        QCOMPARE(file.find("empty")->bytes.size(), std::size_t(0));
        QCOMPARE(file.find("scalar")->shape.size(), std::size_t(0));
        QCOMPARE(file.find("scalar")->numel(), int64_t(1));
        QVERIFY(!file.find("missing"));

        // Reference order: dtype size descending, then name.
        std::size_t previous = 8;
        for (const auto &t : file.tensors()) {
            QVERIFY(dtypeSize(t.dtype) <= previous);
            previous = dtypeSize(t.dtype);
        }
        // The mapping outlives the file object.
        auto mapping = file.mapping();
        QVERIFY(mapping->size() == raw.size());
    }

    void writerRefusesMismatchedBytes()
    {
        SafetensorsWriter writer;
        std::vector<std::byte> bytes(12);
        QVERIFY_THROWS_EXCEPTION(Error, writer.add("x", DType::F32, {2, 2}, bytes));
        writer.add("x", DType::F32, {3}, bytes);
        QVERIFY_THROWS_EXCEPTION(Error, writer.add("x", DType::F32, {3}, bytes));
        QVERIFY_THROWS_EXCEPTION(Error, writer.add("__metadata__", DType::F32, {3}, bytes));
    }

    void dtypeNames()
    {
        for (DType t : kAllDTypes)
            QCOMPARE(parseDType(dtypeName(t)), t);
        QVERIFY_THROWS_EXCEPTION(Error, parseDType("F12"));
        QCOMPARE(dtypeSize(DType::BF16), std::size_t(2));
        QCOMPARE(dtypeSize(DType::I64), std::size_t(8));
    }

    // Every prefix and many random corruptions of a valid file: each either
    // opens or throws headroom::Error, never anything else.
    void survivesTruncationAndCorruption()
    {
        test::TempDir dir;
        SafetensorsWriter writer;
        std::vector<std::byte> a(24, std::byte{3}), b(6, std::byte{5});
        writer.add("a", DType::F32, {2, 3}, a);
        writer.add("b", DType::I8, {6}, b);
        writer.write(dir / "good.safetensors");
        const auto good = test::readText(dir / "good.safetensors");
        auto tryOpen = [&](const std::string &bytes) {
            test::writeBytes(dir / "m.safetensors", bytes);
            try {
                (void)SafetensorsFile::open(dir / "m.safetensors");
            } catch (const Error &) {
            }
        };
        test::forEachCorruption(good, tryOpen);
    }

    void refusesMalformedFiles()
    {
        test::TempDir dir;
        const std::string data(128, 'x');
        auto entry = [](const char *name, const char *dtype, const char *shape, uint64_t b,
                        uint64_t e) {
            return std::string("\"") + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
                   ",\"data_offsets\":[" + std::to_string(b) + "," + std::to_string(e) + "]}";
        };
        // Sanity: the well-formed variant is accepted.
        {
            const auto good = makeFile("{" + entry("a", "F32", "[4,8]", 0, 128) + "}", data);
            test::writeBytes(dir / "good.safetensors", good);
            QCOMPARE(SafetensorsFile::open(dir / "good.safetensors").tensors().size(),
                     std::size_t(1));
        }
        expectRefused(dir, std::string(5, '\0'), "too short");
        expectRefused(dir, makeFile("{" + entry("a", "F32", "[4,8]", 0, 128) + "}", data, 100000),
                      "runs past the end of the file");
        expectRefused(dir, makeFile("{}", "", 200'000'000), "exceeds the limit");
        {
            // 10^6 empty tensors: a 57 MB header, under the 100 MB header
            // limit, refused by the tensor count before it is parsed.
            std::string many = "{\"__metadata__\":{\"format\":\"pt\"}";
            for (int i = 0; i < 1'000'000; ++i)
                many += ",\"t" + std::to_string(i) + "\":{\"dtype\":\"U8\",\"shape\":[0]," +
                        "\"data_offsets\":[0,0]}";
            many += "}";
            QVERIFY(many.size() > 50'000'000 && many.size() < kMaxSafetensorsHeader);
            expectRefused(dir, makeFile(many, ""), "header lists more than 500000 tensors");
        }
        // Header length lie: N one short cuts the JSON.
        expectRefused(dir,
                      makeFile("{" + entry("a", "F32", "[4,8]", 0, 128) + "}", data,
                               entry("a", "F32", "[4,8]", 0, 128).size() + 1),
                      "invalid JSON");
        expectRefused(dir,
                      makeFile("{" + entry("a", "F32", "[4,8]", 0, 128) + "}", data.substr(0, 100)),
                      "run past the end of the data buffer");
        expectRefused(dir,
                      makeFile("{" + entry("a", "F32", "[4,4]", 0, 64) + "," +
                                   entry("b", "F32", "[4,4]", 32, 96) + "}",
                               data.substr(0, 96)),
                      "overlap");
        expectRefused(dir,
                      makeFile("{" + entry("a", "F32", "[4,4]", 0, 64) + "," +
                                   entry("b", "F32", "[4,4]", 72, 136) + "}",
                               data + "12345678"),
                      "gap");
        expectRefused(dir,
                      makeFile("{" + entry("a", "F32", "[4,4]", 0, 64) + "}", data.substr(0, 72)),
                      "trailing bytes");
        expectRefused(
            dir,
            makeFile("{" + entry("lm_head.weight", "F32", "[4,8]", 0, 96) + "}",
                     data.substr(0, 96)),
            "tensor `lm_head.weight`: data_offsets [0, 96) hold 96 bytes but shape [4, 8] × "
            "F32 needs 128");
        expectRefused(dir, makeFile("{" + entry("a", "F12", "[4,8]", 0, 128) + "}", data),
                      "unknown dtype `F12`");
        expectRefused(dir,
                      makeFile("{" + entry("a", "F32", "[4,8]", 0, 128) + "," +
                                   entry("a", "F32", "[4,8]", 0, 128) + "}",
                               data),
                      "duplicate key `a`");
        expectRefused(dir, makeFile("[1,2,3]", ""), "not a JSON object");
        expectRefused(
            dir,
            makeFile("{\"__metadata__\":{\"format\":1}," + entry("a", "F32", "[4,8]", 0, 128) + "}",
                     data),
            "__metadata__ `format` is not a string");
        expectRefused(dir, makeFile("{" + entry("a", "F32", "[-4,8]", 0, 128) + "}", data),
                      "not a non-negative integer");
        expectRefused(
            dir,
            makeFile("{" + entry("a", "F32", "[4611686018427387904,4611686018427387904]", 0, 128) +
                         "}",
                     data),
            "too large");
        expectRefused(
            dir, makeFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "1234"),
            "data_offsets must be");
        expectRefused(dir, makeFile("{\"a\":7}", ""), "tensor `a`: entry is not an object");
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "tst_io_safetensors.moc"
