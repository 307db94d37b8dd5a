// The JSON form of the trainer's reports: one object per optimizer step and
// per evaluation, as `headroom-cli train --json` prints them and as
// metrics.jsonl stores them (so the GUI can redraw a run's curves).
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

} // namespace headroom::train
