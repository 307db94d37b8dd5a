// The prepared dataset as a stream of micro-batches for the trainer: a fixed
// order per epoch (seeded shuffle, the longest batch first in the first epoch
// when asked), addressed by a global micro-batch number so that a resumed run
// continues at exactly the batch it stopped before, and padded tensors built
// on demand. Rows are right-padded: with causal attention a real token never
// sees the padding after it, so no attention mask is needed, and padded
// positions carry no label.
#pragma once

#include "data/PreparedDataset.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace headroom::train {

struct MicroBatch
{
    at::Tensor ids;    // [B, T] int64, padded with `padId`
    at::Tensor labels; // [B, T] int64, -100 where no loss (prompt, padding)
    // Packed rows only (else undefined): positions restarting per sample and
    // the sample number of each token, [B, T] int64 (padding: segment -1).
    at::Tensor positions, segments;
    int64_t tokens = 0;       // real (unpadded) tokens
    int64_t targetTokens = 0; // tokens the shifted loss counts
};

class TrainingData
{
public:
    TrainingData(data::PreparedDataset dataset, int64_t microBatchSize, uint64_t seed,
                 bool longestFirst);

    int64_t microBatchesPerEpoch() const { return static_cast<int64_t>(m_epochOrder.size()); }
    bool hasValidation() const { return !m_validationRows.empty(); }
    const data::DatasetSummary &summary() const { return m_dataset.summary; }
    int64_t longestRow() const;

    // The global micro-batch number `index` (epoch = index / microBatchesPerEpoch()).
    MicroBatch trainBatch(int64_t index, int64_t padId, const at::Device &device);
    // Every validation row in micro-batches, longest first.
    std::vector<MicroBatch> validationBatches(int64_t padId, const at::Device &device) const;

private:
    struct Row
    {
        const std::vector<int32_t> *ids;
        const std::vector<int32_t> *labels;
        const data::PackedSequence *packed = nullptr; // positions and sample lengths
    };
    MicroBatch build(const std::vector<Row> &rows, int64_t padId, const at::Device &device) const;
    const std::vector<std::vector<size_t>> &orderOf(int64_t epoch);

    data::PreparedDataset m_dataset;
    std::vector<Row> m_trainRows, m_validationRows;
    int64_t m_microBatchSize;
    uint64_t m_seed;
    bool m_longestFirst;
    int64_t m_orderEpoch = -1;
    std::vector<std::vector<size_t>> m_epochOrder; // batches of row indices
};

} // namespace headroom::train
