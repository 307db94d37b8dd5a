// Greedy / top-p sampling loop over CausalLM with a KV cache.
#include "model/Generation.h"

#include "common/Error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

namespace headroom::model {

int64_t sampleToken(const at::Tensor &logits, const SamplingOptions &options,
                    at::Generator &generator)
{
    auto scores = logits.to(at::kFloat).cpu(); // [V]
    if (options.temperature <= 0.0)
        return scores.argmax().item<int64_t>();
    auto probabilities = at::softmax(scores / options.temperature, -1);
    if (options.topP < 1.0) {
        auto [sorted, order] = probabilities.sort(/*dim=*/-1, /*descending=*/true);
        auto cumulative = sorted.cumsum(-1);
        // Drop a token when the tokens before it already reach topP; the first always stays.
        auto drop = (cumulative - sorted) >= options.topP;
        sorted = sorted.masked_fill(drop, 0.0);
        probabilities = at::zeros_like(probabilities).scatter(-1, order, sorted);
    }
    return at::multinomial(probabilities, 1, /*replacement=*/false, generator).item<int64_t>();
}

std::vector<int64_t> generate(CausalLM &model, const std::vector<int64_t> &prompt,
                              const SamplingOptions &options,
                              const std::function<bool(int64_t)> &onToken)
{
    if (prompt.empty())
        throw Error("generate: the prompt has no tokens");
    if (options.topP <= 0.0 || options.topP > 1.0)
        throw Error("generate: top-p must be in (0, 1], got " + std::to_string(options.topP));
    if (options.temperature < 0.0)
        throw Error("generate: temperature must be ≥ 0, got " +
                    std::to_string(options.temperature));
    if (options.repetitionPenalty <= 0.0)
        throw Error("generate: repetition penalty must be > 0, got " +
                    std::to_string(options.repetitionPenalty));
    at::InferenceMode inference;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
    KvCache cache(model.config().numLayers);
    const auto device = model.device();
    auto input = at::tensor(prompt, at::kLong).to(device).unsqueeze(0); // [1, P]
    std::vector<int64_t> produced, seen = prompt;
    for (int64_t step = 0; step < options.maxNewTokens; ++step) {
        auto hidden = model.forwardHidden(input, &cache);                 // [1, T, H]
        auto logits = model.logits(hidden.select(1, hidden.size(1) - 1)); // [1, V]
        auto scores = logits[0];
        if (options.repetitionPenalty != 1.0) {
            scores = scores.to(at::kFloat).cpu();
            auto ids = at::tensor(seen, at::kLong);
            auto picked = scores.index_select(0, ids);
            picked = at::where(picked < 0, picked * options.repetitionPenalty,
                               picked / options.repetitionPenalty);
            scores.index_copy_(0, ids, picked);
        }
        const int64_t token = sampleToken(scores, options, generator);
        produced.push_back(token);
        seen.push_back(token);
        if (onToken && !onToken(token))
            break;
        if (std::find(options.stopIds.begin(), options.stopIds.end(), token) !=
            options.stopIds.end())
            break;
        input =
            at::tensor(std::vector<int64_t>{token}, at::kLong).to(device).unsqueeze(0); // [1, 1]
    }
    return produced;
}

} // namespace headroom::model
