// TrainConfig: defaults and round trips through JSON and files, and that every
// class of bad input (type, range, enum value, device syntax, unknown key,
// cross-field rule, JSON syntax) is reported with its field path and a reason,
// all at once. Does not train anything or touch a model.
#include "common/TestSupport.h"
#include "train/TrainConfig.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

using headroom::train::DeviceSpec;
using headroom::train::FieldError;
using headroom::train::TrainConfig;
using headroom::train::TrainConfigError;
using Json = nlohmann::json;
namespace train = headroom::train;

namespace {

// The two required keys plus `extra`.
Json withRequired(const Json &extra = Json::object())
{
    Json j = {{"model", "HuggingFaceTB/SmolLM2-135M"}, {"dataset", "data/demo.jsonl"}};
    for (const auto &[key, value] : extra.items())
        j[key] = value;
    return j;
}

// The errors parseTrainConfig reports for `j` (empty when it parses), and
// the whole message in `message`.
std::vector<FieldError> errorsOf(const Json &j, std::string *message = nullptr)
{
    try {
        train::parseTrainConfig(j, "run.json");
    } catch (const TrainConfigError &e) {
        if (message)
            *message = e.what();
        return e.errors();
    }
    return {};
}

// Empty when parsing `j` reports an error at `path` whose reason contains
// every one of `parts`; otherwise what was reported instead.
std::string checkError(const Json &j, const std::string &path,
                       std::initializer_list<std::string> parts)
{
    std::string message = "(no error)";
    const auto errors = errorsOf(j, &message);
    for (const auto &e : errors) {
        if (e.path != path)
            continue;
        bool all = true;
        for (const auto &part : parts)
            all = all && e.reason.find(part) != std::string::npos;
        if (all)
            return {};
    }
    std::string expected;
    for (const auto &part : parts)
        expected += " [" + part + "]";
    return "expected `" + path + "` with" + expected + ", got: " + message;
}

#define EXPECT_ERROR(json, path, ...)                                                              \
    do {                                                                                           \
        const std::string problem = checkError(json, path, {__VA_ARGS__});                         \
        QVERIFY2(problem.empty(), problem.c_str());                                                \
    } while (false)

TrainConfig exampleConfig()
{
    TrainConfig c;
    c.model = "models/tiny";
    c.dataset = "data/chat.jsonl";
    return c;
}

// Every setting away from its default, to prove each key makes the trip.
TrainConfig everythingChanged()
{
    TrainConfig c = exampleConfig();
    c.datasetFormat = train::DatasetFormat::Chat;
    c.validationSplit = 0.1;
    c.maxSeqLen = 512;
    c.packing = true;
    c.trainOnPrompt = true;
    c.longestFirst = false;
    c.microBatchSize = 4;
    c.gradAccumSteps = 2;
    c.maxSteps = 300;
    c.epochs.reset();
    c.learningRate = 1.5e-5;
    c.lrSchedule = train::LrSchedule::Linear;
    c.warmupSteps = 0;
    c.weightDecay = 0.01;
    c.maxGradNorm = 0;
    c.seed = std::numeric_limits<uint64_t>::max();
    c.optimizer = train::Optimizer::AdamW8bit;
    c.precision = train::Precision::Fp16;
    c.device = {DeviceSpec::Kind::Cuda, 1};
    c.quantization = train::Quantization::Nf4;
    c.doubleQuant = true;
    c.lora.r = 8;
    c.lora.alpha = 12.5;
    c.lora.dropout = 0;
    c.lora.targetModules = {"q_proj", "self_attn.v_proj"};
    c.lora.rslora = true;
    c.gradientCheckpointing = true;
    c.attention = train::Attention::Eager;
    c.evalEvery = 25;
    c.saveEvery = 0;
    c.outputDir = "runs/one";
    return c;
}

} // namespace

