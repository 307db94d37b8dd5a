// The trainer's report types as Qt meta-types, so that the training worker's
// queued signals carry them by value across threads.
#pragma once

#include "train/TrainObserver.h"

#include <QMetaType>

Q_DECLARE_METATYPE(headroom::train::StepMetrics)
Q_DECLARE_METATYPE(headroom::train::EvalMetrics)
Q_DECLARE_METATYPE(headroom::train::RunSummary)

namespace headroom::ui {
// Call once before the first queued connection (main() and the tests do).
void registerTrainMetaTypes();
} // namespace headroom::ui
