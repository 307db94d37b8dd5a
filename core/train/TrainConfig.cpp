// JSON <-> TrainConfig and its validation. Parsing checks types and unknown
// keys; validateTrainConfig checks ranges and cross-field rules on the struct,
// so the GUI gets the same rules as a file. Every problem is collected before
// anything is thrown, so a person fixes a config in one pass. Does not look at
// the model, the dataset or the machine.
#include "train/TrainConfig.h"

#include "common/AtomicFile.h"
#include "io/JsonFile.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <utility>

namespace headroom::train {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------- enums

template <typename E> struct Named
{
    E value;
    std::string_view name;
};

constexpr Named<DatasetFormat> kDatasetFormats[] = {{DatasetFormat::Auto, "auto"},
                                                    {DatasetFormat::Alpaca, "alpaca"},
                                                    {DatasetFormat::Chat, "chat"},
                                                    {DatasetFormat::Text, "text"},
                                                    {DatasetFormat::Completion, "completion"}};
constexpr Named<LrSchedule> kLrSchedules[] = {{LrSchedule::Cosine, "cosine"},
                                              {LrSchedule::Linear, "linear"},
                                              {LrSchedule::Constant, "constant"}};
constexpr Named<Precision> kPrecisions[] = {
    {Precision::Bf16, "bf16"}, {Precision::Fp16, "fp16"}, {Precision::Fp32, "fp32"}};
constexpr Named<Quantization> kQuantizations[] = {
    {Quantization::None, "none"}, {Quantization::Int8, "int8"}, {Quantization::Nf4, "nf4"}};
constexpr Named<Optimizer> kOptimizers[] = {{Optimizer::AdamW, "adamw"},
                                            {Optimizer::AdamW8bit, "adamw8bit"}};
constexpr Named<Attention> kAttentions[] = {{Attention::Sdpa, "sdpa"}, {Attention::Eager, "eager"}};

template <typename E> std::string_view nameOf(std::span<const Named<E>> table, E value)
{
    for (const auto &entry : table)
        if (entry.value == value)
            return entry.name;
    return "?";
}

template <typename E> std::string allowedNames(std::span<const Named<E>> table)
{
    std::string names;
    for (const auto &entry : table)
        names += (names.empty() ? "" : ", ") + std::string(entry.name);
    return names;
}

// ---------------------------------------------------------------- keys

// Every key in file order; kLoraKeys are those inside `lora`.
constexpr std::string_view kTopKeys[] = {"model",
                                         "dataset",
                                         "dataset_format",
                                         "validation_split",
                                         "max_seq_len",
                                         "packing",
                                         "train_on_prompt",
                                         "longest_first",
                                         "micro_batch_size",
                                         "grad_accum_steps",
                                         "max_steps",
                                         "epochs",
                                         "learning_rate",
                                         "lr_schedule",
                                         "warmup_steps",
                                         "weight_decay",
                                         "max_grad_norm",
                                         "seed",
                                         "optimizer",
                                         "precision",
                                         "device",
                                         "quantization",
                                         "double_quant",
                                         "lora",
                                         "gradient_checkpointing",
                                         "attention",
                                         "eval_every",
                                         "save_every",
                                         "output_dir"};
constexpr std::string_view kLoraKeys[] = {"enabled",        "r",     "alpha", "dropout",
                                          "target_modules", "rslora"};

// Names other tools (transformers, PEFT, axolotl, bitsandbytes) use for our
// keys; too far from ours for the edit distance to find.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"lr", "learning_rate"},
    {"batch_size", "micro_batch_size"},
    {"per_device_train_batch_size", "micro_batch_size"},
    {"gradient_accumulation_steps", "grad_accum_steps"},
    {"num_train_epochs", "epochs"},
    {"num_epochs", "epochs"},
    {"max_seq_length", "max_seq_len"},
    {"sequence_len", "max_seq_len"},
    {"max_length", "max_seq_len"},
    {"cutoff_len", "max_seq_len"},
    {"lr_scheduler_type", "lr_schedule"},
    {"lr_scheduler", "lr_schedule"},
    {"warmup", "warmup_steps"},
    {"val_set_size", "validation_split"},
    {"val_size", "validation_split"},
    {"train_on_inputs", "train_on_prompt"},
    {"base_model", "model"},
    {"model_name_or_path", "model"},
    {"optim", "optimizer"},
    {"dtype", "precision"},
    {"load_in_4bit", "quantization"},
    {"load_in_8bit", "quantization"},
    {"bnb_4bit_use_double_quant", "double_quant"},
    {"attn_implementation", "attention"},
    {"eval_steps", "eval_every"},
    {"save_steps", "save_every"},
    {"lora_r", "lora.r"},
    {"rank", "lora.r"},
    {"lora_alpha", "lora.alpha"},
    {"lora_dropout", "lora.dropout"},
    {"lora_target_modules", "lora.target_modules"},
    {"use_rslora", "lora.rslora"},
};

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Optimal string alignment distance: insertions, deletions, substitutions and
// swaps of neighbours each cost 1 ("learnign" is one edit from "learning").
std::size_t editDistance(std::string_view a, std::string_view b)
{
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

// The closest of `candidates` within 2 edits (1 for words of up to 3
// letters, where 2 edits would match almost anything), case ignored.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string> &candidates)
{
    const std::string key = lower(word);
    const std::size_t limit = key.size() <= 3 ? 1 : 2;
    std::optional<std::string> best;
    std::size_t bestDistance = limit + 1;
    for (const auto &candidate : candidates) {
        const std::size_t distance = editDistance(key, lower(candidate));
        if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
        }
    }
    return best;
}

