// Batch order; see Batching.h.
#include "data/Batching.h"

#include "common/Error.h"
#include "data/Split.h"

#include <algorithm>

namespace headroom::data {

std::vector<std::vector<size_t>> batchOrder(const std::vector<size_t> &lengths,
                                            size_t microBatchSize, uint64_t seed, bool longestFirst)
{
    if (microBatchSize == 0)
        throw Error("micro_batch_size must be at least 1");
    const size_t n = lengths.size();
    std::vector<size_t> order = seededPermutation(n, seed);
    std::vector<std::vector<size_t>> batches;
    if (longestFirst && n > 0) {
        // The k longest (ties: lower index first) lead; the rest keep the shuffle.
        std::vector<size_t> byLength(n);
        for (size_t i = 0; i < n; ++i)
            byLength[i] = i;
        const size_t k = std::min(microBatchSize, n);
        std::partial_sort(byLength.begin(), byLength.begin() + static_cast<std::ptrdiff_t>(k),
                          byLength.end(), [&](size_t a, size_t b) {
                              return lengths[a] != lengths[b] ? lengths[a] > lengths[b] : a < b;
                          });
        std::vector<bool> first(n, false);
        std::vector<size_t> head(byLength.begin(),
                                 byLength.begin() + static_cast<std::ptrdiff_t>(k));
        for (size_t i : head)
            first[i] = true;
        batches.push_back(head);
        std::erase_if(order, [&](size_t i) { return first[i]; });
    }
    for (size_t at = 0; at < order.size(); at += microBatchSize)
        batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(at),
                             order.begin() + static_cast<std::ptrdiff_t>(
                                                 std::min(order.size(), at + microBatchSize)));
    return batches;
}

} // namespace headroom::data
