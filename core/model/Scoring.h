// Per-token negative log-likelihood of a text under the model, computed in
// chunks of positions so the full [T, V] logits tensor never exists at once
// (its fp32 copy is often the largest tensor of a step).
#pragma once

#include "model/CausalLM.h"

#include <vector>

namespace headroom::model {

struct SequenceScore
{
    double sumNll = 0.0;   // Σ −log p(token_t | tokens_<t), over t = 1 … T−1
    int64_t predicted = 0; // T − 1
};

// ids: one sequence. `fullLogits`, when given, receives the fp32 logits [T, V].
SequenceScore scoreSequence(CausalLM &model, const std::vector<int64_t> &ids,
                            at::Tensor *fullLogits = nullptr, int64_t chunk = 256);

} // namespace headroom::model
