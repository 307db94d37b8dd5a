// Seeded train/validation split and deterministic shuffling. The shuffle is
// our own Fisher-Yates over std::mt19937_64 (whose output the standard fixes),
// not std::shuffle, so the same seed gives the same split with every standard
// library. Does not look at the samples themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace headroom::data {

// A permutation of 0..n-1, the same for the same (n, seed) everywhere.
std::vector<size_t> seededPermutation(size_t n, uint64_t seed);

struct SplitIndices
{
    std::vector<size_t> train;      // ascending
    std::vector<size_t> validation; // ascending
};

// round(fraction * n) samples go to validation (at least 1 when fraction > 0
// and n >= 2; the training side always keeps at least 1). fraction in [0, 1).
SplitIndices splitTrainValidation(size_t n, double fraction, uint64_t seed);

} // namespace headroom::data
