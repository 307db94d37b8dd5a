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

// Reads and parses; "<file>: cannot read: …" when the file is missing.
nlohmann::json readJsonFile(const std::filesystem::path &file);

} // namespace headroom::io
