// A whole (small) file into memory, for the files we copy or parse as text:
// `latest` pointers, tokenizer files. Large files are memory-mapped instead
// (MappedFile).
#pragma once

#include <filesystem>
#include <string>

namespace headroom {

// The bytes of `file`; Error naming the file when it cannot be read.
std::string readFile(const std::filesystem::path &file);

} // namespace headroom
