// A folder's SHA-256 manifest, in the format of `sha256sum` (so that a person
// can check a folder with `sha256sum -c SHA256SUMS`): one line
// "<64 hex digits>  <path relative to the folder>" per regular file. Written
// last into a folder that is about to be renamed into place, verified before
// anything in the folder is trusted. Detects torn or bit-flipped files; it is
// not a signature (whoever can write the files can write the manifest).
#pragma once

#include <filesystem>
#include <string>

namespace headroom {

inline constexpr const char *kChecksumManifestName = "SHA256SUMS";

// The SHA-256 of a file's bytes as 64 lowercase hex digits; Error naming the
// file when it cannot be read.
std::string sha256File(const std::filesystem::path &file);

// Hashes every regular file under `folder` (recursively, sorted, the manifest
// itself excluded) and writes `folder`/SHA256SUMS atomically.
void writeChecksumManifest(const std::filesystem::path &folder);

// Whether `folder` has a manifest at all.
bool hasChecksumManifest(const std::filesystem::path &folder);

// Checks every file the manifest lists; Error naming the first file that is
// missing or whose bytes differ, or the manifest line that is malformed or
// names a path outside the folder.
void verifyChecksumManifest(const std::filesystem::path &folder);

} // namespace headroom
