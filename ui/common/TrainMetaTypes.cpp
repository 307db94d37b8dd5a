#include "TrainMetaTypes.h"

namespace headroom::ui {

void registerTrainMetaTypes()
{
    qRegisterMetaType<train::StepMetrics>();
    qRegisterMetaType<train::EvalMetrics>();
    qRegisterMetaType<train::RunSummary>();
}

} // namespace headroom::ui