class TestTrainConfig : public QObject
{
    Q_OBJECT

private slots:
    void missingKeysTakeDefaults()
    {
        const TrainConfig c = train::parseTrainConfig(withRequired(), "run.json");
        TrainConfig expected;
        expected.model = "HuggingFaceTB/SmolLM2-135M";
        expected.dataset = "data/demo.jsonl";
        QVERIFY(c == expected);
        QCOMPARE(c.lora.r, int64_t(16));
        QCOMPARE(c.lora.alpha, 32.0);
        QCOMPARE(c.learningRate, 2e-4);
        QVERIFY(c.longestFirst);
        QVERIFY(c.lora.targetsAllLinear());
        QVERIFY(!c.maxSteps.has_value());
        QCOMPARE(c.epochs.value_or(0), 1.0);
        QVERIFY(train::validateTrainConfig(c).empty());
    }

    void defaultsRoundTrip()
    {
        const TrainConfig c = exampleConfig();
        const Json j = train::toJson(c);
        QVERIFY(train::parseTrainConfig(j, "saved.json") == c);
        // Every key present with its resolved value, so a saved run needs no defaults.
        QCOMPARE(j.size(), std::size_t(29));
        QCOMPARE(j.at("lora").size(), std::size_t(6));
        QCOMPARE(j.at("lora").at("target_modules"), Json("all-linear"));
        QVERIFY(j.at("max_steps").is_null());
        QCOMPARE(j.at("epochs"), Json(1.0));
        QCOMPARE(j.at("device"), Json("auto"));
        QCOMPARE(j.at("precision"), Json("bf16"));
        QCOMPARE(j.at("dataset_format"), Json("auto"));
        QCOMPARE(j.at("longest_first"), Json(true));
    }

    void everySettingRoundTrips()
    {
        const TrainConfig c = everythingChanged();
        QVERIFY(train::validateTrainConfig(c).empty());
        const Json j = train::toJson(c);
        QVERIFY2(train::parseTrainConfig(j, "saved.json") == c, j.dump(2).c_str());
        QVERIFY(j.at("epochs").is_null());
        QCOMPARE(j.at("max_steps"), Json(300));
        QCOMPARE(j.at("device"), Json("cuda:1"));
        QCOMPARE(j.at("optimizer"), Json("adamw8bit"));
        QCOMPARE(j.at("lora").at("target_modules"), Json({"q_proj", "self_attn.v_proj"}));
        // Through text as well: doubles and the full uint64 seed survive dump/parse.
        QVERIFY(train::parseTrainConfig(Json::parse(j.dump()), "saved.json") == c);
    }

    void enumNames()
    {
        QCOMPARE(train::toString(train::DatasetFormat::Completion), std::string_view("completion"));
        QCOMPARE(train::toString(train::LrSchedule::Constant), std::string_view("constant"));
        QCOMPARE(train::toString(train::Quantization::Int8), std::string_view("int8"));
        QCOMPARE(train::toString(train::Attention::Sdpa), std::string_view("sdpa"));
        const TrainConfig c =
            train::parseTrainConfig(withRequired({{"dataset_format", "completion"},
                                                  {"lr_schedule", "constant"},
                                                  {"precision", "fp32"},
                                                  {"quantization", "int8"},
                                                  {"attention", "eager"},
                                                  {"optimizer", "adamw"}}),
                                    "run.json");
        QVERIFY(c.datasetFormat == train::DatasetFormat::Completion);
        QVERIFY(c.lrSchedule == train::LrSchedule::Constant);
        QVERIFY(c.precision == train::Precision::Fp32);
        QVERIFY(c.quantization == train::Quantization::Int8);
        QVERIFY(c.attention == train::Attention::Eager);
    }

