// See ConfigDiff.h.
#include "store/ConfigDiff.h"

#include <nlohmann/json.hpp>
#include <set>

namespace headroom::store {

namespace {

void flatten(const nlohmann::json &value, const std::string &prefix,
             std::map<std::string, std::string> &out)
{
    if (value.is_object() && !value.empty()) {
        for (const auto &[key, child] : value.items())
            flatten(child, prefix.empty() ? key : prefix + "." + key, out);
        return;
    }
    out[prefix] = value.is_string() ? value.get<std::string>() : value.dump();
}

} // namespace

std::map<std::string, std::string> flattenConfig(const std::string &configJson)
{
    std::map<std::string, std::string> out;
    const auto json = nlohmann::json::parse(configJson, nullptr, false);
    if (json.is_object())
        flatten(json, {}, out);
    return out;
}

std::vector<ConfigDifference> configDifferences(const std::vector<std::string> &configJsons)
{
    std::vector<std::map<std::string, std::string>> flat;
    std::set<std::string> keys;
    for (const auto &json : configJsons) {
        flat.push_back(flattenConfig(json));
        for (const auto &entry : flat.back())
            keys.insert(entry.first);
    }
    std::vector<ConfigDifference> out;
    for (const auto &key : keys) {
        ConfigDifference difference{key, {}};
        for (const auto &config : flat) {
            const auto it = config.find(key);
            difference.values.push_back(it == config.end() ? std::nullopt
                                                           : std::optional(it->second));
        }
        bool allEqual = true;
        for (const auto &value : difference.values)
            allEqual = allEqual && value == difference.values.front();
        if (!allEqual)
            out.push_back(std::move(difference));
    }
    return out;
}

} // namespace headroom::store
