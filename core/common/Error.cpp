// Helpers that build Error messages in the house format.
#include "common/Error.h"

namespace headroom {

void throwFileError(const std::filesystem::path &file, const std::string &what)
{
    throw Error(file.string() + ": " + what);
}

} // namespace headroom
