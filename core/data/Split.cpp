// Seeded split; see Split.h.
#include "data/Split.h"

#include "common/Error.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace headroom::data {

std::vector<size_t> seededPermutation(size_t n, uint64_t seed)
{
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i)
        order[i] = i;
    std::mt19937_64 rng(seed);
    for (size_t i = n; i > 1; --i) {
        // Unbiased draw in [0, i): reject the top partial range.
        const uint64_t bound = i;
        const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
        uint64_t r;
        do {
            r = rng();
        } while (r >= limit);
        std::swap(order[i - 1], order[static_cast<size_t>(r % bound)]);
    }
    return order;
}

SplitIndices splitTrainValidation(size_t n, double fraction, uint64_t seed)
{
    if (!(fraction >= 0.0 && fraction < 1.0))
        throw Error("validation_split must be in [0, 1), got " + std::to_string(fraction));
    size_t nValidation = static_cast<size_t>(std::llround(fraction * double(n)));
    if (fraction > 0.0 && n >= 2)
        nValidation = std::max<size_t>(nValidation, 1);
    if (n >= 1)
        nValidation = std::min(nValidation, n - 1);
    else
        nValidation = 0;
    const std::vector<size_t> order = seededPermutation(n, seed);
    SplitIndices out;
    out.validation.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(nValidation));
    out.train.assign(order.begin() + static_cast<std::ptrdiff_t>(nValidation), order.end());
    std::sort(out.validation.begin(), out.validation.end());
    std::sort(out.train.begin(), out.train.end());
    return out;
}

} // namespace headroom::data
