// headroom-cli against the reference stack: tokenize, score (incl. the logits
// dump), generate and inspect on a tiny model with a real tokenizer, and on
// the built-in default model. Exit code 0 and machine-readable --json output.
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "io/JsonFile.h"

#include <QtTest>

#include <nlohmann/json.hpp>
#include <sstream>

using namespace headroom;

namespace {

std::vector<nlohmann::json> jsonLines(const std::string &text)
{
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            lines.push_back(nlohmann::json::parse(line));
    return lines;
}

test::ProcessResult runOk(const std::vector<std::string> &args)
{
    auto result = test::runCli(args);
    if (result.exitCode != 0)
        qWarning("headroom-cli exited %d: %s", result.exitCode, result.err.c_str());
    return result;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    std::filesystem::path m_model = test::fixtureDir() / "models" / "llama_tokenizer";

private slots:
    void tokenizeMatchesTransformers()
    {
        auto score = io::readJsonFile(m_model / "score.json");
        auto result = runOk({"tokenize", m_model.string(), "--file",
                             (m_model / "score_input.txt").string(), "--json"});
        QCOMPARE(result.exitCode, 0);
        auto lines = jsonLines(result.out);
        QCOMPARE(lines.size(), score["lines"].size());
        for (size_t i = 0; i < lines.size(); ++i)
            QCOMPARE(lines[i]["ids"], score["lines"][i]["ids"]);
    }

    void tokenizeNeedsOnlyTokenizerFiles()
    {
        test::TempDir temp;
        for (const char *name : {"tokenizer.json", "tokenizer_config.json"})
            std::filesystem::copy_file(m_model / name, temp / name);
        auto score = io::readJsonFile(m_model / "score.json");
        auto result = runOk({"tokenize", temp.path().string(), "--text",
                             score["lines"][0]["text"].get<std::string>(), "--json"});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(jsonLines(result.out).at(0)["ids"], score["lines"][0]["ids"]);
    }

    void scoreMatchesTransformers()
    {
        auto expected = io::readJsonFile(m_model / "score.json");
        test::TempDir temp;
        const auto logitsFile = temp / "logits.safetensors";
        auto result =
            runOk({"score", m_model.string(), "--file", (m_model / "score_input.txt").string(),
                   "--json", "--logits-out", logitsFile.string()});
        QCOMPARE(result.exitCode, 0);
        auto report = nlohmann::json::parse(result.out);
        QCOMPARE(report["tokens"].get<int64_t>(), expected["total_predicted"].get<int64_t>());
        const double diff =
            std::abs(report["mean_nll"].get<double>() - expected["mean_nll"].get<double>());
        qInfo("mean NLL %.8f vs transformers %.8f", report["mean_nll"].get<double>(),
              expected["mean_nll"].get<double>());
        QVERIFY2(diff <= 1e-5, qPrintable(QString("mean NLL differs by %1").arg(diff)));

        // The dump holds the first line's ids and its fp32 logits, which reproduce its NLL.
        auto dump = test::readSafetensors(logitsFile);
        auto ids = dump.at("input_ids");
        auto logits = dump.at("logits");
        const auto &first = expected["lines"][0];
        QCOMPARE(ids.scalar_type(), at::kLong);
        QCOMPARE(logits.scalar_type(), at::kFloat);
        QCOMPARE(ids.numel(), first["n_tokens"].get<int64_t>());
        QCOMPARE(logits.dim(), 2);
        QCOMPARE(logits.size(0), ids.numel());
        auto nll = -at::log_softmax(logits.narrow(0, 0, ids.numel() - 1), -1)
                        .gather(1, ids.narrow(0, 1, ids.numel() - 1).unsqueeze(1))
                        .sum()
                        .item<double>();
        QVERIFY(std::abs(nll - first["nll_sum"].get<double>()) <= 1e-4);
    }

    void generateMatchesTransformersGreedy()
    {
        auto expected = io::readJsonFile(m_model / "generate.json");
        auto result = runOk({"generate", m_model.string(), "--prompt",
                             expected["prompt"].get<std::string>(), "--max-new-tokens",
                             std::to_string(expected["max_new_tokens"].get<int>()), "--json"});
        QCOMPARE(result.exitCode, 0);
        auto report = nlohmann::json::parse(result.out);
        QCOMPARE(report["prompt_ids"], expected["prompt_ids"]);
        QCOMPARE(report["ids"], expected["ids"]);
        QCOMPARE(report["text"].get<std::string>(), expected["text"].get<std::string>());

        // transformers' repetition_penalty gives the same greedy tokens.
        auto penalised =
            runOk({"generate", m_model.string(), "--prompt", expected["prompt"].get<std::string>(),
                   "--max-new-tokens", std::to_string(expected["max_new_tokens"].get<int>()),
                   "--repetition-penalty", "1.3", "--json"});
        QCOMPARE(nlohmann::json::parse(penalised.out)["ids"], expected["ids_repetition_penalty"]);
        QVERIFY(expected["ids_repetition_penalty"] != expected["ids"]); // the penalty mattered

        // Streaming (non-JSON) prints the same text.
        auto streamed =
            runOk({"generate", m_model.string(), "--prompt", expected["prompt"].get<std::string>(),
                   "--max-new-tokens", std::to_string(expected["max_new_tokens"].get<int>())});
        QCOMPARE(streamed.exitCode, 0);
        QCOMPARE(QString::fromStdString(streamed.out).trimmed(),
                 QString::fromStdString(expected["text"].get<std::string>()).trimmed());
    }

    void samplingIsSeeded()
    {
        auto run = [&](const std::string &seed) {
            return runOk({"generate", m_model.string(), "--prompt", "She writes",
                          "--max-new-tokens", "12", "--temperature", "0.8", "--top-p", "0.9",
                          "--seed", seed, "--json"})
                .out;
        };
        auto first = run("1");
        QCOMPARE(run("1"), first);
        QVERIFY(run("2") != first);
    }

    void inspectReportsShape()
    {
        auto result = runOk({"inspect", m_model.string(), "--json"});
        QCOMPARE(result.exitCode, 0);
        auto report = nlohmann::json::parse(result.out);
        auto config = io::readJsonFile(m_model / "config.json");
        QCOMPARE(report["model_type"].get<std::string>(), std::string("llama"));
        QCOMPARE(report["layers"], config["num_hidden_layers"]);
        QCOMPARE(report["hidden_size"], config["hidden_size"]);
        QCOMPARE(report["kv_heads"], config["num_key_value_heads"]);
        QCOMPARE(report["vocab_size"], config["vocab_size"]);
        // Parameter count equals the float count of the checkpoint (fp32: 4 bytes each).
        QCOMPARE(report["parameters"].get<int64_t>() * 4, report["weight_bytes"].get<int64_t>());
    }

    void defaultModel()
    {
        const char *model = std::getenv("HEADROOM_DEFAULT_MODEL");
        if (!model)
            QSKIP("HEADROOM_DEFAULT_MODEL is not set (scripts/test.sh sets it)");
        auto inspect = runOk({"inspect", model, "--json"});
        QCOMPARE(inspect.exitCode, 0);
        auto report = nlohmann::json::parse(inspect.out);
        QCOMPARE(report["format"].get<std::string>(), std::string("gguf"));
        QCOMPARE(report["layers"].get<int>(), 30);
        QCOMPARE(report["vocab_size"].get<int>(), 49152);

        auto info = io::readJsonFile(test::fixtureDir() / "default_model" / "model.json");
        auto tokens =
            runOk({"tokenize", model, "--text", info["text"].get<std::string>(), "--json"});
        QCOMPARE(tokens.exitCode, 0);
        QCOMPARE(jsonLines(tokens.out).at(0)["ids"], info["original_ids"]);

        auto demo = runOk({"demo", model, "--max-new-tokens", "12"});
        QCOMPARE(demo.exitCode, 0);
        QVERIFY2(demo.out.find("Paris") != std::string::npos, demo.out.c_str());
    }
};

QTEST_APPLESS_MAIN(TestCli)
#include "tst_cli.moc"
