// Ids and loss masks of every dataset layout and file type, token by token
// against transformers (tests/fixtures/gen_data.py: apply_chat_template with
// return_assistant_tokens_mask for conversations, tokenizer() + EOS for text
// and plain completions); truncation and dropped-sample counts, packing and
// the validation split on real tokenized data; segment-wise encoding where it
// differs from the whole text; the error for a dataset with no usable sample.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "data/PreparedDataset.h"
#include "tokenizer/Tokenizer.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace headroom::data;
using headroom::tok::Tokenizer;
using Json = nlohmann::json;

namespace {

std::filesystem::path dataDir()
{
    return headroom::test::fixtureDir() / "data";
}

const Json &expected()
{
    static const Json j = Json::parse(headroom::test::readText(dataDir() / "expected.json"));
    return j;
}

const Json &findCase(const std::string &name)
{
    for (const Json &c : expected()["cases"])
        if (c["name"] == name)
            return c;
    throw std::runtime_error("no fixture case " + name);
}

const Tokenizer &tokenizer(const std::string &name)
{
    static const Tokenizer withTemplate = Tokenizer::fromFolder(dataDir() / "tokenizer");
    static const Tokenizer plain = Tokenizer::fromFolder(dataDir() / "tokenizer_plain");
    return name == "tokenizer" ? withTemplate : plain;
}

// Empty when equal, else where they first differ.
std::string firstDifference(const std::vector<int32_t> &got, const std::vector<int32_t> &want)
{
    const size_t n = std::min(got.size(), want.size());
    for (size_t i = 0; i < n; ++i)
        if (got[i] != want[i])
            return "index " + std::to_string(i) + ": got " + std::to_string(got[i]) +
                   ", expected " + std::to_string(want[i]);
    if (got.size() != want.size())
        return "length " + std::to_string(got.size()) + ", expected " + std::to_string(want.size());
    return {};
}

std::vector<int32_t> ints(const Json &j)
{
    return j.get<std::vector<int32_t>>();
}

PreparedDataset prepareCase(const Json &c, DataOptions options = {})
{
    options.trainOnPrompt = c["train_on_prompt"].get<bool>();
    return prepareDataset(dataDir() / c["file"].get<std::string>(),
                          tokenizer(c["tokenizer"].get<std::string>()), options);
}

} // namespace

class TestDataMasks : public QObject
{
    Q_OBJECT

private slots:
    void everyCaseTokenByToken_data()
    {
        QTest::addColumn<QString>("name");
        for (const Json &c : expected()["cases"])
            QTest::newRow(c["name"].get<std::string>().c_str())
                << QString::fromStdString(c["name"].get<std::string>());
    }

    void everyCaseTokenByToken()
    {
        QFETCH(QString, name);
        const Json &c = findCase(name.toStdString());
        DataOptions options;
        options.maxSeqLen = 4096;
        const PreparedDataset d = prepareCase(c, options);
        const DatasetSummary &s = d.summary;
        QCOMPARE(formatName(s.format), c["format"].get<std::string>());
        QVERIFY2(s.formatReason.rfind(c["format"].get<std::string>() + ": ", 0) == 0,
                 s.formatReason.c_str());
        QVERIFY2(s.malformed.empty(), s.text().c_str());
        QCOMPARE(s.truncated, size_t(0));
        QCOMPARE(s.notAligned, size_t(0));
        const Json &samples = c["samples"];
        QCOMPARE(d.train.size(), samples.size());
        QVERIFY(d.validation.empty());
        size_t targets = 0;
        for (size_t i = 0; i < samples.size(); ++i) {
            const TokenizedSample &got = d.train[i];
            QCOMPARE(got.line, samples[i]["line"].get<size_t>());
            const std::string ids = firstDifference(got.ids, ints(samples[i]["ids"]));
            QVERIFY2(ids.empty(), ("sample " + std::to_string(i) + " ids: " + ids).c_str());
            const std::string labels = firstDifference(got.labels, ints(samples[i]["labels"]));
            QVERIFY2(labels.empty(),
                     ("sample " + std::to_string(i) + " labels: " + labels).c_str());
            targets += got.targetCount();
        }
        QCOMPARE(s.targetTokens, targets);
        QCOMPARE(s.samples, samples.size());
        // Aligned everywhere, so the whole-text alignment gives the same.
        options.alignment = MaskAlignment::WholeText;
        const PreparedDataset w = prepareCase(c, options);
        for (size_t i = 0; i < samples.size(); ++i) {
            QCOMPARE(w.train[i].ids, d.train[i].ids);
            QCOMPARE(w.train[i].labels, d.train[i].labels);
        }
    }