    void lengthByStepsOrEpochs()
    {
        TrainConfig c = train::parseTrainConfig(withRequired({{"max_steps", 50}}), "run.json");
        QCOMPARE(c.maxSteps.value_or(0), int64_t(50));
        QVERIFY(!c.epochs.has_value());
        c = train::parseTrainConfig(withRequired({{"epochs", 2.5}}), "run.json");
        QVERIFY(!c.maxSteps.has_value());
        QCOMPARE(c.epochs.value_or(0), 2.5);
        // null is "not this one", as toJson writes it.
        c = train::parseTrainConfig(withRequired({{"max_steps", 7}, {"epochs", nullptr}}), "r");
        QCOMPARE(c.maxSteps.value_or(0), int64_t(7));
        QVERIFY(!c.epochs.has_value());
        c = train::parseTrainConfig(withRequired({{"max_steps", nullptr}}), "r");
        QCOMPARE(c.epochs.value_or(0), 1.0);
        // Integral floats are integers (1e3 steps).
        c = train::parseTrainConfig(withRequired({{"max_steps", 1e3}}), "r");
        QCOMPARE(c.maxSteps.value_or(0), int64_t(1000));
    }

    void requiredKeys()
    {
        std::string message;
        const auto errors = errorsOf(Json::object(), &message);
        QCOMPARE(errors.size(), std::size_t(2));
        EXPECT_ERROR(Json::object(), "model", "is required");
        EXPECT_ERROR(Json::object(), "dataset", "is required");
        EXPECT_ERROR(withRequired({{"model", ""}}), "model", "is required");
        EXPECT_ERROR(withRequired({{"output_dir", ""}}), "output_dir", "must not be empty");
    }

    void typeErrors()
    {
        std::string message;
        errorsOf(withRequired({{"lora", {{"r", "8"}}}}), &message);
        QCOMPARE(message,
                 std::string("run.json: `lora.r`: must be a positive integer, found \"8\""));
        EXPECT_ERROR(withRequired({{"model", 3}}), "model", "must be a string, found 3");
        EXPECT_ERROR(withRequired({{"packing", "yes"}}), "packing",
                     "must be true or false, found \"yes\"");
        EXPECT_ERROR(withRequired({{"learning_rate", "fast"}}), "learning_rate",
                     "must be a positive finite number, found \"fast\"");
        EXPECT_ERROR(withRequired({{"max_seq_len", 1.5}}), "max_seq_len", "an integer", "1.5");
        EXPECT_ERROR(withRequired({{"micro_batch_size", nullptr}}), "micro_batch_size",
                     "found null");
        EXPECT_ERROR(withRequired({{"grad_accum_steps", 18446744073709551615ull}}),
                     "grad_accum_steps", "an integer from 1 to 1048576", "18446744073709551615");
        EXPECT_ERROR(withRequired({{"grad_accum_steps", 2097152}}), "grad_accum_steps",
                     "an integer from 1 to 1048576", "2097152");
        EXPECT_ERROR(withRequired({{"max_steps", "100"}}), "max_steps",
                     "a positive integer or null", "\"100\"");
        EXPECT_ERROR(withRequired({{"epochs", true}}), "epochs", "a positive number or null");
        EXPECT_ERROR(withRequired({{"seed", -1}}), "seed", "an integer >= 0, found -1");
        EXPECT_ERROR(withRequired({{"lora", true}}), "lora", "must be an object");
        EXPECT_ERROR(withRequired({{"lora", {{"enabled", 1}}}}), "lora.enabled",
                     "must be true or false, found 1");
        // A type error is reported once, not again as a cross-field problem.
        QCOMPARE(errorsOf(withRequired({{"epochs", "two"}})).size(), std::size_t(1));
        QCOMPARE(errorsOf(withRequired({{"max_steps", "x"}, {"epochs", 2}})).size(),
                 std::size_t(1));
    }

