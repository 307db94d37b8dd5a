// Truncation and packing; see Packing.h.
#include "data/Packing.h"

#include "common/Error.h"

namespace headroom::data {

size_t truncateSamples(std::vector<TokenizedSample> &samples, size_t maxSeqLen)
{
    size_t cut = 0;
    for (TokenizedSample &s : samples)
        if (s.ids.size() > maxSeqLen) {
            s.ids.resize(maxSeqLen);
            s.labels.resize(maxSeqLen);
            ++cut;
        }
    return cut;
}

std::vector<PackedSequence> packSamples(const std::vector<TokenizedSample> &samples,
                                        size_t maxSeqLen)
{
    std::vector<PackedSequence> out;
    for (const TokenizedSample &s : samples) {
        if (s.ids.size() > maxSeqLen)
            throw Error("packing: a sample of " + std::to_string(s.ids.size()) +
                        " tokens is longer than max_seq_len " + std::to_string(maxSeqLen) +
                        " (truncate first)");
        if (s.ids.empty())
            continue;
        if (out.empty() || out.back().ids.size() + s.ids.size() > maxSeqLen)
            out.emplace_back();
        PackedSequence &p = out.back();
        const size_t start = p.ids.size();
        p.ids.insert(p.ids.end(), s.ids.begin(), s.ids.end());
        p.labels.insert(p.labels.end(), s.labels.begin(), s.labels.end());
        // A sample's first token is never a target: the previous sample's last
        // token must not learn to predict it (transformers'
        // DataCollatorWithFlattening does the same).
        p.labels[start] = kIgnoreIndex;
        for (size_t i = 0; i < s.ids.size(); ++i)
            p.positionIds.push_back(static_cast<int32_t>(i));
        p.sequenceLengths.push_back(static_cast<int32_t>(s.ids.size()));
    }
    return out;
}

} // namespace headroom::data