// What `unknown` (found at `prefix`, "" or "lora.") most likely meant, as a
// full path: a known alias, else the closest key within the edit limit, of
// the same level or of the other one (a LoRA key written at the top, or the
// reverse); the same level wins a tie.
std::optional<std::string> suggestKey(std::string_view unknown, const std::string &prefix)
{
    const std::string bare = lower(unknown);
    for (const auto &[alias, path] : kAliases)
        if (bare == alias)
            return std::string(path);
    std::vector<std::string> bareNames, paths;
    auto add = [&](std::string_view key, const std::string &keyPrefix) {
        bareNames.emplace_back(key);
        paths.push_back(keyPrefix + std::string(key));
    };
    for (int level = 0; level < 2; ++level) {
        const bool top = (level == 0) == prefix.empty();
        if (top)
            for (auto key : kTopKeys)
                add(key, "");
        else
            for (auto key : kLoraKeys)
                add(key, "lora.");
    }
    auto hit = closest(unknown, bareNames);
    if (!hit)
        return std::nullopt;
    return paths[std::find(bareNames.begin(), bareNames.end(), *hit) - bareNames.begin()];
}

// ---------------------------------------------------------------- rules

// An integer field's allowed range and how messages describe it.
struct IntRule
{
    std::string_view path;
    int64_t min;
    int64_t max;
    std::string_view what;
};

// A real field's range, each end open or closed; NaN and infinities never pass.
struct RealRule
{
    std::string_view path;
    double min;
    bool minIncluded;
    double max;
    bool maxIncluded;
    std::string_view what;
};

constexpr int64_t kIntMax = std::numeric_limits<int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The upper limits on sequence length and batch keep the memory arithmetic of
// the estimator (batch × seq × vocab × bytes) far inside 64 bits.
constexpr IntRule kMaxSeqLen{"max_seq_len", 2, 1 << 20, "an integer from 2 to 1048576"};
constexpr IntRule kMicroBatch{"micro_batch_size", 1, 1 << 16, "an integer from 1 to 65536"};
// A million micro-batches per optimizer step is far past any recipe, and keeps
// step counts times accumulation (data positions, process shares) in 64 bits.
constexpr IntRule kGradAccum{"grad_accum_steps", 1, 1 << 20, "an integer from 1 to 1048576"};
constexpr IntRule kMaxSteps{"max_steps", 1, kIntMax, "a positive integer or null"};
constexpr IntRule kWarmup{"warmup_steps", 0, kIntMax, "an integer >= 0"};
constexpr IntRule kEvalEvery{"eval_every", 0, kIntMax, "an integer >= 0 (0 = only at the end)"};
constexpr IntRule kSaveEvery{"save_every", 0, kIntMax,
                             "an integer >= 0 (0 = only on stop and at the end)"};
