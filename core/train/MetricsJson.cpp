// JSON of the trainer's reports; see MetricsJson.h.
#include "train/MetricsJson.h"

namespace headroom::train {

nlohmann::json toJson(const StepMetrics &step)
{
    const auto &m = step.memory;
    return {{"step", step.step},
            {"loss", step.loss},
            {"lr", step.learningRate},
            {"grad_norm", step.gradNorm},
            {"tokens_per_s", step.tokensPerSecond},
            {"mem",
             {{"load", m.load},
              {"forward", m.forward},
              {"backward", m.backward},
              {"optimizer", m.optimizer},
              {"peak", m.peak},
              {"reserved", m.reserved}}},
            {"epoch", step.epoch},
            {"tokens", step.tokens},
            {"target_tokens", step.targetTokens},
            {"seconds", step.seconds},
            {"loss_scale", step.lossScale},
            {"skipped", step.skipped}};
}

nlohmann::json toJson(const EvalMetrics &eval)
{
    return {{"eval_loss", eval.loss}, {"step", eval.step}, {"target_tokens", eval.targetTokens}};
}

} // namespace headroom::train
