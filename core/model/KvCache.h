// Keys and values of the tokens already processed, per decoder layer, so
// generation feeds one new token at a time. Grows by concatenation; not a
// paged or pre-allocated cache (generation here is for previews and tests).
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace headroom::model {

class KvCache
{
public:
    explicit KvCache(int64_t layers) : m_keys(layers), m_values(layers) {}

    // Tokens cached so far (the position of the next token).
    int64_t length() const { return m_length; }

    // k/v [B, Hkv, T, D] appended for `layer`; returns the whole [B, Hkv, S, D].
    std::pair<at::Tensor, at::Tensor> append(int64_t layer, const at::Tensor &k,
                                             const at::Tensor &v);

    // Called once per forward, after every layer appended `tokens`.
    void advance(int64_t tokens) { m_length += tokens; }

private:
    std::vector<at::Tensor> m_keys, m_values;
    int64_t m_length = 0;
};

} // namespace headroom::model