// r is bounded by the adapted module's shape, which the LoRA code checks.
constexpr IntRule kLoraR{"lora.r", 1, kIntMax, "a positive integer"};

constexpr RealRule kValidationSplit{"validation_split", 0, true, 1, false, "a number in [0, 1)"};
constexpr RealRule kEpochs{"epochs", 0, false, kInf, false, "a positive number or null"};
constexpr RealRule kLearningRate{"learning_rate",           0, false, kInf, false,
                                 "a positive finite number"};
constexpr RealRule kWeightDecay{"weight_decay", 0, true, kInf, false, "a finite number >= 0"};
constexpr RealRule kMaxGradNorm{
    "max_grad_norm", 0, true, kInf, false, "a finite number >= 0 (0 = no clipping)"};
constexpr RealRule kLoraAlpha{"lora.alpha", 0, false, kInf, false, "a positive finite number"};
constexpr RealRule kLoraDropout{"lora.dropout", 0, true, 1, false, "a number in [0, 1)"};

bool inRange(const IntRule &rule, int64_t value)
{
    return value >= rule.min && value <= rule.max;
}

bool inRange(const RealRule &rule, double value)
{
    if (!std::isfinite(value))
        return false;
    const bool aboveMin = rule.minIncluded ? value >= rule.min : value > rule.min;
    const bool belowMax = rule.maxIncluded ? value <= rule.max : value < rule.max;
    return aboveMin && belowMax;
}

std::string formatReal(double value)
{
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value > 0 ? "inf" : "-inf";
    return json(value).dump();
}

// A JSON value as it appears in messages, cut short when long.
std::string shown(const json &value)
{
    std::string text = value.dump();
    if (text.size() > 60)
        text = text.substr(0, 57) + "...";
    return text;
}

std::string mustBe(std::string_view what, const std::string &found)
{
    return "must be " + std::string(what) + ", found " + found;
}

// Integral JSON numbers, including integral floats such as 1e3; nullopt for
// anything else or outside int64.
std::optional<int64_t> asInt(const json &value)
{
    if (value.is_number_unsigned()) {
        const auto u = value.get<uint64_t>();
        if (u > static_cast<uint64_t>(kIntMax))
            return std::nullopt;
        return static_cast<int64_t>(u);
    }
    if (value.is_number_integer())
        return value.get<int64_t>();
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::isfinite(d) && d == std::trunc(d) && std::abs(d) <= 9007199254740992.0) // 2^53
            return static_cast<int64_t>(d);
    }
    return std::nullopt;
}

bool validModuleName(std::string_view name)
{
    return !name.empty() && name.front() != '.' && name.back() != '.' &&
           std::all_of(name.begin(), name.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '.'; });
}

// ---------------------------------------------------------------- reading

// Reads the keys of one JSON object into struct fields, recording type
// errors; a field with a wrong type keeps its default.
class ObjectReader
{
public:
    ObjectReader(const json &object, std::string prefix, std::vector<FieldError> &errors)
        : m_object(object), m_prefix(std::move(prefix)), m_errors(errors)
    {}

    void fail(std::string_view key, std::string reason)
    {
        m_errors.push_back({m_prefix + std::string(key), std::move(reason)});
    }

    // The value of `key`, or nullptr when absent (null counts as present).
    const json *find(std::string_view key) const
    {
        auto it = m_object.find(std::string(key));
        return it == m_object.end() ? nullptr : &*it;
    }

    void string(std::string_view key, std::string &out)
    {
        if (const json *value = find(key)) {
            if (value->is_string())
                out = value->get<std::string>();
            else
                fail(key, mustBe("a string", shown(*value)));
        }
    }

    void boolean(std::string_view key, bool &out)
    {
        if (const json *value = find(key)) {
            if (value->is_boolean())
                out = value->get<bool>();
            else
                fail(key, mustBe("true or false", shown(*value)));
        }
    }

    // Type only; the range is checked by validateTrainConfig on the struct.
    void integer(std::string_view key, const IntRule &rule, int64_t &out)
    {
        if (const json *value = find(key)) {
            if (auto number = asInt(*value))
                out = *number;
            else
                fail(key, mustBe(rule.what, shown(*value)));
        }
    }

    void real(std::string_view key, const RealRule &rule, double &out)
    {
        if (const json *value = find(key)) {
            if (value->is_number())
                out = value->get<double>();
            else
                fail(key, mustBe(rule.what, shown(*value)));
        }
    }

