// Fit advice and auto-fit; see FitAdvice.h. Costs (relative step time, or a
// quality note): SDPA instead of eager attention is faster (0.9×); 8-bit
// AdamW ≈ +5 %; halving the micro-batch with twice the accumulation keeps
// the effective batch at ≈ +10 %; gradient checkpointing recomputes the
// forward, ≈ +30 %; int8 / NF4 bases dequantize every projection at each
// matmul, ≈ +20 % / +25 % and a small quality cost; LoRA instead of full
// fine-tuning trains far fewer weights (a quality cost), and a shorter
// max_seq_len truncates the data (advice only).
#include "memory/FitAdvice.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace headroom::memory {

using train::TrainConfig;

std::string formatBytes(int64_t bytes)
{
    char text[32];
    const double b = static_cast<double>(bytes);
    if (std::abs(b) >= 1e9)
        std::snprintf(text, sizeof text, "%.1f GB", b / 1e9);
    else
        std::snprintf(text, sizeof text, "%.0f MB", b / 1e6);
    return text;
}

namespace {

struct Option
{
    std::string key;
    std::string label; // "gradient checkpointing"
    std::string cost;
    double rank; // relative step time (or quality penalty) of the change
    std::function<bool(TrainConfig &)> apply; // false when it does not apply
};

std::vector<Option> options()
{
    return {
        {"attention", "SDPA attention instead of eager", "faster, same result", 0.9,
         [](TrainConfig &c) {
             if (c.attention == train::Attention::Sdpa)
                 return false;
             c.attention = train::Attention::Sdpa;
             return true;
         }},
        {"lora_dropout", "LoRA dropout 0", "no dropout regularisation on the adapters", 1.02,
         [](TrainConfig &c) {
             if (!c.lora.enabled || c.lora.dropout == 0)
                 return false;
             c.lora.dropout = 0;
             return true;
         }},
        {"optimizer", "8-bit AdamW", "about +5 % step time", 1.05,
         [](TrainConfig &c) {
             if (c.optimizer == train::Optimizer::AdamW8bit)
                 return false;
             c.optimizer = train::Optimizer::AdamW8bit;
             return true;
         }},
        {"micro_batch", "", "same effective batch, about +10 % step time", 1.1,
         [](TrainConfig &c) {
             if (c.microBatchSize <= 1)
                 return false;
             c.microBatchSize = (c.microBatchSize + 1) / 2;
             c.gradAccumSteps *= 2;
             return true;
         }},
        {"gradient_checkpointing", "gradient checkpointing", "about +30 % step time", 1.3,
         [](TrainConfig &c) {
             if (c.gradientCheckpointing)
                 return false;
             c.gradientCheckpointing = true;
             return true;
         }},
        {"lora", "LoRA instead of full fine-tuning", "trains far fewer weights (quality cost)", 1.6,
         [](TrainConfig &c) {
             if (c.lora.enabled)
                 return false;
             c.lora.enabled = true;
             return true;
         }},
        {"quantization_int8", "int8 base weights", "about +20 % step time, small quality cost",
         1.35,
         [](TrainConfig &c) {
             if (!c.lora.enabled || c.quantization != train::Quantization::None)
                 return false;
             c.quantization = train::Quantization::Int8;
             return true;
         }},
        {"quantization_nf4", "NF4 base weights (QLoRA)",
         "about +25 % step time, small quality cost", 1.4,
         [](TrainConfig &c) {
             if (!c.lora.enabled || c.quantization == train::Quantization::Nf4)
                 return false;
             c.quantization = train::Quantization::Nf4;
             return true;
         }},
        {"max_seq_len", "", "truncates longer samples (changes the data)", 3.0,
         [](TrainConfig &c) {
             if (c.maxSeqLen <= 256)
                 return false;
             c.maxSeqLen /= 2;
             return true;
         }},
    };
}

std::string labelOf(const Option &o, const TrainConfig &before, const TrainConfig &after)
{
    if (o.key == "micro_batch")
        return "micro-batch " + std::to_string(before.microBatchSize) + " -> " +
               std::to_string(after.microBatchSize) + " with accumulation x" +
               std::to_string(after.gradAccumSteps);
    if (o.key == "max_seq_len")
        return "max_seq_len " + std::to_string(before.maxSeqLen) + " -> " +
               std::to_string(after.maxSeqLen);
    return o.label;
}

} // namespace

