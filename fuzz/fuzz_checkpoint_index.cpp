// libFuzzer: model.safetensors.index.json of a sharded model folder whose
// folder holds two small valid shards (the shard names the seeds use), so
// the fuzzer reaches the weight_map checks: paths leaving the folder,
// tensors listed twice or missing from their shard.
#include "FuzzSupport.h"
#include "io/CheckpointIndex.h"

#include <cstring>

namespace {

// A valid one-tensor safetensors file: F32 tensor `name` of shape [2].
std::string shard(const std::string &name)
{
    std::string header =
        "{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    while (header.size() % 8)
        header += ' ';
    std::string bytes(8, '\0');
    const uint64_t n = header.size();
    std::memcpy(bytes.data(), &n, 8); // little-endian host
    return bytes + header + std::string(8, '\0');
}

} // namespace

HEADROOM_FUZZ_TARGET(fuzz_checkpoint_index)
{
    namespace fs = std::filesystem;
    static const fs::path folder = [] {
        auto f = headroom::fuzz::scratchDir() / "model";
        fs::create_directories(f);
        headroom::fuzz::writeScratch("model/model-00001-of-00002.safetensors", shard("a.weight"));
        headroom::fuzz::writeScratch("model/model-00002-of-00002.safetensors", shard("b.weight"));
        return f;
    }();
    headroom::fuzz::writeScratch("model/model.safetensors.index.json",
                                 {reinterpret_cast<const char *>(data), size});
    return headroom::fuzz::guarded([&] {
        const auto index = headroom::io::CheckpointIndex::open(folder);
        for (const auto &[name, tensor] : index.tensors())
            if (!tensor.file || !tensor.info || index.find(name) != &tensor)
                std::abort();
        (void)index.totalBytes();
    });
}