    template <typename E>
    void enumeration(std::string_view key, std::span<const Named<E>> table, E &out)
    {
        const json *value = find(key);
        if (!value)
            return;
        if (value->is_string()) {
            const auto text = value->get<std::string>();
            for (const auto &entry : table) {
                if (entry.name == text) {
                    out = entry.value;
                    return;
                }
            }
        }
        std::string reason = mustBe("one of " + allowedNames(table), shown(*value));
        if (value->is_string()) {
            std::vector<std::string> names;
            for (const auto &entry : table)
                names.emplace_back(entry.name);
            if (auto hit = closest(value->get<std::string>(), names))
                reason += "; did you mean `" + *hit + "`?";
        }
        fail(key, reason);
    }

    // Keys not in `known`, each reported with a suggestion when one is close.
    void rejectUnknown(std::span<const std::string_view> known)
    {
        for (const auto &[key, value] : m_object.items()) {
            if (std::find(known.begin(), known.end(), key) != known.end())
                continue;
            std::string reason = "unknown key";
            if (auto hit = suggestKey(key, m_prefix)) {
                reason += "; did you mean `" + *hit + "`?";
            } else {
                reason += " (known keys";
                if (!m_prefix.empty())
                    reason += " of `" + m_prefix.substr(0, m_prefix.size() - 1) + "`";
                reason += ": ";
                for (std::size_t i = 0; i < known.size(); ++i)
                    reason += (i ? ", " : "") + std::string(known[i]);
                reason += ")";
            }
            fail(key, reason);
        }
    }

private:
    const json &m_object;
    std::string m_prefix;
    std::vector<FieldError> &m_errors;
};

void readLora(const json &object, LoraConfig &lora, std::vector<FieldError> &errors)
{
    ObjectReader reader(object, "lora.", errors);
    reader.boolean("enabled", lora.enabled);
    reader.integer("r", kLoraR, lora.r);
    reader.real("alpha", kLoraAlpha, lora.alpha);
    reader.real("dropout", kLoraDropout, lora.dropout);
    reader.boolean("rslora", lora.rslora);
    if (const json *modules = reader.find("target_modules")) {
        constexpr std::string_view what =
            "\"all-linear\" or a non-empty list of module names such as [\"q_proj\", \"v_proj\"]";
        if (modules->is_string() && modules->get<std::string>() == "all-linear") {
            lora.targetModules.clear();
        } else if (modules->is_array() && !modules->empty() &&
                   std::all_of(modules->begin(), modules->end(),
                               [](const json &m) { return m.is_string(); })) {
            lora.targetModules = modules->get<std::vector<std::string>>();
        } else {
            reader.fail("target_modules", mustBe(what, shown(*modules)));
        }
    }
    reader.rejectUnknown(kLoraKeys);
}

// Position of `path` in the file's key order, so that errors read top to
// bottom; unknown keys go last.
std::size_t keyRank(std::string path)
{
    path = path.substr(0, path.find('[')); // lora.target_modules[2]
    std::size_t rank = 0;
    for (auto key : kTopKeys) {
        if (path == key)
            return rank;
        ++rank;
        if (key == "lora") {
            for (auto sub : kLoraKeys) {
                if (path == "lora." + std::string(sub))
                    return rank;
                ++rank;
            }
        }
    }
    return rank;
}

// ---------------------------------------------------------------- writing

