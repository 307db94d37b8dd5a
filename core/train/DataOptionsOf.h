// The data pipeline's settings for a run config, in one place: the trainer
// prepares its data with them, and `headroom-cli estimate --fit-data` and the
// GUI's data page analyse a dataset as the trainer will see it. Torch-free.
#pragma once

#include "data/DatasetFormat.h"
#include "data/PreparedDataset.h"
#include "train/TrainConfig.h"

namespace headroom::train {

// The run config's dataset_format as the data pipeline names it.
data::DatasetFormat dataFormatOf(DatasetFormat format);

// format, max_seq_len, packing, train_on_prompt, validation_split and seed.
data::DataOptions dataOptionsOf(const TrainConfig &config);

} // namespace headroom::train
