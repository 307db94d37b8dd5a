// Bad input must give a headroom::Error naming the file and the field, never a
// crash or a hang: broken tokenizer.json files, bad GGUF vocabularies,
// catastrophic regexes, invalid UTF-8. Also a hand-checked SentencePiece-style
// GGUF vocabulary (merges from scores, byte fallback, BOS).
#include "common/TestSupport.h"
#include "tokenizer/Tokenizer.h"

#include <QtTest>

#include <chrono>
#include <nlohmann/json.hpp>

using headroom::tok::GgufVocab;
using headroom::tok::Tokenizer;
using Json = nlohmann::json;

namespace {

Json minimalTokenizer()
{
    return Json::parse(R"({
        "version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null,
        "post_processor": null, "decoder": null,
        "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}})");
}

// Writes `j` as tokenizer.json, loads it and returns the error message.
std::string loadError(const Json &j)
{
    headroom::test::TempDir dir;
    headroom::test::writeBytes(dir / "tokenizer.json", j.dump());
    try {
        Tokenizer::fromFolder(dir.path());
    } catch (const headroom::Error &e) {
        return e.what();
    }
    return "(no error)";
}

// Empty when `message` contains every part, else what went wrong.
std::string missingParts(const std::string &message, std::initializer_list<const char *> parts)
{
    for (const char *part : parts)
        if (message.find(part) == std::string::npos)
            return message + "  [expected: " + part + "]";
    return {};
}

} // namespace

class TestTokenizerErrors : public QObject
{
    Q_OBJECT

private slots:
    void minimalLoads()
    {
        headroom::test::TempDir dir;
        headroom::test::writeBytes(dir / "tokenizer.json", minimalTokenizer().dump());
        const Tokenizer t = Tokenizer::fromFolder(dir.path());
        QCOMPARE(t.encode("abab"), (std::vector<int32_t>{2, 2}));
        QCOMPARE(t.decode({2, 0}), std::string("ab a")); // no decoder: joined by spaces
        QCOMPARE(t.vocabSize(), size_t(3));
    }

