// Data pipeline settings of a run config; see DataOptionsOf.h.
#include "train/DataOptionsOf.h"

namespace headroom::train {

data::DatasetFormat dataFormatOf(DatasetFormat format)
{
    switch (format) {
    case DatasetFormat::Auto:
        return data::DatasetFormat::Auto;
    case DatasetFormat::Alpaca:
        return data::DatasetFormat::Alpaca;
    case DatasetFormat::Chat:
        return data::DatasetFormat::Chat; // covers ShareGPT records too
    case DatasetFormat::Text:
        return data::DatasetFormat::Text;
    case DatasetFormat::Completion:
        return data::DatasetFormat::Completion;
    }
    return data::DatasetFormat::Auto;
}

data::DataOptions dataOptionsOf(const TrainConfig &config)
{
    data::DataOptions options;
    options.format = dataFormatOf(config.datasetFormat);
    options.maxSeqLen = static_cast<size_t>(config.maxSeqLen);
    options.packing = config.packing;
    options.trainOnPrompt = config.trainOnPrompt;
    options.validationSplit = config.validationSplit;
    options.seed = config.seed;
    return options;
}

} // namespace headroom::train
