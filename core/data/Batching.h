// The order in which samples (or packed sequences) are grouped into
// micro-batches for one epoch: a seeded shuffle cut into batches of
// micro_batch_size, and with longest_first the micro_batch_size longest items
// form the first batch, so an out-of-memory shows at step 1, not step 120.
// Does not pad or build tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace headroom::data {

// `lengths[i]` is the token count of item i. Every index appears exactly once;
// the last batch may be smaller. Deterministic for (lengths, sizes, seed).
std::vector<std::vector<size_t>> batchOrder(const std::vector<size_t> &lengths,
                                            size_t microBatchSize, uint64_t seed,
                                            bool longestFirst);

} // namespace headroom::data