    void rangeErrors()
    {
        struct Case
        {
            const char *path;
            Json value;
            const char *expected;
        };
        const Case cases[] = {
            {"learning_rate", 0, "must be a positive finite number, found 0"},
            {"learning_rate", -1e-4, "must be a positive finite number, found -0.0001"},
            {"validation_split", 1, "must be a number in [0, 1), found 1"},
            {"validation_split", -0.1, "must be a number in [0, 1), found -0.1"},
            {"max_seq_len", 1, "found 1"},
            {"micro_batch_size", 0, "from 1 to 65536, found 0"},
            {"micro_batch_size", 100000, "from 1 to 65536, found 100000"},
            // Issue 8's absurd sizes: refused by range, never multiplied.
            {"max_seq_len", 1'000'000'000'000ll,
             "an integer from 2 to 1048576, found 1000000000000"},
            {"micro_batch_size", 1'000'000'000, "from 1 to 65536, found 1000000000"},
            {"grad_accum_steps", 0, "must be an integer from 1 to 1048576, found 0"},
            {"max_steps", 0, "must be a positive integer or null, found 0"},
            {"epochs", 0, "must be a positive number or null, found 0"},
            {"warmup_steps", -1, "must be an integer >= 0, found -1"},
            {"weight_decay", -0.1, "must be a finite number >= 0, found -0.1"},
            {"max_grad_norm", -1, "must be a finite number >= 0 (0 = no clipping), found -1"},
            {"eval_every", -5, "must be an integer >= 0"},
            {"save_every", -1, "must be an integer >= 0"},
        };
        for (const auto &c : cases)
            EXPECT_ERROR(withRequired({{c.path, c.value}}), c.path, c.expected);
        EXPECT_ERROR(withRequired({{"lora", {{"dropout", 1.0}}}}), "lora.dropout",
                     "must be a number in [0, 1), found 1.0");
        EXPECT_ERROR(withRequired({{"lora", {{"alpha", 0}}}}), "lora.alpha",
                     "must be a positive finite number");
        EXPECT_ERROR(withRequired({{"lora", {{"r", 0}}}}), "lora.r", "must be a positive integer");
        // The boundaries that are allowed.
        const Json edges = withRequired({{"validation_split", 0.999},
                                         {"max_seq_len", 2},
                                         {"warmup_steps", 0},
                                         {"weight_decay", 0},
                                         {"max_grad_norm", 0},
                                         {"save_every", 0},
                                         {"lora", {{"dropout", 0}}}});
        QVERIFY(errorsOf(edges).empty());
    }

    void nonFiniteNumbersFromTheGui()
    {
        // JSON cannot carry NaN, but the GUI edits the struct directly.
        TrainConfig c = exampleConfig();
        c.learningRate = std::nan("");
        c.maxGradNorm = std::numeric_limits<double>::infinity();
        const auto errors = train::validateTrainConfig(c);
        QCOMPARE(errors.size(), std::size_t(2));
        QCOMPARE(errors[0].path, std::string("learning_rate"));
        QVERIFY(errors[0].reason.find("found nan") != std::string::npos);
        QCOMPARE(errors[1].path, std::string("max_grad_norm"));
        QVERIFY(errors[1].reason.find("found inf") != std::string::npos);
    }

    void enumErrors()
    {
        EXPECT_ERROR(withRequired({{"lr_schedule", "cosin"}}), "lr_schedule",
                     "must be one of cosine, linear, constant, found \"cosin\"",
                     "did you mean `cosine`?");
        EXPECT_ERROR(withRequired({{"precision", "float16"}}), "precision",
                     "must be one of bf16, fp16, fp32, found \"float16\"");
        EXPECT_ERROR(withRequired({{"quantization", "NF4"}}), "quantization",
                     "one of none, int8, nf4", "did you mean `nf4`?");
        EXPECT_ERROR(withRequired({{"dataset_format", "sharegpt"}}), "dataset_format",
                     "one of auto, alpaca, chat, text, completion");
        EXPECT_ERROR(withRequired({{"optimizer", 8}}), "optimizer",
                     "one of adamw, adamw8bit, found 8");
        EXPECT_ERROR(withRequired({{"attention", "flash"}}), "attention", "one of sdpa, eager");
    }

    void deviceSyntax_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected"); // empty when invalid
        QTest::newRow("auto") << "auto"
                              << "auto";
        QTest::newRow("cpu") << "cpu"
                             << "cpu";
        QTest::newRow("cuda") << "cuda"
                              << "cuda:0";
        QTest::newRow("cuda:0") << "cuda:0"
                                << "cuda:0";
        QTest::newRow("cuda:12") << "cuda:12"
                                 << "cuda:12";
        QTest::newRow("gpu") << "gpu"
                             << "";
        QTest::newRow("cuda:") << "cuda:"
                               << "";
        QTest::newRow("cuda:-1") << "cuda:-1"
                                 << "";
        QTest::newRow("cuda:x") << "cuda:x"
                                << "";
        QTest::newRow("CUDA:0") << "CUDA:0"
                                << "";
        QTest::newRow("trailing space") << "cuda:0 "
                                        << "";
        QTest::newRow("huge index") << "cuda:99999999999"
                                    << "";
        QTest::newRow("empty") << ""
                               << "";
    }

