// Reading small JSON files (configs, indexes, headers) with messages that name
// the file, line and column. Rejects duplicate keys, which nlohmann_json would
// otherwise silently collapse. Not for large files (reads the whole text).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

namespace headroom::io {

// Throws headroom::Error "<file>: invalid JSON at line L column C: …" or
// "<file>: duplicate key `k`".
nlohmann::json parseJsonText(std::string_view text, const std::filesystem::path &file);

// Members of the top-level object (`underKey` empty) or of the object that
// the top-level member `underKey` holds, counted without building the JSON
// value (a SAX pass); a member named `excludedKey` is not counted (the
// safetensors `__metadata__`). Stops counting at `stopAfter` + 1, so that a
// count limit is checked before a huge header is parsed into nlohmann values.
// Text that is not valid JSON returns what was counted up to the error:
// parseJsonText reports it with its position.
std::size_t countObjectMembers(std::string_view text, std::string_view underKey,
                               std::size_t stopAfter, std::string_view excludedKey = {});

// Reads and parses; "<file>: cannot read: …" when the file is missing.
nlohmann::json readJsonFile(const std::filesystem::path &file);

} // namespace headroom::io
