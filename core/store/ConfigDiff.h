// What differs between the configs of several runs, for the Runs view's
// comparison: each config flattened to dotted keys ("lora.r" → "8") and the
// keys whose values are not all equal. Works on the JSON as stored, so runs
// from older or newer config versions compare too (a key one lacks differs).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace headroom::store {

// Nested objects become dotted keys; strings are given bare, arrays as compact
// JSON (["q_proj","v_proj"]), null as "null", numbers as JSON writes them.
// Text that is not a JSON object gives an empty map.
std::map<std::string, std::string> flattenConfig(const std::string &configJson);

struct ConfigDifference
{
    std::string key;
    // One per config, in the order given; nullopt where that config lacks it.
    std::vector<std::optional<std::string>> values;
};

// The keys, sorted, whose values differ between `configJsons`.
std::vector<ConfigDifference> configDifferences(const std::vector<std::string> &configJsons);

} // namespace headroom::store