    void truncationAndDroppedSamples()
    {
        const Json &c = findCase("alpaca_jsonl");
        const size_t maxLen = 40;
        size_t truncated = 0, dropped = 0;
        std::vector<std::vector<int32_t>> kept;
        for (const Json &sample : c["samples"]) {
            std::vector<int32_t> ids = ints(sample["ids"]), labels = ints(sample["labels"]);
            if (ids.size() > maxLen) {
                ++truncated;
                ids.resize(maxLen);
                labels.resize(maxLen);
            }
            if (std::all_of(labels.begin(), labels.end(), [](int32_t l) { return l == -100; }))
                ++dropped;
            else
                kept.push_back(ids);
        }
        QVERIFY(truncated > 0 && dropped > 0); // the fixture exercises both
        DataOptions options;
        options.maxSeqLen = maxLen;
        const PreparedDataset d = prepareCase(c, options);
        QCOMPARE(d.summary.truncated, truncated);
        QCOMPARE(d.summary.droppedNoTargets, dropped);
        QCOMPARE(d.train.size(), kept.size());
        for (size_t i = 0; i < kept.size(); ++i)
            QCOMPARE(d.train[i].ids, kept[i]);
        QVERIFY(d.summary.text().find(std::to_string(truncated) + " samples truncated to 40") !=
                std::string::npos);
    }

    void packing()
    {
        const Json &c = findCase("text_jsonl");
        DataOptions options;
        options.maxSeqLen = 64;
        options.packing = true;
        const PreparedDataset d = prepareCase(c, options);
        // Next-fit over the (truncated) samples in file order.
        std::vector<std::vector<int32_t>> want;
        size_t used = 64;
        for (const Json &sample : c["samples"]) {
            std::vector<int32_t> ids = ints(sample["ids"]);
            ids.resize(std::min<size_t>(ids.size(), 64));
            if (used + ids.size() > 64) {
                want.emplace_back();
                used = 0;
            }
            want.back().insert(want.back().end(), ids.begin(), ids.end());
            used += ids.size();
        }
        QCOMPARE(d.packedTrain.size(), want.size());
        QCOMPARE(d.summary.packedTrainSequences, want.size());
        for (size_t i = 0; i < want.size(); ++i) {
            QCOMPARE(d.packedTrain[i].ids, want[i]);
            QCOMPARE(d.packedTrain[i].positionIds.front(), 0);
        }
    }

    void validationSplit()
    {
        const Json &c = findCase("chat_jsonl");
        DataOptions options;
        options.validationSplit = 0.25;
        options.seed = 5;
        const PreparedDataset a = prepareCase(c, options);
        const PreparedDataset b = prepareCase(c, options);
        options.seed = 6;
        const PreparedDataset other = prepareCase(c, options);
        const auto lines = [](const std::vector<TokenizedSample> &v) {
            std::vector<size_t> out;
            for (const TokenizedSample &s : v)
                out.push_back(s.line);
            return out;
        };
        QCOMPARE(a.validation.size(), size_t(2));
        QCOMPARE(a.train.size(), c["samples"].size() - 2);
        QCOMPARE(lines(a.validation), lines(b.validation));
        QCOMPARE(lines(a.train), lines(b.train));
        QVERIFY(lines(a.validation) != lines(other.validation));
        std::vector<size_t> all = lines(a.train);
        for (size_t l : lines(a.validation))
            all.push_back(l);
        std::sort(all.begin(), all.end());
        std::vector<size_t> want;
        for (const Json &s : c["samples"])
            want.push_back(s["line"].get<size_t>());
        QCOMPARE(all, want);
        QCOMPARE(a.summary.validationSamples, size_t(2));
    }

