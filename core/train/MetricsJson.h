// The JSON form of the trainer's reports: one object per optimizer step and
// per evaluation, as `headroom-cli train --json` prints them and as
// metrics.jsonl stores them, and the one reader of those lines (the GUI
// redraws a run's curves and follows data-parallel runs with it; the run
// store imports CLI runs with it).
#pragma once

#include "train/TrainObserver.h"

#include <nlohmann/json.hpp>

namespace headroom::train {

// {"step", "loss", "lr", "grad_norm", "tokens_per_s", "mem": {"load", "forward",
// "backward", "optimizer", "peak", "reserved"}, "epoch", "tokens",
// "target_tokens", "seconds", "loss_scale", "skipped"}. Memory in bytes.
nlohmann::json toJson(const StepMetrics &step);
// {"eval_loss", "step", "target_tokens"}
nlohmann::json toJson(const EvalMetrics &eval);

// Reading them back (metrics.jsonl, the stdout of `train --json`) for the run
// store's import and the GUI. Missing fields read as 0 (totalSteps is never
// in a line: the caller knows it); a field of the wrong type throws
// nlohmann::json::type_error.
bool isEvalLine(const nlohmann::json &json); // {"eval_loss", ...}
bool isStepLine(const nlohmann::json &json); // {"step", "loss", ...}, not an evaluation
StepMetrics stepFromJson(const nlohmann::json &json);
EvalMetrics evalFromJson(const nlohmann::json &json);

} // namespace headroom::train
