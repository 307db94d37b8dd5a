// Fitting tokenized samples to max_seq_len: truncation (keeps the beginning,
// counts what it cut) and packing (several samples concatenated into one
// sequence of at most max_seq_len tokens). Packed sequences keep the sample
// boundaries: position ids restart at 0 for every sample and the sample
// lengths are listed, so attention can be restricted to each sample
// (varlen / block-diagonal mask). Packing is next-fit in the given order
// (shuffle first if you want a random mix); a sample is never split across
// two sequences. Does not pad (the collator does that per batch).
#pragma once

#include "data/SampleEncoder.h"

#include <cstdint>
#include <vector>

namespace headroom::data {

// Cuts every sample longer than maxSeqLen to its first maxSeqLen tokens;
// returns how many were cut.
size_t truncateSamples(std::vector<TokenizedSample> &samples, size_t maxSeqLen);

struct PackedSequence
{
    std::vector<int32_t> ids;
    std::vector<int32_t> labels;
    std::vector<int32_t> positionIds;     // 0,1,2,... restarting per sample
    std::vector<int32_t> sequenceLengths; // lengths of the samples, in order; sum = ids.size()
};

// Samples must already be at most maxSeqLen long (truncateSamples).
std::vector<PackedSequence> packSamples(const std::vector<TokenizedSample> &samples,
                                        size_t maxSeqLen);

} // namespace headroom::data
