// Setting a run up: device and precision, model (quantized base, LoRA or
// master weights), checkpointing hook, dataset, optimizers, run length.
// Everything here may throw for bad input; nothing is written.
#include "train/TrainingSession.h"

#include "io/ModelSource.h"
#include "lora/PeftAdapter.h"
#include "model/ModelLoader.h"
#include "model/QuantizeModel.h"
#include "model/TokenizerLoader.h"
#include "optim/AdamW.h"
#include "optim/AdamW8bit.h"
#include "train/Checkpointing.h"
#include "train/DataOptionsOf.h"

#include <ATen/core/grad_mode.h>

#include <cmath>
#include <filesystem>
#include <sstream>

namespace headroom::train {

namespace {

at::ScalarType computeDtypeOf(Precision precision)
{
    switch (precision) {
    case Precision::Bf16:
        return at::kBFloat16;
    case Precision::Fp16:
        return at::kHalf;
    case Precision::Fp32:
        return at::kFloat;
    }
    return at::kFloat;
}

std::unique_ptr<optim::Optimizer> makeOptimizer(Optimizer kind, std::vector<at::Tensor> params,
                                                double weightDecay)
{
    if (params.empty())
        return nullptr;
    if (kind == Optimizer::AdamW8bit) {
        optim::AdamW8bitOptions options;
        options.weightDecay = weightDecay;
        return std::make_unique<optim::AdamW8bit>(std::move(params), options);
    }
    optim::AdamWOptions options;
    options.weightDecay = weightDecay;
    return std::make_unique<optim::AdamW>(std::move(params), options);
}

// A relative path that exists becomes absolute; anything else (a Hugging
// Face repo id such as "Qwen/Qwen2.5-0.5B", a missing file that will be
// reported later) stays as written.
std::string absoluteIfLocal(const std::string &path)
{
    std::error_code error;
    const std::filesystem::path p(path);
    if (path.empty() || p.is_absolute() || !std::filesystem::exists(p, error))
        return path;
    auto absolute = std::filesystem::absolute(p, error).lexically_normal();
    return error ? path : absolute.string();
}

std::string describe(const model::ModelConfig &config, int64_t parameters)
{
    std::ostringstream out;
    out.precision(1);
    out << config.modelType << ", " << config.numLayers << " layers, hidden " << config.hiddenSize
        << ", " << std::fixed << static_cast<double>(parameters) / 1e6 << " M parameters";
    return out.str();
}

} // namespace

TrainingSession::TrainingSession(const TrainConfig &cfg, TrainObserver *log) : config(cfg)
{
    if (auto errors = validateTrainConfig(config); !errors.empty())
        throw TrainConfigError("run config", std::move(errors));
    // The run's saved config must still find its inputs when resumed or
    // exported from another working directory.
    config.model = absoluteIfLocal(config.model);
    config.dataset = absoluteIfLocal(config.dataset);
    auto say = [&](const std::string &text) {
        if (log)
            log->onLog(LogLevel::Info, text);
    };

    device = model::parseDevice(config.device.toString());
    const auto distEnv = distributedEnvFromEnvironment();
    // One GPU per process: LOCAL_RANK picks it, as with torchrun.
    if (distEnv && device.is_cuda())
        device = at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(distEnv->localRank));
    computeDtype = computeDtypeOf(config.precision);
    setup.device = device.str();
    probe = memory::MemoryProbe::forDevice(device);
    // Seeds dropout (CPU and every CUDA device); LoRA init has its own generator.
    at::manual_seed(config.seed);
    if (distEnv) {
        dist = std::make_unique<Distributed>(*distEnv, device);
        setup.rank = dist->rank();
        setup.worldSize = dist->worldSize();
        if (dist->rank() == 0 && config.gradAccumSteps % dist->worldSize() != 0 && log)
            log->onLog(LogLevel::Warning,
                       "grad_accum_steps (" + std::to_string(config.gradAccumSteps) +
                           ") is not a multiple of the " + std::to_string(dist->worldSize()) +
                           " processes: some processes idle during part of every step");
    }

