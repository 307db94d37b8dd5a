// Autoregressive generation with a KV cache: greedy at temperature 0,
// otherwise temperature + nucleus (top-p) sampling from a seeded generator.
// Streams each token through a callback. Not batched; no beam search.
#pragma once

#include "model/CausalLM.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace headroom::model {

struct SamplingOptions
{
    int64_t maxNewTokens = 128;
    double temperature = 0.0; // 0: greedy (argmax)
    double topP = 1.0;        // keep the smallest set of tokens whose probability reaches topP
    uint64_t seed = 0;
    // transformers' repetition_penalty: the logit of every token already in
    // the prompt or the output is divided by it (multiplied when negative);
    // 1 = off. Small models loop without it.
    double repetitionPenalty = 1.0;
    std::vector<int64_t> stopIds; // generation ends after emitting one of these
};

// Returns the new tokens (prompt excluded). `onToken` returning false stops early.
std::vector<int64_t> generate(CausalLM &model, const std::vector<int64_t> &prompt,
                              const SamplingOptions &options,
                              const std::function<bool(int64_t)> &onToken = {});

// Picks the next token from logits [V] (any float dtype). Exposed for tests.
int64_t sampleToken(const at::Tensor &logits, const SamplingOptions &options,
                    at::Generator &generator);

} // namespace headroom::model
