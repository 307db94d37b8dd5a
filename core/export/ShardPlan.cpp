// Shard planning as huggingface_hub does it (see ShardPlan.h).
#include "export/ShardPlan.h"

#include "common/Error.h"

#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace headroom::exporting {

uint64_t parseShardSize(std::string_view text)
{
    std::string upper;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)))
            upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const std::pair<const char *, double> units[] = {
        {"GIB", 1024.0 * 1024 * 1024},
        {"MIB", 1024.0 * 1024},
        {"KIB", 1024.0},
        {"GB", 1e9},
        {"MB", 1e6},
        {"KB", 1e3},
        {"B", 1.0},
    };
    double factor = 1.0;
    std::string number = upper;
    for (const auto &[suffix, value] : units) {
        if (upper.ends_with(suffix)) {
            number = upper.substr(0, upper.size() - std::string_view(suffix).size());
            factor = value;
            break;
        }
    }
    std::size_t used = 0;
    double amount = 0;
    try {
        amount = std::stod(number, &used);
    } catch (const std::exception &) {
        used = 0;
    }
    if (number.empty() || used != number.size() || !(amount > 0) || amount * factor > 1e18)
        throw Error("--max-shard-size `" + std::string(text) +
                    "`: expected a positive size such as 5GB, 500MB, 2GiB or a byte count");
    return static_cast<uint64_t>(amount * factor);
}

std::string ShardPlan::fileName(std::size_t shard) const
{
    if (shards.size() <= 1)
        return "model.safetensors";
    char name[64];
    std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", shard + 1, shards.size());
    return name;
}

ShardPlan planShards(const std::vector<uint64_t> &tensorBytes, uint64_t maxShardBytes)
{
    ShardPlan plan;
    std::vector<std::size_t> current;
    uint64_t currentBytes = 0;
    for (std::size_t i = 0; i < tensorBytes.size(); ++i) {
        const uint64_t bytes = tensorBytes[i];
        plan.totalBytes += bytes;
        if (bytes > maxShardBytes) {
            plan.shards.push_back({i}); // alone; the open shard stays open
            continue;
        }
        if (currentBytes + bytes > maxShardBytes && !current.empty()) {
            plan.shards.push_back(std::move(current));
            current.clear();
            currentBytes = 0;
        }
        current.push_back(i);
        currentBytes += bytes;
    }
    if (!current.empty() || plan.shards.empty())
        plan.shards.push_back(std::move(current));
    return plan;
}

std::string shardIndexJson(uint64_t totalBytes, const std::map<std::string, std::string> &weightMap)
{
    nlohmann::json index = {{"metadata", {{"total_size", totalBytes}}},
                            {"weight_map", nlohmann::json::object()}};
    for (const auto &[name, file] : weightMap)
        index["weight_map"][name] = file;
    return index.dump(2) + "\n";
}

} // namespace headroom::exporting