// One builder for both the sorted json (toJson) and the file-ordered json
// written to disk.
template <typename J> J buildJson(const TrainConfig &c)
{
    J lora = J::object();
    lora["enabled"] = c.lora.enabled;
    lora["r"] = c.lora.r;
    lora["alpha"] = c.lora.alpha;
    lora["dropout"] = c.lora.dropout;
    lora["target_modules"] = c.lora.targetsAllLinear() ? J("all-linear") : J(c.lora.targetModules);
    lora["rslora"] = c.lora.rslora;

    auto text = [](std::string_view s) { return J(std::string(s)); };
    J j = J::object();
    j["model"] = c.model;
    j["dataset"] = c.dataset;
    j["dataset_format"] = text(toString(c.datasetFormat));
    j["validation_split"] = c.validationSplit;
    j["max_seq_len"] = c.maxSeqLen;
    j["packing"] = c.packing;
    j["train_on_prompt"] = c.trainOnPrompt;
    j["longest_first"] = c.longestFirst;
    j["micro_batch_size"] = c.microBatchSize;
    j["grad_accum_steps"] = c.gradAccumSteps;
    j["max_steps"] = c.maxSteps ? J(*c.maxSteps) : J(nullptr);
    j["epochs"] = c.epochs ? J(*c.epochs) : J(nullptr);
    j["learning_rate"] = c.learningRate;
    j["lr_schedule"] = text(toString(c.lrSchedule));
    j["warmup_steps"] = c.warmupSteps;
    j["weight_decay"] = c.weightDecay;
    j["max_grad_norm"] = c.maxGradNorm;
    j["seed"] = c.seed;
    j["optimizer"] = text(toString(c.optimizer));
    j["precision"] = text(toString(c.precision));
    j["device"] = c.device.toString();
    j["quantization"] = text(toString(c.quantization));
    j["double_quant"] = c.doubleQuant;
    j["lora"] = std::move(lora);
    j["gradient_checkpointing"] = c.gradientCheckpointing;
    j["attention"] = text(toString(c.attention));
    j["eval_every"] = c.evalEvery;
    j["save_every"] = c.saveEvery;
    j["output_dir"] = c.outputDir;
    return j;
}

std::string formatErrors(const std::string &source, const std::vector<FieldError> &errors)
{
    auto line = [](const FieldError &e) {
        return e.path.empty() ? e.reason : "`" + e.path + "`: " + e.reason;
    };
    if (errors.size() == 1)
        return source + ": " + line(errors.front());
    std::string message = source + ": " + std::to_string(errors.size()) + " problems";
    for (const auto &e : errors)
        message += "\n  " + line(e);
    return message;
}

} // namespace

// ---------------------------------------------------------------- public

std::string_view toString(DatasetFormat value)
{
    return nameOf<DatasetFormat>(kDatasetFormats, value);
}
std::string_view toString(LrSchedule value)
{
    return nameOf<LrSchedule>(kLrSchedules, value);
}
std::string_view toString(Precision value)
{
    return nameOf<Precision>(kPrecisions, value);
}
std::string_view toString(Quantization value)
{
    return nameOf<Quantization>(kQuantizations, value);
}
std::string_view toString(Optimizer value)
{
    return nameOf<Optimizer>(kOptimizers, value);
}
std::string_view toString(Attention value)
{
    return nameOf<Attention>(kAttentions, value);
}

std::string DeviceSpec::toString() const
{
    switch (kind) {
    case Kind::Auto:
        return "auto";
    case Kind::Cpu:
        return "cpu";
    case Kind::Cuda:
        return "cuda:" + std::to_string(index);
    }
    return "?";
}

