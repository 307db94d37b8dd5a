// Limits on what a model file may claim, checked before anything is built per
// entry, so that an absurd header (a million tiny tensors in a 60 MB
// safetensors header, a GGUF or index claiming as many) is refused with the
// file's name instead of costing gigabytes of bookkeeping. Header-only.
#pragma once

#include <cstdint>

namespace headroom::io {

// Tensors in one safetensors file, one GGUF file, or one shard index's
// weight_map. Real checkpoints stay below 10^5 (DeepSeek-V3's index lists
// about 9 × 10^4 across all its shards); five times that leaves room for
// larger mixtures of experts while a 10^6-entry header is refused.
inline constexpr uint64_t kMaxTensorCount = 500'000;

} // namespace headroom::io
