// Concatenating KV cache.
#include "model/KvCache.h"

namespace headroom::model {

std::pair<at::Tensor, at::Tensor> KvCache::append(int64_t layer, const at::Tensor &k,
                                                  const at::Tensor &v)
{
    auto &keys = m_keys.at(static_cast<size_t>(layer));
    auto &values = m_values.at(static_cast<size_t>(layer));
    keys = keys.defined() ? at::cat({keys, k}, 2) : k;
    values = values.defined() ? at::cat({values, v}, 2) : v;
    return {keys, values};
}

} // namespace headroom::model