int64_t defaultBudget(const DeviceInfo &device)
{
    if (device.isCuda() && device.detected && device.freeBytes > 0)
        return device.freeBytes + (500ll << 20); // free now + our own context
    return device.isCuda() ? device.totalBytes : device.freeBytes;
}

FitAdvice adviseFit(const model::ModelConfig &model, const TrainConfig &config,
                    const DeviceInfo &device, int64_t budget, int processes)
{
    FitAdvice advice;
    advice.budget = budget;
    const auto base = estimateMemory(model, config, device, processes);
    advice.fits = base.devicePeak <= budget;
    const auto all = options();

    for (const auto &o : all) {
        TrainConfig changed = config;
        if (!o.apply(changed))
            continue;
        const auto e = estimateMemory(model, changed, device, processes);
        const int64_t saving = base.devicePeak - e.devicePeak;
        if (saving <= 0)
            continue;
        FitChange change;
        change.key = o.key;
        change.cost = o.cost;
        change.description =
            labelOf(o, config, changed) + ": -" + formatBytes(saving) + ", " + o.cost;
        change.saving = saving;
        change.costRank = o.rank;
        change.fitsAlone = e.devicePeak <= budget;
        change.config = changed;
        advice.changes.push_back(std::move(change));
    }
    std::stable_sort(
        advice.changes.begin(), advice.changes.end(),
        [](const FitChange &a, const FitChange &b) { return a.costRank < b.costRank; });

    // Auto-fit: every combination of the options (each applied at most once,
    // micro-batch halving repeatedly) except max_seq_len; the lowest total
    // cost that fits, ties to the smaller peak. At most a few hundred
    // estimates of a few microseconds each.
    if (advice.fits) {
        advice.autoFit = config;
        advice.autoFitEstimate = base;
        return advice;
    }
    std::vector<const Option *> pool;
    for (const auto &o : all)
        if (o.key != "max_seq_len" && o.key != "micro_batch")
            pool.push_back(&o);
    const Option *halve = nullptr;
    for (const auto &o : all)
        if (o.key == "micro_batch")
            halve = &o;
    double bestCost = 1e300;
    const size_t subsets = size_t{1} << pool.size();
    for (size_t mask = 0; mask < subsets; ++mask) {
        TrainConfig c = config;
        double cost = 1.0;
        std::vector<std::string> done;
        bool valid = true;
        for (size_t i = 0; i < pool.size() && valid; ++i) {
            if (!(mask & (size_t{1} << i)))
                continue;
            if (!pool[i]->apply(c)) {
                valid = false;
                break;
            }
            cost *= pool[i]->rank;
            done.push_back(pool[i]->label);
        }
        // int8 and NF4 together are one choice: NF4 wins.
        if (!valid)
            continue;
        for (int halvings = 0;; ++halvings) {
            if (cost >= bestCost)
                break;
            const auto e = estimateMemory(model, c, device, processes);
            if (e.devicePeak <= budget) {
                bestCost = cost;
                advice.autoFit = c;
                advice.autoFitEstimate = e;
                advice.autoFitChanges = done;
                if (halvings > 0)
                    advice.autoFitChanges.push_back(
                        "micro-batch " + std::to_string(config.microBatchSize) + " -> " +
                        std::to_string(c.microBatchSize) + " with accumulation x" +
                        std::to_string(c.gradAccumSteps));
                break;
            }
            TrainConfig smaller = c;
            if (!halve->apply(smaller))
                break;
            c = smaller;
            cost *= halve->rank;
        }
    }
    return advice;
}

} // namespace headroom::memory
