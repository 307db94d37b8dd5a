// The one exception type of the engine: a message a person can act on, naming
// the file and the field at fault. Thrown inside core, caught once at the edge
// (CLI exit code 2, GUI dialog). Not for programming errors (use assertions).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace headroom {

class Error : public std::runtime_error
{
public:
    explicit Error(const std::string &message) : std::runtime_error(message) {}
};

// "<file>: <what>" — the form every file-related message takes.
[[noreturn]] void throwFileError(const std::filesystem::path &file, const std::string &what);

} // namespace headroom
