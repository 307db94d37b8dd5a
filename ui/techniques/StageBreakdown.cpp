#include "techniques/StageBreakdown.h"

#include <algorithm>

namespace headroom::ui {

std::vector<StageSegment> stageBreakdown(const memory::MemoryEstimate &e,
                                         const train::TrainConfig &config)
{
    // Per process: with several, each accumulates its share of the step's
    // micro-batches only (MemoryEstimate::microBatchesPerProcess).
    const bool acc = config.gradAccumSteps > 1 && e.microBatchesPerProcess > 1;
    // Bottom to top, what lives longest first so the bars read as layers;
    // live at {load, forward, backward, optimizer}. The optimizer stage is
    // measured after the step with the gradients freed (set_to_none), the
    // forward stage holds the gradients only while accumulating; with several
    // processes they are the all-reduce buckets and always there.
    struct Part
    {
        const char *key;
        int64_t bytes;
        std::array<bool, 4> live;
    };
    const Part parts[] = {
        {"base_weights", e.baseWeights, {true, true, true, true}},
        {"quantized_weights", e.quantizedWeights, {true, true, true, true}},
        {"lora_parameters", e.loraParameters, {true, true, true, true}},
        {"master_weights", e.masterWeights, {true, true, true, true}},
        {"optimizer_states", e.optimizerStates, {false, true, true, true}},
        {"gradients", e.gradients,
         e.gradientsResident ? std::array{true, true, true, true}
                             : std::array{false, acc, true, false}},
        {"activations", e.activations, {false, true, false, false}},
        {"attention_scores", e.attentionScores, {false, true, false, false}},
        {"batch", e.batch, {false, true, true, false}},
    };
    std::vector<StageSegment> segments;
    for (const auto &part : parts) {
        StageSegment s{part.key, {}};
        for (size_t i = 0; i < kStages.size(); ++i) {
            if (!part.live[i])
                continue;
            // A calibrated estimate scales the stages after load by the
            // device's factor; scale the parts alike (the rest is "other").
            const bool scaled = e.calibrated && kStages[i] != memory::Stage::Load;
            s.bytes[i] = scaled
                             ? static_cast<int64_t>(static_cast<double>(part.bytes) * e.correction)
                             : part.bytes;
        }
        segments.push_back(std::move(s));
    }
    StageSegment other{"other", {}};
    for (size_t i = 0; i < kStages.size(); ++i) {
        int64_t sum = 0;
        for (const auto &s : segments)
            sum += s.bytes[i];
        int64_t rest = e.stage(kStages[i]) - sum;
        if (rest < 0) {
            // Only rounding of the scaled parts can get here: take it off the largest.
            auto largest = std::max_element(segments.begin(), segments.end(),
                                            [i](const StageSegment &a, const StageSegment &b) {
                                                return a.bytes[i] < b.bytes[i];
                                            });
            largest->bytes[i] += rest;
            rest = 0;
        }
        other.bytes[i] = rest;
    }
    segments.push_back(std::move(other));
    std::erase_if(segments, [](const StageSegment &s) {
        return std::all_of(s.bytes.begin(), s.bytes.end(), [](int64_t b) { return b == 0; });
    });
    return segments;
}

} // namespace headroom::ui
