// See ReadFile.h.
#include "common/ReadFile.h"

#include "common/Error.h"

#include <fstream>
#include <sstream>

namespace headroom {

std::string readFile(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throwFileError(file, "cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throwFileError(file, "read error");
    return text.str();
}

} // namespace headroom
