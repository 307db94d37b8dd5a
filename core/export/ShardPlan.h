// How a merged model is split into safetensors shards, decided from tensor
// sizes alone before any tensor is computed, exactly as huggingface_hub's
// split_torch_state_dict_into_shards does (SPECS.md §5.3): greedy in
// state-dict order, a tensor larger than the limit alone in its own shard;
// file names model-0000k-of-0000n.safetensors and the index JSON transformers
// reads. Torch-free; writes nothing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::exporting {

// huggingface_hub MAX_SHARD_SIZE ("5GB", decimal).
inline constexpr uint64_t kDefaultMaxShardBytes = 5'000'000'000ULL;

// "5GB" (10^9), "500MB", "10KB", "2GiB" (2^30), "512MiB", "1000" (bytes), as
// transformers' convert_file_size_to_int; throws headroom::Error naming the
// text otherwise.
uint64_t parseShardSize(std::string_view text);

struct ShardPlan
{
    // Indices into the tensor list, per shard, in order.
    std::vector<std::vector<std::size_t>> shards;
    uint64_t totalBytes = 0;
    // "model.safetensors" for one shard, else model-0000k-of-0000n.safetensors.
    std::string fileName(std::size_t shard) const;
};

ShardPlan planShards(const std::vector<uint64_t> &tensorBytes, uint64_t maxShardBytes);

// model.safetensors.index.json: {"metadata": {"total_size": N}, "weight_map": {...}}.
std::string shardIndexJson(uint64_t totalBytes,
                           const std::map<std::string, std::string> &weightMap);

} // namespace headroom::exporting
