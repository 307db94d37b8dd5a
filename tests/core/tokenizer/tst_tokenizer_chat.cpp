// Chat formatting against transformers' apply_chat_template(tokenize=False)
// for the real templates of SmolLM2, Qwen2.5, Llama-3, Mistral, Llama-2 and
// Zephyr (fixture chat.json from tests/fixtures/gen_tokenizers.py), and the
// assistant spans used for loss masks. Does not test tokenization.
#include "common/TestSupport.h"
#include "tokenizer/ChatFormat.h"
#include "tokenizer/Utf8.h"

#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

using headroom::tok::ChatFormat;
using headroom::tok::ChatMessage;
using Json = nlohmann::json;

namespace {

// Python's str.strip() on Unicode whitespace, as the templates use.
std::string strip(const std::string &s)
{
    const auto offsets = headroom::tok::codePointOffsets(s);
    const auto cps = headroom::tok::toCodePoints(s);
    size_t b = 0, e = cps.size();
    while (b < e && headroom::tok::isUnicodeWhitespace(cps[b]))
        ++b;
    while (e > b && headroom::tok::isUnicodeWhitespace(cps[e - 1]))
        --e;
    return s.substr(offsets[b], offsets[e] - offsets[b]);
}

} // namespace

class TestTokenizerChat : public QObject
{
    Q_OBJECT

private slots:
    void matchesTransformers_data()
    {
        QTest::addColumn<int>("index");
        const auto file = headroom::test::fixtureDir() / "tokenizers" / "chat.json";
        std::ifstream in(file);
        if (!in.good()) {
            // A row that fails with the reason (a failing _data function
            // would leave the test function without data).
            QTest::newRow("missing fixture") << -1;
            return;
        }
        m_fixture = Json::parse(in);
        for (size_t i = 0; i < m_fixture.size(); ++i)
            QTest::newRow(m_fixture[i].at("name").get<std::string>().c_str())
                << static_cast<int>(i);
    }

    void matchesTransformers()
    {
        QFETCH(int, index);
        if (index < 0)
            QFAIL("missing fixture tokenizers/chat.json (run tests/fixtures/generate_all.py)");
        const Json &entry = m_fixture.at(index);
        const ChatFormat format = ChatFormat::detect(entry.at("template").get<std::string>(),
                                                     entry.at("bos").get<std::string>(),
                                                     entry.at("eos").get<std::string>());
        QCOMPARE(format.name(), entry.at("format").get<std::string>());
        int checked = 0;
        for (const Json &c : entry.at("cases")) {
            std::vector<ChatMessage> messages;
            for (const Json &m : c.at("messages"))
                messages.push_back(
                    {m.at("role").get<std::string>(), m.at("content").get<std::string>()});
            const bool generation = c.at("add_generation_prompt").get<bool>();
            if (c.contains("error")) {
                QVERIFY_THROWS_EXCEPTION(headroom::Error, format.render(messages, generation));
                continue;
            }
            const auto rendered = format.render(messages, generation);
            const std::string expected = c.at("text").get<std::string>();
            if (rendered.text != expected)
                qWarning("conversation %d (generation prompt %d):\n got      %s\n expected %s",
                         checked, generation, Json(rendered.text).dump().c_str(),
                         Json(expected).dump().c_str());
            QCOMPARE(rendered.text, expected);
            // Every assistant reply is reported, and the span holds its text.
            std::vector<std::string> replies;
            for (const ChatMessage &m : messages)
                if (m.role == "assistant")
                    replies.push_back(m.content);
            QCOMPARE(rendered.assistant.size(), replies.size());
            for (size_t i = 0; i < replies.size(); ++i) {
                const auto &span = rendered.assistant[i];
                QVERIFY(span.begin <= span.contentEnd && span.contentEnd <= span.end &&
                        span.end <= expected.size());
                const std::string content =
                    expected.substr(span.begin, span.contentEnd - span.begin);
                QVERIFY(content == replies[i] || content == strip(replies[i]));
                QVERIFY(span.end > span.contentEnd); // the end-of-turn marker
            }
            ++checked;
        }
        qInfo("%s: %d conversations identical to transformers",
              entry.at("name").get<std::string>().c_str(), checked);
    }

    void unrecognisedTemplateListsChoices()
    {
        try {
            ChatFormat::detect("{% for m in messages %}{{ m.content }}{% endfor %}");
            QFAIL("expected an error");
        } catch (const headroom::Error &e) {
            const std::string what = e.what();
            QVERIFY2(what.find("not recognised") != std::string::npos, e.what());
            for (const std::string &n : ChatFormat::names())
                QVERIFY2(what.find(n) != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(headroom::Error, ChatFormat::detect(""));
        QVERIFY_THROWS_EXCEPTION(
            headroom::Error,
            ChatFormat::detect(
                "{{ '<|start_header_id|>system<|end_header_id|>\\n\\nCutting Knowledge Date: "
                "December 2023' }}"));
        QVERIFY_THROWS_EXCEPTION(
            headroom::Error,
            ChatFormat::detect("{{ '<|im_start|>' }}{% if x %}<think>{% endif %}"));
        QVERIFY_THROWS_EXCEPTION(headroom::Error, ChatFormat::named("vicuna"));
        QCOMPARE(ChatFormat::named("zephyr", "<s>", "</s>").name(), std::string("zephyr"));
    }

    void forTokenizerUsesItsTemplate()
    {
        const auto folder = headroom::test::fixtureDir() / "tokenizers" / "llama2_cfg";
        if (!std::filesystem::exists(folder / "tokenizer_config.json"))
            QFAIL("missing fixture tokenizers/llama2_cfg");
        const auto tokenizer = headroom::tok::Tokenizer::fromFolder(folder);
        const ChatFormat detected = ChatFormat::forTokenizer(tokenizer);
        QCOMPARE(detected.name(), std::string("llama2"));
        QCOMPARE(detected.render({{"user", " hi "}}, true).text,
                 std::string("<s>[INST] hi [/INST]"));
        const ChatFormat chosen = ChatFormat::forTokenizer(tokenizer, std::string("zephyr"));
        QCOMPARE(chosen.render({{"user", "hi"}}, true).text,
                 std::string("<|user|>\nhi</s>\n<|assistant|>\n"));
    }

    void explicitFormatOverridesTemplate()
    {
        const ChatFormat f = ChatFormat::named("chatml");
        const auto r = f.render({{"user", "hi"}, {"assistant", "yo"}}, false);
        QCOMPARE(
            r.text,
            std::string("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyo<|im_end|>\n"));
        QCOMPARE(r.assistant.size(), size_t(1));
        QCOMPARE(r.text.substr(r.assistant[0].begin, r.assistant[0].end - r.assistant[0].begin),
                 std::string("yo<|im_end|>"));
    }

private:
    Json m_fixture;
};

QTEST_APPLESS_MAIN(TestTokenizerChat)
#include "tst_tokenizer_chat.moc"
