// Reading fields of tokenizer JSON files with errors that name the file and
// the field ("tokenizer.json: model.merges[3] must be ..."). `where` is always
// "<file>: <path of the object>". Deliberately only the few accessors the
// tokenizer loaders need, not a general schema validator.
#pragma once

#include "common/Error.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace headroom::tok::json {

using Json = nlohmann::json;

[[noreturn]] inline void fail(const std::string &where, const std::string &problem)
{
    throw Error(where + problem);
}

// "<file>: " + key at the top level, "<file>: a.b" + "." + key below it.
inline std::string field(const std::string &where, const std::string &key)
{
    if (where.empty() || where.back() == ' ')
        return where + key;
    if (where.back() == ':')
        return where + " " + key;
    return where + "." + key;
}

inline const Json &require(const Json &object, const std::string &key, const std::string &where)
{
    if (!object.is_object())
        fail(where, " must be an object");
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        fail(field(where, key), " is missing");
    return *it;
}

inline std::string requireString(const Json &object, const std::string &key,
                                 const std::string &where)
{
    const Json &value = require(object, key, where);
    if (!value.is_string())
        fail(field(where, key), " must be a string");
    return value.get<std::string>();
}

inline std::optional<std::string> optString(const Json &object, const std::string &key,
                                            const std::string &where)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return std::nullopt;
    if (!it->is_string())
        fail(field(where, key), " must be a string or null");
    return it->get<std::string>();
}

inline bool optBool(const Json &object, const std::string &key, bool fallback,
                    const std::string &where)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return fallback;
    if (!it->is_boolean())
        fail(field(where, key), " must be true or false");
    return it->get<bool>();
}

inline int64_t optInt(const Json &object, const std::string &key, int64_t fallback,
                      const std::string &where)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return fallback;
    if (!it->is_number_integer())
        fail(field(where, key), " must be an integer");
    return it->get<int64_t>();
}

inline const Json &requireArray(const Json &object, const std::string &key,
                                const std::string &where)
{
    const Json &value = require(object, key, where);
    if (!value.is_array())
        fail(field(where, key), " must be an array");
    return value;
}

} // namespace headroom::tok::json
