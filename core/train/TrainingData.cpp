// Micro-batch order and tensors; see TrainingData.h.
#include "train/TrainingData.h"

#include "common/Error.h"
#include "data/Batching.h"
#include "train/ChunkedLoss.h"

#include <algorithm>
#include <numeric>

namespace headroom::train {

TrainingData::TrainingData(data::PreparedDataset dataset, int64_t microBatchSize, uint64_t seed,
                           bool longestFirst)
    : m_dataset(std::move(dataset)), m_microBatchSize(microBatchSize), m_seed(seed),
      m_longestFirst(longestFirst)
{
    // Rows point into m_dataset, which never changes after this.
    const bool packed = !m_dataset.packedTrain.empty();
    if (packed) {
        for (const auto &s : m_dataset.packedTrain)
            m_trainRows.push_back({&s.ids, &s.labels, &s});
        for (const auto &s : m_dataset.packedValidation)
            m_validationRows.push_back({&s.ids, &s.labels, &s});
    } else {
        for (const auto &s : m_dataset.train)
            m_trainRows.push_back({&s.ids, &s.labels});
        for (const auto &s : m_dataset.validation)
            m_validationRows.push_back({&s.ids, &s.labels});
    }
    if (m_trainRows.empty())
        throw Error(m_dataset.summary.file +
                    ": no training sample left after the validation split");
    orderOf(0);
}

int64_t TrainingData::longestRow() const
{
    size_t longest = 0;
    for (const auto &row : m_trainRows)
        longest = std::max(longest, row.ids->size());
    return static_cast<int64_t>(longest);
}

const std::vector<std::vector<size_t>> &TrainingData::orderOf(int64_t epoch)
{
    if (epoch != m_orderEpoch) {
        std::vector<size_t> lengths;
        for (const auto &row : m_trainRows)
            lengths.push_back(row.ids->size());
        // Every epoch its own shuffle; only the very first step needs the longest batch.
        m_epochOrder =
            data::batchOrder(lengths, static_cast<size_t>(m_microBatchSize),
                             m_seed + static_cast<uint64_t>(epoch), m_longestFirst && epoch == 0);
        m_orderEpoch = epoch;
    }
    return m_epochOrder;
}

MicroBatch TrainingData::trainBatch(int64_t index, int64_t padId, const at::Device &device)
{
    const int64_t perEpoch = microBatchesPerEpoch();
    const auto &order = orderOf(index / perEpoch);
    std::vector<Row> rows;
    for (size_t i : order[static_cast<size_t>(index % perEpoch)])
        rows.push_back(m_trainRows[i]);
    return build(rows, padId, device);
}

std::vector<MicroBatch> TrainingData::validationBatches(int64_t padId,
                                                        const at::Device &device) const
{
    std::vector<size_t> order(m_validationRows.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return m_validationRows[a].ids->size() > m_validationRows[b].ids->size();
    });
    std::vector<MicroBatch> batches;
    for (size_t at = 0; at < order.size(); at += static_cast<size_t>(m_microBatchSize)) {
        std::vector<Row> rows;
        for (size_t i = at; i < std::min(order.size(), at + static_cast<size_t>(m_microBatchSize));
             ++i)
            rows.push_back(m_validationRows[order[i]]);
        batches.push_back(build(rows, padId, device));
    }
    return batches;
}

MicroBatch TrainingData::build(const std::vector<Row> &rows, int64_t padId,
                               const at::Device &device) const
{
    size_t longest = 0;
    for (const auto &row : rows)
        longest = std::max(longest, row.ids->size());
    const auto batch = static_cast<int64_t>(rows.size()), tokens = static_cast<int64_t>(longest);
    auto ids = at::full({batch, tokens}, padId, at::kLong);
    auto labels = at::full({batch, tokens}, kIgnoreIndex, at::kLong);
    auto idsAccess = ids.accessor<int64_t, 2>();
    auto labelsAccess = labels.accessor<int64_t, 2>();
    const bool packed = !rows.empty() && rows.front().packed;
    at::Tensor positions, segments;
    if (packed) {
        positions = at::zeros({batch, tokens}, at::kLong);
        segments = at::full({batch, tokens}, -1, at::kLong);
    }
    MicroBatch out;
    for (int64_t b = 0; b < batch; ++b) {
        const auto &row = rows[static_cast<size_t>(b)];
        for (size_t t = 0; t < row.ids->size(); ++t) {
            idsAccess[b][static_cast<int64_t>(t)] = (*row.ids)[t];
            labelsAccess[b][static_cast<int64_t>(t)] = (*row.labels)[t];
        }
        if (packed) {
            auto pos = positions.accessor<int64_t, 2>();
            auto seg = segments.accessor<int64_t, 2>();
            int64_t t = 0, sample = 0;
            for (int32_t length : row.packed->sequenceLengths) {
                for (int32_t i = 0; i < length; ++i, ++t) {
                    pos[b][t] = i;
                    seg[b][t] = sample;
                }
                ++sample;
            }
        }
        out.tokens += static_cast<int64_t>(row.ids->size());
    }
    out.targetTokens = countTargetTokens(labels);
    out.ids = ids.to(device);
    out.labels = labels.to(device);
    if (packed) {
        out.positions = positions.to(device);
        out.segments = segments.to(device);
    }
    return out;
}

} // namespace headroom::train
