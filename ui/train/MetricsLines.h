// Reading back what train/MetricsJson.h writes: the step and evaluation
// lines of `headroom-cli train --json` and of a run's metrics.jsonl. The one
// place the GUI turns those lines into train::StepMetrics / EvalMetrics
// (TrainPageHistory redraws a resumed run, ProcessTrainingRun follows a
// data-parallel run). Missing fields read as 0; the lines carry no run
// length, so StepMetrics::totalSteps is left 0 for the caller.
#pragma once

#include "train/TrainObserver.h"

#include <nlohmann/json.hpp>

namespace headroom::ui {

// {"eval_loss", ...}: an evaluation; {"step", "loss", ...}: a step.
bool isEvalLine(const nlohmann::json &json);
bool isStepLine(const nlohmann::json &json);

train::StepMetrics stepFromJson(const nlohmann::json &json);
train::EvalMetrics evalFromJson(const nlohmann::json &json);

} // namespace headroom::ui