    // Model (+ tokenizer for the data).
    const auto source = io::resolveModelSource(config.model);
    auto tokenizer = model::loadTokenizer(source);
    model::LoadOptions load;
    load.dtype = computeDtype;
    load.device = device;
    load.attention = config.attention == Attention::Eager ? model::AttentionKernel::Eager
                                                          : model::AttentionKernel::Sdpa;
    model = model::loadModel(source, load);
    for (auto &slot : model->weightSlots())
        setup.parameters += slot.tensor->numel();
    setup.modelDescription = describe(model->config(), setup.parameters);

    if (config.quantization != Quantization::None) {
        model::QuantizeOptions q;
        q.kind = config.quantization == Quantization::Int8 ? model::BaseQuantization::Int8
                                                           : model::BaseQuantization::Nf4;
        q.doubleQuant = config.doubleQuant;
        auto report = model::quantizeBaseWeights(*model, q);
        setup.quantizedModules = report.modules;
        setup.quantizedFromBytes = report.originalBytes;
        setup.quantizedToBytes = report.quantizedBytes;
        say("quantized " + std::to_string(report.modules) + " projections to " +
            std::string(toString(config.quantization)) + ": " +
            std::to_string(report.originalBytes >> 20) + " MiB -> " +
            std::to_string(report.quantizedBytes >> 20) + " MiB");
    }

    if (config.lora.enabled) {
        lora::LoraSettings settings;
        settings.r = config.lora.r;
        settings.alpha = config.lora.alpha;
        settings.dropout = config.lora.dropout;
        settings.rslora = config.lora.rslora;
        auto generator = at::make_generator<at::CPUGeneratorImpl>(config.seed);
        auto attached =
            lora::attachLora(*model, settings, config.lora.targetModules, at::kFloat, generator);
        lora::setLoraTraining(*model, true);
        params = TrainableParameters::loraOf(*model);
        say("LoRA r=" + std::to_string(settings.r) + " on " + std::to_string(attached.size()) +
            " modules");
    } else {
        params = TrainableParameters::allOf(*model);
        const auto headName = model->lmHeadWeightName();
        for (const auto &p : params.list())
            if (p.name == headName)
                headTensors.push_back(p.model);
    }
    setup.trainableParameters = params.numel();

    if (config.gradientCheckpointing)
        model->setBlockRunner(
            [](const model::BlockFn &block, const at::Tensor &x) { return checkpoint(block, x); });

    // Data.
    auto prepared = data::prepareDataset(config.dataset, tokenizer, dataOptionsOf(config));
    setup.datasetSummary = prepared.summary.text();
    data.emplace(std::move(prepared), config.microBatchSize, config.seed, config.longestFirst);
    padId = tokenizer.padId().value_or(tokenizer.eosId().value_or(0));
    setup.microBatchesPerEpoch = data->microBatchesPerEpoch();

    // Run length: the micro-batch stream runs on across epochs; the last step may be short.
    if (config.maxSteps) {
        setup.totalSteps = *config.maxSteps;
    } else {
        const double micro = std::ceil(config.epochs.value_or(1.0) *
                                       static_cast<double>(setup.microBatchesPerEpoch));
        setup.totalSteps =
            static_cast<int64_t>(std::ceil(micro / static_cast<double>(config.gradAccumSteps)));
    }
    setup.totalSteps = std::max<int64_t>(1, setup.totalSteps);

    decayOptimizer = makeOptimizer(config.optimizer, params.masters(true), config.weightDecay);
    plainOptimizer = makeOptimizer(config.optimizer, params.masters(false), 0.0);
    scaler = LossScaler(config.precision == Precision::Fp16);
    if (dist) {
        buckets = std::make_unique<GradientBuckets>(params, *dist, dist->env().overlap);
        if (dist->rank() == 0)
            say("gradients: " + std::to_string(buckets->bucketCount()) +
                " all-reduce buckets, reduced " +
                (dist->env().overlap ? "during" : "after (HEADROOM_DIST_OVERLAP=0)") + " backward");
    }
    loadBytes = probe->allocated(); // with buckets: the resident fp32 gradients too
}

std::vector<optim::Optimizer *> TrainingSession::optimizers() const
{
    std::vector<optim::Optimizer *> out;
    for (const auto &o : {decayOptimizer.get(), plainOptimizer.get()})
        if (o)
            out.push_back(o);
    return out;
}

} // namespace headroom::train