    void boundaryInsideAWord()
    {
        // Prompt and completion cut a word: the segment-wise ids are kept and
        // the sample is reported as tokenized differently from the whole text.
        headroom::test::TempDir dir;
        headroom::test::writeBytes(dir / "c.jsonl",
                                   R"({"prompt": "The moun", "completion": "tain is cold."})"
                                   "\n");
        const Tokenizer &tok = tokenizer("tokenizer_plain");
        const PreparedDataset d = prepareDataset(dir / "c.jsonl", tok);
        QCOMPARE(d.train.size(), size_t(1));
        std::vector<int32_t> want = tok.encode("The moun", true);
        const std::vector<int32_t> completion = tok.encode("tain is cold.", false);
        const size_t promptLength = want.size();
        want.insert(want.end(), completion.begin(), completion.end());
        want.push_back(*tok.eosId());
        QCOMPARE(d.train[0].ids, want);
        for (size_t i = 0; i < want.size(); ++i)
            QCOMPARE(d.train[0].labels[i], i < promptLength ? -100 : want[i]);
        std::vector<int32_t> whole = tok.encode("The mountain is cold.", true);
        whole.push_back(*tok.eosId());
        QCOMPARE(d.train[0].alignedWithWholeText, whole == want);
        QCOMPARE(d.summary.notAligned, size_t(whole == want ? 0 : 1));
        QVERIFY(whole != want); // " mountain" is one token in this vocabulary

        // Whole-text alignment: transformers' ids; the token straddling the
        // boundary (" mountain") holds completion bytes, so it is trained.
        DataOptions options;
        options.alignment = MaskAlignment::WholeText;
        const PreparedDataset w = prepareDataset(dir / "c.jsonl", tok, options);
        QCOMPARE(w.train[0].ids, whole);
        const std::vector<int32_t> promptAlone = tok.encode("The moun", false);
        const std::vector<int32_t> body = tok.encode("The mountain is cold.", false);
        size_t shared = 0;
        while (shared < promptAlone.size() && promptAlone[shared] == body[shared])
            ++shared;
        QVERIFY(shared < promptAlone.size());
        const size_t firstTrained = tok.prefixIds().size() + shared;
        for (size_t i = 0; i < whole.size(); ++i)
            QCOMPARE(w.train[0].labels[i], i < firstTrained ? -100 : whole[i]);
        QVERIFY(!w.train[0].alignedWithWholeText);
    }

    void malformedRecordsAreCollected()
    {
        headroom::test::TempDir dir;
        headroom::test::writeBytes(
            dir / "mix.jsonl",
            "{\"instruction\": \"Hi\", \"output\": \"Hello\"}\n"
            "{\"instruction\": \"Hi\", \"output\": 3}\n"
            "not json\n"
            "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}\n"
            "{\"instruction\": \"Bye\", \"input\": \"now\", \"output\": \"Bye\"}\n");
        DataOptions options;
        options.format = DatasetFormat::Alpaca;
        const PreparedDataset d =
            prepareDataset(dir / "mix.jsonl", tokenizer("tokenizer"), options);
        QCOMPARE(d.train.size(), size_t(2));
        QCOMPARE(d.summary.malformed.size(), size_t(3));
        QCOMPARE(describe(d.summary.malformed[0]),
                 std::string("mix.jsonl:2: field `output` must be a string, got number"));
        QCOMPARE(d.summary.malformed[1].line, size_t(3));
        QCOMPARE(describe(d.summary.malformed[2]),
                 std::string("mix.jsonl:4: missing field `instruction`"));
        QCOMPARE(d.summary.formatReason, std::string("chosen in the configuration"));
        QCOMPARE(d.summary.chatFormat, std::string("chatml"));
    }

    void noUsableSampleIsAnError()
    {
        headroom::test::TempDir dir;
        headroom::test::writeBytes(dir / "bad.jsonl", "{\"text\": 1}\n{\"text\": \"\"}\n{oops\n");
        std::string message = "(no error)";
        try {
            prepareDataset(dir / "bad.jsonl", tokenizer("tokenizer"));
        } catch (const headroom::Error &e) {
            message = e.what();
        }
        QVERIFY2(message.rfind("bad.jsonl: no usable sample: 2 records read, 3 malformed "
                               "(first: bad.jsonl:1: field `text` must be a string",
                               0) == 0,
                 message.c_str());
    }

    void chatNeedsATemplate()
    {
        const Json &c = findCase("chat_jsonl");
        std::string message = "(no error)";
        try {
            prepareDataset(dataDir() / c["file"].get<std::string>(), tokenizer("tokenizer_plain"));
        } catch (const headroom::Error &e) {
            message = e.what();
        }
        QVERIFY2(message.find("no usable sample") != std::string::npos &&
                     message.find("the tokenizer has no chat template") != std::string::npos,
                 message.c_str());
        // Naming a format explicitly works without a template.
        DataOptions options;
        options.chatFormat = "chatml";
        const PreparedDataset d = prepareDataset(dataDir() / c["file"].get<std::string>(),
                                                 tokenizer("tokenizer_plain"), options);
        QCOMPARE(d.train.size(), c["samples"].size());
        QCOMPARE(d.train[0].labels, ints(c["samples"][0]["labels"]));
    }
};

QTEST_APPLESS_MAIN(TestDataMasks)
#include "tst_data_masks.moc"
