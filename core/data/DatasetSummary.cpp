// Summary helpers; see DatasetSummary.h.
#include "data/DatasetSummary.h"

#include <algorithm>

namespace headroom::data {

LengthHistogram DatasetSummary::lengthHistogram(size_t bins) const
{
    LengthHistogram h;
    bins = std::max<size_t>(bins, 1);
    size_t top = maxSeqLen;
    for (uint32_t l : sampleLengths)
        top = std::max<size_t>(top, l);
    h.binWidth = std::max<size_t>(1, (top + bins) / bins);
    h.counts.assign(bins, 0);
    for (uint32_t l : sampleLengths)
        ++h.counts[std::min(bins - 1, size_t(l) / h.binWidth)];
    return h;
}

std::string DatasetSummary::text(size_t maxMalformedShown) const
{
    std::string s =
        file + " (" + fileType + "): format " + formatName(format) + " (" + formatReason + ")";
    if (!chatFormat.empty())
        s += ", chat format " + chatFormat;
    s += "\n" + std::to_string(records) + " records, " + std::to_string(samples) +
         " usable samples (" + std::to_string(trainSamples) + " train, " +
         std::to_string(validationSamples) + " validation), " + std::to_string(totalTokens) +
         " tokens of which " + std::to_string(targetTokens) + " trained";
    if (packedTrainSequences + packedValidationSequences > 0)
        s += ", packed into " + std::to_string(packedTrainSequences) + " + " +
             std::to_string(packedValidationSequences) + " sequences";
    s += "\n" + std::to_string(truncated) + " samples truncated to " + std::to_string(maxSeqLen) +
         " tokens";
    if (droppedNoTargets > 0)
        s += ", " + std::to_string(droppedNoTargets) + " dropped (no target token left)";
    if (notAligned > 0)
        s += ", " + std::to_string(notAligned) +
             " tokenized differently at a prompt/reply boundary than as one text";
    if (!malformed.empty()) {
        s += "\n" + std::to_string(malformed.size()) + " malformed:";
        for (size_t i = 0; i < malformed.size() && i < maxMalformedShown; ++i)
            s += "\n  " + describe(malformed[i]);
        if (malformed.size() > maxMalformedShown)
            s += "\n  ...";
    }
    return s;
}

} // namespace headroom::data
