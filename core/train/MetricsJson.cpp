// JSON of the trainer's reports; see MetricsJson.h.
#include "train/MetricsJson.h"

namespace headroom::train {

nlohmann::json toJson(const StepMetrics &step)
{
    const auto &m = step.memory;
    nlohmann::json json = {{"step", step.step},
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
    if (step.reduceBuckets > 0) { // several processes only
        json["reduce_wait_s"] = step.reduceWaitSeconds;
        json["reduce_buckets"] = step.reduceBuckets;
        json["reduce_buckets_overlapped"] = step.reduceBucketsOverlapped;
    }
    return json;
}

nlohmann::json toJson(const EvalMetrics &eval)
{
    return {{"eval_loss", eval.loss}, {"step", eval.step}, {"target_tokens", eval.targetTokens}};
}

bool isEvalLine(const nlohmann::json &json)
{
    return json.is_object() && json.contains("eval_loss");
}

bool isStepLine(const nlohmann::json &json)
{
    return json.is_object() && !json.contains("eval_loss") && json.contains("step") &&
           json.contains("loss");
}

StepMetrics stepFromJson(const nlohmann::json &json)
{
    StepMetrics s;
    s.step = json.value("step", int64_t{0});
    s.loss = json.value("loss", 0.0);
    s.learningRate = json.value("lr", 0.0);
    s.gradNorm = json.value("grad_norm", 0.0);
    s.tokensPerSecond = json.value("tokens_per_s", 0.0);
    s.epoch = json.value("epoch", 0.0);
    s.tokens = json.value("tokens", int64_t{0});
    s.targetTokens = json.value("target_tokens", int64_t{0});
    s.seconds = json.value("seconds", 0.0);
    s.reduceWaitSeconds = json.value("reduce_wait_s", 0.0);
    s.reduceBuckets = json.value("reduce_buckets", int64_t{0});
    s.reduceBucketsOverlapped = json.value("reduce_buckets_overlapped", int64_t{0});
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

EvalMetrics evalFromJson(const nlohmann::json &json)
{
    EvalMetrics e;
    e.step = json.value("step", int64_t{0});
    e.loss = json.value("eval_loss", 0.0);
    e.targetTokens = json.value("target_tokens", int64_t{0});
    return e;
}

} // namespace headroom::train
