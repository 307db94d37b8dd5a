// Record layouts: auto-detection and its reason, mixed and unknown layouts
// as errors listing the keys found, explicit format names, and the
// conversion of each layout to an Example (alpaca rendering, ShareGPT role
// mapping, field errors). Inputs are built here, no tokenizer needed, except
// the committed demo dataset (resources/demo), read as the app reads it.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "data/DatasetFormat.h"
#include "data/DatasetReader.h"
#include "data/Example.h"

#include <QtTest>

using namespace headroom::data;
using Json = nlohmann::json;

namespace {

RecordSet recordsOf(const std::vector<Json> &objects)
{
    RecordSet s;
    s.file = "some/dir/train.jsonl";
    for (size_t i = 0; i < objects.size(); ++i)
        s.records.push_back({i + 1, objects[i]});
    return s;
}

std::string detectError(const RecordSet &s)
{
    try {
        detectFormat(s);
    } catch (const headroom::Error &e) {
        return e.what();
    }
    return "(no error)";
}

std::string exampleError(const Json &record, DatasetFormat format)
{
    try {
        toExample(record, format);
    } catch (const headroom::Error &e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

class TestDataFormats : public QObject
{
    Q_OBJECT

private slots:
    void detectsEachFormat()
    {
        const std::vector<std::pair<Json, std::string>> cases = {
            {{{"instruction", "i"}, {"input", ""}, {"output", "o"}},
             "alpaca: 600/600 records have instruction+output"},
            {{{"messages", Json::array()}}, "chat: 600/600 records have messages"},
            {{{"conversations", Json::array()}}, "sharegpt: 600/600 records have conversations"},
            {{{"text", "t"}}, "text: 600/600 records have text"},
            {{{"prompt", "p"}, {"completion", "c"}},
             "completion: 600/600 records have prompt+completion"},
        };
        for (const auto &[record, reason] : cases) {
            const Detection d = detectFormat(recordsOf(std::vector<Json>(600, record)), 600);
            QCOMPARE(d.reason, reason);
        }
        // Only the first 512 records are inspected by default.
        const Detection d = detectFormat(recordsOf(std::vector<Json>(1000, {{"text", "t"}})));
        QCOMPARE(d.format, DatasetFormat::Text);
        QCOMPARE(d.reason, std::string("text: 512/512 records have text"));
    }

    void toleratesAFewStrayRecords()
    {
        std::vector<Json> objects(19, Json{{"instruction", "i"}, {"output", "o"}});
        objects.push_back({{"instruction", "i"}}); // missing output
        const Detection d = detectFormat(recordsOf(objects));
        QCOMPARE(d.format, DatasetFormat::Alpaca);
        QCOMPARE(d.reason, std::string("alpaca: 19/20 records have instruction+output"));
    }

    void mixedIsAnError()
    {
        std::vector<Json> objects(5, Json{{"instruction", "i"}, {"output", "o"}});
        objects.insert(objects.end(), 5, Json{{"text", "t"}});
        const std::string e = detectError(recordsOf(objects));
        QVERIFY2(contains(e, "train.jsonl: cannot tell the dataset format from the first 10 "
                             "records (mixed: the most common, alpaca, covers 5/10)"),
                 e.c_str());
        QVERIFY2(contains(e, "{instruction, output}: 5 records"), e.c_str());
        QVERIFY2(contains(e, "{text}: 5 records"), e.c_str());
        QVERIFY2(contains(e, "Supported formats: alpaca (instruction, input, output)"), e.c_str());
    }

    void unknownIsAnError()
    {
        const std::string e =
            detectError(recordsOf({{{"question", "q"}, {"answer", "a"}}, {{"question", "q"}}}));
        QVERIFY2(contains(e, "none matches a supported format"), e.c_str());
        QVERIFY2(contains(e, "{answer, question}: 1 record"), e.c_str());
        QVERIFY2(contains(e, "{question}: 1 record"), e.c_str());
        QVERIFY2(contains(detectError(recordsOf({})), "train.jsonl: no records"), "empty");
    }

    void formatNames()
    {
        QCOMPARE(parseFormatName("sharegpt"), std::optional(DatasetFormat::ShareGpt));
        QCOMPARE(parseFormatName("messages"), std::optional(DatasetFormat::Chat));
        QCOMPARE(parseFormatName("auto"), std::optional(DatasetFormat::Auto));
        QVERIFY(!parseFormatName("Alpaca").has_value());
        QCOMPARE(formatName(DatasetFormat::Completion), std::string("completion"));
    }

    void alpacaRendering()
    {
        const Example a = toExample({{"instruction", "Add"}, {"input", "2 and 3"}, {"output", "5"}},
                                    DatasetFormat::Alpaca);
        QCOMPARE(a.kind, Example::Kind::Conversation);
        QCOMPARE(a.messages.size(), size_t(2));
        QCOMPARE(a.messages[0].role, std::string("user"));
        QCOMPARE(a.messages[0].content, std::string("Add\n\n2 and 3"));
        QCOMPARE(a.messages[1].role, std::string("assistant"));
        QCOMPARE(a.messages[1].content, std::string("5"));
        const Example b = toExample(
            {{"instruction", "Hi"}, {"input", ""}, {"output", "Hello"}, {"system", "Be kind."}},
            DatasetFormat::Alpaca);
        QCOMPARE(b.messages.size(), size_t(3));
        QCOMPARE(b.messages[0].role, std::string("system"));
        QCOMPARE(b.messages[1].content, std::string("Hi"));
        const Example c =
            toExample({{"instruction", "Hi"}, {"output", "Hello"}}, DatasetFormat::Alpaca);
        QCOMPARE(c.messages[0].content, std::string("Hi"));
    }

    void shareGptRoles()
    {
        const Example e =
            toExample({{"system", "S"},
                       {"conversations",
                        {{{"from", "human"}, {"value", "q"}}, {{"from", "gpt"}, {"value", "a"}}}}},
                      DatasetFormat::ShareGpt);
        QCOMPARE(e.messages.size(), size_t(3));
        QCOMPARE(e.messages[0].role, std::string("system"));
        QCOMPARE(e.messages[1].role, std::string("user"));
        QCOMPARE(e.messages[2].role, std::string("assistant"));
        // dataset_format `chat` covers ShareGPT records too.
        QCOMPARE(
            toExample({{"conversations",
                        {{{"from", "human"}, {"value", "q"}}, {{"from", "gpt"}, {"value", "a"}}}}},
                      DatasetFormat::Chat)
                .messages.size(),
            size_t(2));
        QVERIFY(contains(
            exampleError({{"conversations", {{{"from", "tool"}, {"value", "q"}}}}},
                         DatasetFormat::ShareGpt),
            "conversations[0]: unknown `from` value `tool` (expected human, gpt or system)"));
    }

    void fieldErrors()
    {
        QCOMPARE(exampleError({{"instruction", 5}, {"output", "o"}}, DatasetFormat::Alpaca),
                 std::string("field `instruction` must be a string, got number"));
        QCOMPARE(exampleError({{"instruction", "i"}}, DatasetFormat::Alpaca),
                 std::string("missing field `output`"));
        QCOMPARE(exampleError({{"messages", "hi"}}, DatasetFormat::Chat),
                 std::string("field `messages` must be a list, got string"));
        QCOMPARE(
            exampleError({{"messages", {{{"role", "bot"}, {"content", "x"}}}}},
                         DatasetFormat::Chat),
            std::string("messages[0]: unknown role `bot` (expected system, user or assistant)"));
        QCOMPARE(exampleError({{"messages", {{{"role", "user"}, {"content", "x"}}}}},
                              DatasetFormat::Chat),
                 std::string("the conversation has no assistant reply to train on"));
        QCOMPARE(exampleError({{"text", ""}}, DatasetFormat::Text),
                 std::string("field `text` is empty"));
        QCOMPARE(
            exampleError({{"prompt", "p"}, {"completion", nullptr}}, DatasetFormat::Completion),
            std::string("missing field `completion`"));
    }

    // resources/demo/demo-dataset.jsonl (make_demo_dataset.py) is what a new
    // user trains on first: every line must parse, the layout must be
    // detected as alpaca from all records, and every record must become a
    // user/assistant conversation.
    void demoDatasetIsAlpaca()
    {
        const auto file = headroom::test::sourceDir() / "resources" / "demo" / "demo-dataset.jsonl";
        const RecordSet set = readRecords(file);
        QCOMPARE(set.fileType, std::string("JSON Lines"));
        QVERIFY2(set.malformed.empty(),
                 qPrintable(QString("line %1: %2")
                                .arg(set.malformed.empty() ? 0 : set.malformed.front().line)
                                .arg(QString::fromStdString(
                                    set.malformed.empty() ? "" : set.malformed.front().reason))));
        QVERIFY2(set.records.size() >= 300, qPrintable(QString::number(set.records.size())));
        const Detection d = detectFormat(set, set.records.size(), 1.0);
        QCOMPARE(d.format, DatasetFormat::Alpaca);
        for (const auto &r : set.records) {
            const Example e = toExample(r.value, DatasetFormat::Alpaca);
            QCOMPARE(e.kind, Example::Kind::Conversation);
            QCOMPARE(e.messages.size(), size_t(2));
            QVERIFY(!e.messages[0].content.empty() && !e.messages[1].content.empty());
        }
    }
};

QTEST_APPLESS_MAIN(TestDataFormats)
#include "tst_data_formats.moc"
