// Chunked log-softmax scoring.
#include "model/Scoring.h"

namespace headroom::model {

SequenceScore scoreSequence(CausalLM &model, const std::vector<int64_t> &ids,
                            at::Tensor *fullLogits, int64_t chunk)
{
    SequenceScore score;
    if (ids.empty())
        return score;
    at::InferenceMode inference;
    const auto device = model.device();
    auto input = at::tensor(ids, at::kLong).to(device).unsqueeze(0); // [1, T]
    auto hidden = model.forwardHidden(input)[0];                     // [T, H]
    const int64_t tokens = hidden.size(0);
    std::vector<at::Tensor> kept;
    for (int64_t begin = 0; begin < tokens; begin += chunk) {
        const int64_t length = std::min(chunk, tokens - begin);
        auto logits = model.logits(hidden.narrow(0, begin, length)).to(at::kFloat); // [c, V]
        if (fullLogits)
            kept.push_back(logits.cpu());
        // Position t predicts token t+1; the last position predicts nothing.
        const int64_t predicting = std::min(length, tokens - 1 - begin);
        if (predicting <= 0)
            continue;
        auto logProbs = at::log_softmax(logits.narrow(0, 0, predicting), -1);  // [p, V]
        auto targets = input[0].narrow(0, begin + 1, predicting).unsqueeze(1); // [p, 1]
        score.sumNll -= logProbs.gather(1, targets).sum().item<double>();
        score.predicted += predicting;
    }
    if (fullLogits)
        *fullLogits = at::cat(kept, 0);
    return score;
}

} // namespace headroom::model