std::optional<DeviceSpec> parseDeviceSpec(std::string_view text)
{
    if (text == "auto")
        return DeviceSpec{DeviceSpec::Kind::Auto, 0};
    if (text == "cpu")
        return DeviceSpec{DeviceSpec::Kind::Cpu, 0};
    if (text == "cuda")
        return DeviceSpec{DeviceSpec::Kind::Cuda, 0};
    constexpr std::string_view cuda = "cuda:";
    if (!text.starts_with(cuda))
        return std::nullopt;
    const std::string_view digits = text.substr(cuda.size());
    // Up to 4 digits: no machine has more GPUs, and no overflow to think about.
    if (digits.empty() || digits.size() > 4 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return DeviceSpec{DeviceSpec::Kind::Cuda, std::stoi(std::string(digits))};
}

TrainConfigError::TrainConfigError(const std::string &source, std::vector<FieldError> errors)
    : Error(formatErrors(source, errors)), m_errors(std::move(errors))
{}

std::vector<FieldError> validateTrainConfig(const TrainConfig &c)
{
    std::vector<FieldError> errors;
    auto fail = [&](std::string_view path, std::string reason) {
        errors.push_back({std::string(path), std::move(reason)});
    };
    auto checkInt = [&](const IntRule &rule, int64_t value) {
        if (!inRange(rule, value))
            fail(rule.path, mustBe(rule.what, std::to_string(value)));
    };
    auto checkReal = [&](const RealRule &rule, double value) {
        if (!inRange(rule, value))
            fail(rule.path, mustBe(rule.what, formatReal(value)));
    };

    if (c.model.empty())
        fail("model", "is required: a Hugging Face model folder, a .gguf file or a repo id "
                      "in the Hugging Face cache");
    if (c.dataset.empty())
        fail("dataset", "is required: a .jsonl, .json, .csv, .tsv or .txt file");
    checkReal(kValidationSplit, c.validationSplit);
    checkInt(kMaxSeqLen, c.maxSeqLen);
    checkInt(kMicroBatch, c.microBatchSize);
    checkInt(kGradAccum, c.gradAccumSteps);
    if (c.maxSteps)
        checkInt(kMaxSteps, *c.maxSteps);
    if (c.epochs)
        checkReal(kEpochs, *c.epochs);
    if (c.maxSteps && c.epochs)
        fail("max_steps", "cannot be set together with `epochs` (" + formatReal(*c.epochs) +
                              "): one of them sets the length of the run; set the other to "
                              "null or remove it");
    if (!c.maxSteps && !c.epochs)
        fail("epochs", "one of `epochs` or `max_steps` must be set");
    checkReal(kLearningRate, c.learningRate);
    checkInt(kWarmup, c.warmupSteps);
    checkReal(kWeightDecay, c.weightDecay);
    checkReal(kMaxGradNorm, c.maxGradNorm);
    if (c.device.kind == DeviceSpec::Kind::Cuda && (c.device.index < 0 || c.device.index > 9999))
        fail("device",
             "CUDA device index must be from 0 to 9999, found " + std::to_string(c.device.index));
    if (c.doubleQuant && c.quantization != Quantization::Nf4)
        fail("double_quant", "applies only to nf4 quantization (`quantization` is " +
                                 std::string(toString(c.quantization)) +
                                 "): set it to false or `quantization` to nf4");
    if (!c.lora.enabled && c.quantization != Quantization::None)
        fail("lora.enabled", "false means full fine-tuning, but a quantized base cannot be "
                             "fully fine-tuned (`quantization` is " +
                                 std::string(toString(c.quantization)) +
                                 "): enable LoRA or set `quantization` to none");
    checkInt(kLoraR, c.lora.r);
    checkReal(kLoraAlpha, c.lora.alpha);
    checkReal(kLoraDropout, c.lora.dropout);
    for (std::size_t i = 0; i < c.lora.targetModules.size(); ++i) {
        const std::string &name = c.lora.targetModules[i];
        const std::string path = "lora.target_modules[" + std::to_string(i) + "]";
        if (name == "all-linear")
            fail(path, "write \"all-linear\" as the whole value of `lora.target_modules`, "
                       "not inside a list");
        else if (!validModuleName(name))
            fail(path, "must be a module name (letters, digits, `_` and `.`), found " +
                           json(name).dump());
        else if (std::find(c.lora.targetModules.begin(), c.lora.targetModules.begin() + i, name) !=
                 c.lora.targetModules.begin() + i)
            fail(path, "`" + name + "` is listed twice");
    }
    checkInt(kEvalEvery, c.evalEvery);
    if (c.evalEvery > 0 && c.validationSplit == 0)
        fail("eval_every", "needs a validation split to evaluate on: set `validation_split` "
                           "above 0, or `eval_every` to 0");
    checkInt(kSaveEvery, c.saveEvery);
    if (c.outputDir.empty())
        fail("output_dir", "must not be empty");
    return errors;
}

TrainConfig parseTrainConfig(const json &root, const std::string &source)
{
    if (!root.is_object())
        throw TrainConfigError(
            source, {{"", "expected a JSON object of run settings, found " + shown(root)}});
    std::vector<FieldError> errors;
    TrainConfig c;
    ObjectReader reader(root, "", errors);

    reader.string("model", c.model);
    reader.string("dataset", c.dataset);
    reader.enumeration<DatasetFormat>("dataset_format", kDatasetFormats, c.datasetFormat);
    reader.real("validation_split", kValidationSplit, c.validationSplit);
    reader.integer("max_seq_len", kMaxSeqLen, c.maxSeqLen);
    reader.boolean("packing", c.packing);
    reader.boolean("train_on_prompt", c.trainOnPrompt);
    reader.boolean("longest_first", c.longestFirst);
    reader.integer("micro_batch_size", kMicroBatch, c.microBatchSize);
    reader.integer("grad_accum_steps", kGradAccum, c.gradAccumSteps);

    // null (as toJson writes the one not in use) counts as absent. A value
    // with a wrong type is reported here and leaves the default length
    // (one epoch), so no second error follows from it.
    const json *steps = reader.find("max_steps");
    const json *epochs = reader.find("epochs");
    if (steps && !steps->is_null()) {
        if (auto value = asInt(*steps))
            c.maxSteps = *value;
        else
            reader.fail("max_steps", mustBe(kMaxSteps.what, shown(*steps)));
    }
    if (epochs && !epochs->is_null()) {
        if (epochs->is_number())
            c.epochs = epochs->get<double>();
        else
            reader.fail("epochs", mustBe(kEpochs.what, shown(*epochs)));
    }
    if (c.maxSteps && !(epochs && epochs->is_number()))
        c.epochs.reset();

    reader.real("learning_rate", kLearningRate, c.learningRate);
    reader.enumeration<LrSchedule>("lr_schedule", kLrSchedules, c.lrSchedule);
    reader.integer("warmup_steps", kWarmup, c.warmupSteps);
    reader.real("weight_decay", kWeightDecay, c.weightDecay);
    reader.real("max_grad_norm", kMaxGradNorm, c.maxGradNorm);
    if (const json *seed = reader.find("seed")) {
        if (seed->is_number_unsigned())
            c.seed = seed->get<uint64_t>();
        else if (auto value = asInt(*seed); value && *value >= 0)
            c.seed = static_cast<uint64_t>(*value);
        else
            reader.fail("seed", mustBe("an integer >= 0", shown(*seed)));
    }
    reader.enumeration<Optimizer>("optimizer", kOptimizers, c.optimizer);
    reader.enumeration<Precision>("precision", kPrecisions, c.precision);
    if (const json *device = reader.find("device")) {
        std::optional<DeviceSpec> spec;
        if (device->is_string())
            spec = parseDeviceSpec(device->get<std::string>());
        if (spec)
            c.device = *spec;
        else
            reader.fail("device",
                        mustBe("auto, cpu, cuda or cuda:N (N a device index)", shown(*device)));
    }
    reader.enumeration<Quantization>("quantization", kQuantizations, c.quantization);
    reader.boolean("double_quant", c.doubleQuant);
    if (const json *lora = reader.find("lora")) {
        if (lora->is_object())
            readLora(*lora, c.lora, errors);
        else
            reader.fail("lora", mustBe("an object with keys enabled, r, alpha, dropout, "
                                       "target_modules, rslora",
                                       shown(*lora)));
    }
    reader.boolean("gradient_checkpointing", c.gradientCheckpointing);
    reader.enumeration<Attention>("attention", kAttentions, c.attention);
    reader.integer("eval_every", kEvalEvery, c.evalEvery);
    reader.integer("save_every", kSaveEvery, c.saveEvery);
    reader.string("output_dir", c.outputDir);
    reader.rejectUnknown(kTopKeys);

    // Ranges and cross-field rules; a field with a type error kept its
    // (valid) default, so it is not reported twice.
    auto more = validateTrainConfig(c);
    errors.insert(errors.end(), more.begin(), more.end());
    if (!errors.empty()) {
        std::stable_sort(errors.begin(), errors.end(), [](const auto &a, const auto &b) {
            return keyRank(a.path) < keyRank(b.path);
        });
        throw TrainConfigError(source, std::move(errors));
    }
    return c;
}

json toJson(const TrainConfig &config)
{
    return buildJson<json>(config);
}

TrainConfig readTrainConfig(const std::filesystem::path &file)
{
    return parseTrainConfig(io::readJsonFile(file), file.string());
}

void writeTrainConfig(const TrainConfig &config, const std::filesystem::path &file)
{
    auto errors = validateTrainConfig(config);
    if (!errors.empty())
        throw TrainConfigError(file.string() + " (not written)", std::move(errors));
    writeFileAtomically(file, buildJson<nlohmann::ordered_json>(config).dump(2) + "\n");
}

} // namespace headroom::train
