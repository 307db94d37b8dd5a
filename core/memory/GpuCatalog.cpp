// The GPU table; see GpuCatalog.h. Memory as sold (GiB of device memory);
// what is usable is that minus the context, which the estimate adds itself.
#include "memory/GpuCatalog.h"

#include <algorithm>
#include <cctype>

namespace headroom::memory {

const std::vector<GpuModel> &gpuCatalog()
{
    static const std::vector<GpuModel> table = {
        {"NVIDIA GeForce RTX 3060 Ti", 8},
        {"NVIDIA GeForce RTX 3070", 8},
        {"NVIDIA GeForce RTX 4060", 8},
        {"NVIDIA GeForce RTX 4060 Ti 8GB", 8},
        {"NVIDIA GeForce RTX 3060 12GB", 12},
        {"NVIDIA GeForce RTX 3080 12GB", 12},
        {"NVIDIA GeForce RTX 4070", 12},
        {"NVIDIA GeForce RTX 4070 Ti", 12},
        {"NVIDIA GeForce RTX 4060 Ti 16GB", 16},
        {"NVIDIA GeForce RTX 4080", 16},
        {"NVIDIA GeForce RTX 5080", 16},
        {"NVIDIA Tesla T4", 16},
        {"NVIDIA Tesla V100 16GB", 16},
        {"NVIDIA RTX A4000", 16},
        {"NVIDIA GeForce RTX 3090", 24},
        {"NVIDIA GeForce RTX 4090", 24},
        {"NVIDIA RTX A5000", 24},
        {"NVIDIA L4", 24},
        {"NVIDIA A10", 24},
        {"NVIDIA GeForce RTX 5090", 32},
        {"NVIDIA A100 40GB", 40},
        {"NVIDIA RTX A6000", 48},
        {"NVIDIA RTX 6000 Ada", 48},
        {"NVIDIA L40S", 48},
        {"NVIDIA A100 80GB", 80},
        {"NVIDIA H100 80GB", 80},
        {"NVIDIA H200", 141},
    };
    return table;
}

namespace {

// Lower case, letters and digits only, words separated by one space.
std::vector<std::string> words(const std::string &text)
{
    std::vector<std::string> out;
    std::string word;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c)) {
            word += static_cast<char>(std::tolower(c));
        } else if (!word.empty()) {
            out.push_back(word);
            word.clear();
        }
    }
    if (!word.empty())
        out.push_back(word);
    return out;
}

} // namespace

std::optional<GpuModel> findGpu(const std::string &query)
{
    const auto wanted = words(query);
    if (wanted.empty())
        return std::nullopt;
    const GpuModel *best = nullptr;
    for (const auto &gpu : gpuCatalog()) {
        const auto have = words(gpu.name);
        const bool all = std::all_of(wanted.begin(), wanted.end(), [&](const std::string &w) {
            return std::find(have.begin(), have.end(), w) != have.end();
        });
        if (all && (!best || gpu.name.size() < best->name.size()))
            best = &gpu;
    }
    if (best)
        return *best;
    return std::nullopt;
}

DeviceInfo plannedDevice(const GpuModel &gpu)
{
    DeviceInfo d;
    d.kind = DeviceInfo::Kind::Cuda;
    d.name = gpu.name;
    d.totalBytes = gpu.memoryGiB << 30;
    return d;
}

} // namespace headroom::memory
