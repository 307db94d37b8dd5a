#include "MetricsLines.h"

namespace headroom::ui {

bool isEvalLine(const nlohmann::json &json)
{
    return json.is_object() && json.contains("eval_loss");
}

bool isStepLine(const nlohmann::json &json)
{
    return json.is_object() && !json.contains("eval_loss") && json.contains("step") &&
           json.contains("loss");
}

train::StepMetrics stepFromJson(const nlohmann::json &json)
{
    train::StepMetrics s;
    s.step = json.value("step", int64_t{0});
    s.loss = json.value("loss", 0.0);
    s.learningRate = json.value("lr", 0.0);
    s.gradNorm = json.value("grad_norm", 0.0);
    s.tokensPerSecond = json.value("tokens_per_s", 0.0);
    s.epoch = json.value("epoch", 0.0);
    s.tokens = json.value("tokens", int64_t{0});
    s.targetTokens = json.value("target_tokens", int64_t{0});
    s.seconds = json.value("seconds", 0.0);
    s.lossScale = json.value("loss_scale", 1.0);
    s.skipped = json.value("skipped", false);
    if (const auto mem = json.find("mem"); mem != json.end() && mem->is_object()) {
        s.memory.load = mem->value("load", int64_t{0});
        s.memory.forward = mem->value("forward", int64_t{0});
        s.memory.backward = mem->value("backward", int64_t{0});
        s.memory.optimizer = mem->value("optimizer", int64_t{0});
        s.memory.peak = mem->value("peak", int64_t{0});
        s.memory.reserved = mem->value("reserved", int64_t{0});
    }
    return s;
}

train::EvalMetrics evalFromJson(const nlohmann::json &json)
{
    train::EvalMetrics e;
    e.step = json.value("step", int64_t{0});
    e.loss = json.value("eval_loss", 0.0);
    e.targetTokens = json.value("target_tokens", int64_t{0});
    return e;
}

} // namespace headroom::ui