    void missingModel()
    {
        Json j = minimalTokenizer();
        j.erase("model");
        {
            const std::string f_ = missingParts(loadError(j), {"tokenizer.json: model is missing"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
    }

    void unsupportedModel()
    {
        Json j = minimalTokenizer();
        j["model"]["type"] = "WordPiece";
        {
            const std::string f_ = missingParts(
                loadError(j),
                {"tokenizer.json: model.type `WordPiece` is not supported (supported: BPE)"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
    }

    void unknownComponents()
    {
        Json j = minimalTokenizer();
        j["normalizer"] = {{"type", "Precompiled"}};
        {
            const std::string f_ = missingParts(
                loadError(j), {"tokenizer.json", "normalizer.type `Precompiled` is not supported"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        j = minimalTokenizer();
        j["pre_tokenizer"] = Json::parse(
            R"({"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "Nope"}]})");
        {
            const std::string f_ = missingParts(
                loadError(j), {"tokenizer.json", "pre_tokenizer.pretokenizers[1].type `Nope`"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        j = minimalTokenizer();
        j["decoder"] = {{"type", "WordPiece"}};
        {
            const std::string f_ =
                missingParts(loadError(j), {"tokenizer.json", "decoder.type `WordPiece`"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        j = minimalTokenizer();
        j["post_processor"] = {{"type", "Magic"}};
        {
            const std::string f_ =
                missingParts(loadError(j), {"tokenizer.json", "post_processor.type `Magic`"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        j = minimalTokenizer();
        j["pre_tokenizer"] =
            Json::parse(R"({"type": "Split", "pattern": {"String": "x"}, "behavior": "Sideways"})");
        {
            const std::string f_ =
                missingParts(loadError(j), {"pre_tokenizer.behavior `Sideways`"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
    }

    void invalidRegex()
    {
        Json j = minimalTokenizer();
        j["pre_tokenizer"] = Json{{"type", "Split"},
                                  {"pattern", {{"Regex", "(unclosed"}}},
                                  {"behavior", "Isolated"},
                                  {"invert", false}};
        {
            const std::string f_ = missingParts(
                loadError(j), {"tokenizer.json", "pre_tokenizer.pattern.Regex", "invalid regex"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        j = minimalTokenizer();
        j["normalizer"] =
            Json{{"type", "Replace"}, {"pattern", {{"Regex", "[z-a]"}}}, {"content", ""}};
        {
            const std::string f_ =
                missingParts(loadError(j), {"normalizer.pattern.Regex", "invalid regex"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
    }

    void badModelFields()
    {
        Json j = minimalTokenizer();
        j["model"]["merges"] = {"a c"};
        {
            const std::string f_ = missingParts(
                loadError(j), {"tokenizer.json: model.merges[0]", "`c` is not in the vocabulary"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        j = minimalTokenizer();
        j["model"]["merges"] = {"ab"};
        {
            const std::string f_ = missingParts(loadError(j), {"model.merges[0]", "two tokens"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        j = minimalTokenizer();
        j["model"]["vocab"] = {1, 2};
        {
            const std::string f_ = missingParts(loadError(j), {"model.vocab"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        j = minimalTokenizer();
        j["model"]["fuse_unk"] = "yes";
        {
            const std::string f_ = missingParts(loadError(j), {"model.fuse_unk", "true or false"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        j = minimalTokenizer();
        j["added_tokens"] = Json::parse(R"([{"id": 5}])");
        {
            const std::string f_ =
                missingParts(loadError(j), {"added_tokens[0].content", "missing"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
    }

    void notJsonAndMissingFiles()
    {
        headroom::test::TempDir dir;
        QVERIFY_THROWS_EXCEPTION(headroom::Error, Tokenizer::fromFolder(dir.path()));
        headroom::test::writeBytes(dir / "tokenizer.json", "{\"model\": ");
        try {
            Tokenizer::fromFolder(dir.path());
            QFAIL("expected an error");
        } catch (const headroom::Error &e) {
            {
                const std::string f_ =
                    missingParts(std::string(e.what()), {"tokenizer.json", "not valid JSON"});
                QVERIFY2(f_.empty(), f_.c_str());
            }
        }
        headroom::test::writeBytes(dir / "tokenizer.json", minimalTokenizer().dump());
        headroom::test::writeBytes(dir / "tokenizer_config.json", R"({"bos_token": "<nope>"})");
        try {
            Tokenizer::fromFolder(dir.path());
            QFAIL("expected an error");
        } catch (const headroom::Error &e) {
            {
                const std::string f_ = missingParts(
                    std::string(e.what()), {"tokenizer_config.json", "bos_token", "<nope>"});
                QVERIFY2(f_.empty(), f_.c_str());
            }
        }
    }

    void hostileRegexDoesNotHang()
    {
        Json j = minimalTokenizer();
        j["pre_tokenizer"] = Json{{"type", "Split"},
                                  {"pattern", {{"Regex", "(a|aa)+$"}}},
                                  {"behavior", "Isolated"},
                                  {"invert", false}};
        headroom::test::TempDir dir;
        headroom::test::writeBytes(dir / "tokenizer.json", j.dump());
        const Tokenizer t = Tokenizer::fromFolder(dir.path());
        const auto started = std::chrono::steady_clock::now();
        try {
            t.encode(std::string(5000, 'a') + "b");
        } catch (const headroom::Error &e) {
            {
                const std::string f_ = missingParts(std::string(e.what()), {"regex"});
                QVERIFY2(f_.empty(), f_.c_str());
            }
        }
        QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
    }

    void invalidUtf8IsRepaired()
    {
        headroom::test::TempDir dir;
        Json j = minimalTokenizer();
        j["pre_tokenizer"] = {
            {"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
        headroom::test::writeBytes(dir / "tokenizer.json", j.dump());
        const Tokenizer t = Tokenizer::fromFolder(dir.path());
        // Unknown characters are dropped (no unk token): must simply not crash.
        QVERIFY(t.encode(std::string("a\xff\xfe"
                                     "b\xc3",
                                     5))
                    .size() <= 5);
        QCOMPARE(t.decode({0, 99999, -5, 1}), std::string("a b"));
    }

    void ggufErrors()
    {
        GgufVocab v;
        QVERIFY_THROWS_EXCEPTION(headroom::Error, Tokenizer::fromGguf(v));
        v.tokens = {"a", "b"};
        v.model = "bert";
        try {
            Tokenizer::fromGguf(v);
            QFAIL("expected an error");
        } catch (const headroom::Error &e) {
            {
                const std::string f_ = missingParts(
                    std::string(e.what()), {"tokenizer.ggml.model `bert` is not supported"});
                QVERIFY2(f_.empty(), f_.c_str());
            }
        }
        v.model = "gpt2";
        v.merges = {"a c"};
        QVERIFY_THROWS_EXCEPTION(headroom::Error, Tokenizer::fromGguf(v));
        v.merges = {};
        // llama.cpp refuses a `pre` it does not know; so does the default
        // mode, naming it. transformers' conversion falls back to GPT-2.
        v.pre = "no-such-pre";
        try {
            Tokenizer::fromGguf(v);
            QFAIL("expected an error");
        } catch (const headroom::Error &e) {
            const std::string f_ =
                missingParts(std::string(e.what()), {"tokenizer.ggml.pre `no-such-pre`"});
            QVERIFY2(f_.empty(), f_.c_str());
        }
        QCOMPARE(Tokenizer::fromGguf(v, headroom::tok::GgufPreTokenization::Transformers)
                     .encode("ab", false),
                 (std::vector<int32_t>{0, 1}));
        v.pre.clear(); // no `pre`: llama.cpp's "default"
        v.bosId = 7;
        try {
            Tokenizer::fromGguf(v);
            QFAIL("expected an error");
        } catch (const headroom::Error &e) {
            {
                const std::string f_ = missingParts(std::string(e.what()), {"bos_token_id"});
                QVERIFY2(f_.empty(), f_.c_str());
            }
        }
        v.bosId.reset();
        v.model = "llama";
        QVERIFY_THROWS_EXCEPTION(headroom::Error, Tokenizer::fromGguf(v)); // no scores
    }

    void ggufPreTokenizers()
    {
        // A digit vocabulary whose merges show how "12345" was split:
        // unsplit (GPT-2 regex) → 12 34 5, groups of three → 123 45,
        // single digits → 1 2 3 4 5.
        GgufVocab v;
        v.model = "gpt2";
        v.tokens = {"1", "2", "3", "4", "5", "34", "12", "123", "45", "<s>"};
        v.merges = {"3 4", "1 2", "12 3", "4 5"};
        v.bosId = 9;
        using P = headroom::tok::GgufPreTokenization;
        const auto ids = [&](const std::string &pre, P mode) {
            v.pre = pre;
            return Tokenizer::fromGguf(v, mode).encode("12345", false);
        };
        const std::vector<int32_t> unsplit{6, 5, 4}, threes{7, 8}, singles{0, 1, 2, 3, 4};
        QCOMPARE(ids("gpt-2", P::LlamaCpp), unsplit);
        QCOMPARE(ids("default", P::LlamaCpp), threes); // \p{N}+ then [0-9]{3}
        QCOMPARE(ids("", P::LlamaCpp), threes);        // no `pre`: llama.cpp's default
        QCOMPARE(ids("llama-bpe", P::LlamaCpp), threes);
        QCOMPARE(ids("qwen2", P::LlamaCpp), singles);
        QCOMPARE(ids("smollm", P::LlamaCpp), singles);
        QCOMPARE(ids("smollm", P::Transformers), unsplit);
        QCOMPARE(ids("default", P::Transformers), unsplit);
        QCOMPARE(ids("something-new", P::Transformers), unsplit);
        // BOS without add_bos_token: llama.cpp adds it for the Llama-3 family.
        v.pre = "llama-bpe";
        QCOMPARE(Tokenizer::fromGguf(v).prefixIds(), std::vector<int32_t>{9});
        QVERIFY(Tokenizer::fromGguf(v, P::Transformers).prefixIds().empty());
        v.addBos = false;
        QVERIFY(Tokenizer::fromGguf(v).prefixIds().empty());
        v.pre = "smollm";
        v.addBos.reset();
        QVERIFY(Tokenizer::fromGguf(v).prefixIds().empty());
    }

    void sentencePieceGguf()
    {
        // Merges come from scores (transformers' generate_merges): he, ll,
        // he+ll, hell+o, ▁+hello in that order.
        GgufVocab v;
        v.model = "llama";
        v.pre = "default";
        const auto add = [&](const std::string &t, float score, int32_t type) {
            v.tokens.push_back(t);
            v.scores.push_back(score);
            v.tokenTypes.push_back(type);
            return static_cast<int32_t>(v.tokens.size() - 1);
        };
        add("<unk>", 0, 2);
        add("<s>", 0, 3);
        add("</s>", 0, 3);
        char name[8];
        for (int b = 0; b < 256; ++b) {
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            add(name, 0, 6);
        }
        const int32_t space = add("\xE2\x96\x81", -100, 1);
        const int32_t h = add("h", -100, 1);
        add("e", -100, 1);
        add("l", -100, 1);
        add("o", -100, 1);
        add("he", -1, 1);
        add("ll", -2, 1);
        add("hell", -3, 1);
        add("hello", -4, 1);
        const int32_t spaceHello = add("\xE2\x96\x81hello", -5, 1);
        v.bosId = 1;
        v.eosId = 2;
        v.unkId = 0;
        const Tokenizer t = Tokenizer::fromGguf(v);
        QCOMPARE(t.encode("hello"), (std::vector<int32_t>{1, spaceHello}));
        QCOMPARE(t.encode("hello", false), (std::vector<int32_t>{spaceHello}));
        const int32_t byteI = 3 + 'i';
        QCOMPARE(t.encode("hello hi", false), (std::vector<int32_t>{spaceHello, space, h, byteI}));
        // After a special token the text is not "first": no ▁ prepended.
        QCOMPARE(t.encode("<s>hi", false), (std::vector<int32_t>{1, h, byteI}));
        QCOMPARE(t.decode({1, spaceHello, space, h, byteI}, true), std::string("hello hi"));
        QCOMPARE(t.decode({1, spaceHello}, false), std::string("<s> hello"));
        QCOMPARE(t.unkId().value_or(-1), 0);
    }
};

QTEST_APPLESS_MAIN(TestTokenizerErrors)
#include "tst_tokenizer_errors.moc"