    void deviceSyntax()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const std::string input = text.toStdString();
        const auto spec = train::parseDeviceSpec(input);
        QCOMPARE(spec.has_value(), !expected.isEmpty());
        if (spec) {
            QCOMPARE(QString::fromStdString(spec->toString()), expected);
            const TrainConfig c =
                train::parseTrainConfig(withRequired({{"device", input}}), "run.json");
            QVERIFY(c.device == *spec);
        } else {
            EXPECT_ERROR(withRequired({{"device", input}}), "device",
                         "must be auto, cpu, cuda or cuda:N");
        }
    }

    void unknownKeys()
    {
        EXPECT_ERROR(withRequired({{"learnig_rate", 1e-4}}), "learnig_rate", "unknown key",
                     "did you mean `learning_rate`?");
        EXPECT_ERROR(withRequired({{"Learning_Rate", 1e-4}}), "Learning_Rate",
                     "did you mean `learning_rate`?");
        EXPECT_ERROR(withRequired({{"epoch", 2}}), "epoch", "did you mean `epochs`?");
        EXPECT_ERROR(withRequired({{"lora", {{"dropot", 0.1}}}}), "lora.dropot",
                     "did you mean `lora.dropout`?");
        // Names other tools use, and keys written at the wrong level.
        EXPECT_ERROR(withRequired({{"lr", 1e-4}}), "lr", "did you mean `learning_rate`?");
        EXPECT_ERROR(withRequired({{"gradient_accumulation_steps", 4}}),
                     "gradient_accumulation_steps", "did you mean `grad_accum_steps`?");
        EXPECT_ERROR(withRequired({{"lora_r", 8}}), "lora_r", "did you mean `lora.r`?");
        EXPECT_ERROR(withRequired({{"rslora", true}}), "rslora", "did you mean `lora.rslora`?");
        EXPECT_ERROR(withRequired({{"lora", {{"learning_rate", 1e-4}}}}), "lora.learning_rate",
                     "did you mean `learning_rate`?");
        // Nothing close: the known keys are listed instead.
        EXPECT_ERROR(withRequired({{"colour", "blue"}}), "colour", "unknown key",
                     "known keys: model, dataset");
        EXPECT_ERROR(withRequired({{"lora", {{"bias", "none"}}}}), "lora.bias",
                     "known keys of `lora`: enabled, r, alpha");
        // An unknown key never passes, even when everything else is fine.
        QCOMPARE(errorsOf(withRequired({{"pakcing", true}})).size(), std::size_t(1));
    }

    void targetModules()
    {
        TrainConfig c = train::parseTrainConfig(
            withRequired({{"lora", {{"target_modules", {"q_proj", "v_proj"}}}}}), "run.json");
        QCOMPARE(c.lora.targetModules, (std::vector<std::string>{"q_proj", "v_proj"}));
        c = train::parseTrainConfig(withRequired({{"lora", {{"target_modules", "all-linear"}}}}),
                                    "run.json");
        QVERIFY(c.lora.targetsAllLinear());
        EXPECT_ERROR(withRequired({{"lora", {{"target_modules", Json::array()}}}}),
                     "lora.target_modules", "\"all-linear\" or a non-empty list");
        EXPECT_ERROR(withRequired({{"lora", {{"target_modules", "q_proj"}}}}),
                     "lora.target_modules", "found \"q_proj\"");
        EXPECT_ERROR(withRequired({{"lora", {{"target_modules", {"q_proj", 3}}}}}),
                     "lora.target_modules", "list of module names");
        EXPECT_ERROR(withRequired({{"lora", {{"target_modules", {"q_proj", "all-linear"}}}}}),
                     "lora.target_modules[1]", "as the whole value");
        EXPECT_ERROR(withRequired({{"lora", {{"target_modules", {"q proj"}}}}}),
                     "lora.target_modules[0]", "must be a module name");
        EXPECT_ERROR(withRequired({{"lora", {{"target_modules", {"v_proj", "v_proj"}}}}}),
                     "lora.target_modules[1]", "listed twice");
    }

    void crossFieldRules()
    {
        EXPECT_ERROR(withRequired({{"max_steps", 100}, {"epochs", 3}}), "max_steps",
                     "cannot be set together with `epochs`");
        EXPECT_ERROR(withRequired({{"double_quant", true}}), "double_quant", "applies only to nf4",
                     "`quantization` is none");
        EXPECT_ERROR(withRequired({{"double_quant", true}, {"quantization", "int8"}}),
                     "double_quant", "`quantization` is int8");
        EXPECT_ERROR(withRequired({{"quantization", "nf4"}, {"lora", {{"enabled", false}}}}),
                     "lora.enabled", "quantized base cannot be fully fine-tuned");
        EXPECT_ERROR(withRequired({{"eval_every", 10}}), "eval_every", "needs a validation split");
        // The allowed combinations.
        QVERIFY(errorsOf(withRequired({{"double_quant", true}, {"quantization", "nf4"}})).empty());
        QVERIFY(errorsOf(withRequired({{"lora", {{"enabled", false}}}})).empty());
        QVERIFY(errorsOf(withRequired({{"optimizer", "adamw8bit"},
                                       {"quantization", "int8"},
                                       {"eval_every", 10},
                                       {"validation_split", 0.05}}))
                    .empty());
        // A struct with neither length (only code can build one).
        TrainConfig c = exampleConfig();
        c.epochs.reset();
        QCOMPARE(train::validateTrainConfig(c).size(), std::size_t(1));
    }

    void severalErrorsReportedTogether()
    {
        const Json bad = {
            {"dataset", "d.jsonl"}, {"learning_rate", -1}, {"lora", {{"r", "8"}, {"dropout", 1.5}}},
            {"device", "gpu0"},     {"warmup_step", 5},    {"quantization", "nf4"},
            {"double_quant", "yes"}};
        std::string message;
        const auto errors = errorsOf(bad, &message);
        QVERIFY2(errors.size() == 7, message.c_str());
        // In file order, unknown keys last.
        const std::vector<std::string> paths = {"model",        "learning_rate", "device",
                                                "double_quant", "lora.r",        "lora.dropout",
                                                "warmup_step"};
        for (std::size_t i = 0; i < paths.size(); ++i)
            QCOMPARE(errors[i].path, paths[i]);
        QVERIFY2(message.starts_with("run.json: 7 problems\n  `model`: is required"),
                 message.c_str());
        QVERIFY(message.find("\n  `warmup_step`: unknown key; did you mean `warmup_steps`?") !=
                std::string::npos);
    }

    void notAnObject()
    {
        std::string message;
        errorsOf(Json::array({1, 2}), &message);
        QVERIFY2(message.find("run.json: expected a JSON object") == 0, message.c_str());
    }

    void atomicWriteThenReadBack()
    {
        headroom::test::TempDir dir;
        const auto file = dir / "run.json";
        const TrainConfig c = everythingChanged();
        train::writeTrainConfig(c, file);
        QVERIFY(train::readTrainConfig(file) == c);
        // The file lists keys in the struct's order, for people reading it.
        const std::string text = headroom::test::readText(file);
        QVERIFY(text.find("\"model\"") < text.find("\"dataset\""));
        QVERIFY(text.find("\"dataset\"") < text.find("\"output_dir\""));
        QVERIFY(text.ends_with("}\n"));

        // Overwrite; nothing but the target is left in the folder.
        TrainConfig second = exampleConfig();
        second.seed = 7;
        train::writeTrainConfig(second, file);
        QVERIFY(train::readTrainConfig(file) == second);
        std::size_t entries = 0;
        for ([[maybe_unused]] const auto &entry : std::filesystem::directory_iterator(dir.path()))
            ++entries;
        QCOMPARE(entries, std::size_t(1));

        // An invalid config is refused and the old file stays as it was.
        const std::string before = headroom::test::readText(file);
        TrainConfig invalid = second;
        invalid.lora.r = 0;
        bool threw = false;
        try {
            train::writeTrainConfig(invalid, file);
        } catch (const TrainConfigError &e) {
            threw = true;
            QVERIFY2(std::string(e.what()).find("`lora.r`") != std::string::npos, e.what());
        }
        QVERIFY(threw);
        QCOMPARE(headroom::test::readText(file), before);
    }

    void fileWithJsonSyntaxError()
    {
        headroom::test::TempDir dir;
        const auto file = dir / "broken-run.json";
        // Line 3 ends without a comma; the parser stops on line 4.
        headroom::test::writeBytes(file, "{\n  \"model\": \"m\",\n  \"dataset\": \"d\"\n  "
                                         "\"seed\": 1\n}\n");
        try {
            train::readTrainConfig(file);
            QFAIL("a broken file was accepted");
        } catch (const headroom::Error &e) {
            const std::string message = e.what();
            QVERIFY2(message.find("broken-run.json") != std::string::npos, e.what());
            QVERIFY2(QString::fromStdString(message).contains(
                         QRegularExpression("invalid JSON at line 4 column [0-9]+: ")),
                     e.what());
        }
    }

    void fileWithDuplicateKeyOrMissing()
    {
        headroom::test::TempDir dir;
        const auto file = dir / "dup.json";
        headroom::test::writeBytes(
            file, R"({"model": "m", "dataset": "d", "learning_rate": 1e-4, "learning_rate": 2})");
        QVERIFY_THROWS_EXCEPTION(headroom::Error, train::readTrainConfig(file));
        try {
            train::readTrainConfig(file);
        } catch (const headroom::Error &e) {
            QVERIFY2(std::string(e.what()).find("duplicate key `learning_rate`") !=
                         std::string::npos,
                     e.what());
        }
        try {
            train::readTrainConfig(dir / "absent.json");
            QFAIL("a missing file was accepted");
        } catch (const headroom::Error &e) {
            QVERIFY2(std::string(e.what()).find("absent.json: cannot read") != std::string::npos,
                     e.what());
        }
    }

    void fieldErrorsFromAFileNameTheFile()
    {
        headroom::test::TempDir dir;
        const auto file = dir / "typo.json";
        headroom::test::writeBytes(file, withRequired({{"lora", {{"alhpa", 16}}}}).dump());
        try {
            train::readTrainConfig(file);
            QFAIL("a typo passed");
        } catch (const TrainConfigError &e) {
            const std::string message = e.what();
            QVERIFY2(message.find("typo.json: `lora.alhpa`: unknown key; did you mean "
                                  "`lora.alpha`?") != std::string::npos,
                     e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestTrainConfig)
#include "tst_train_config.moc"
