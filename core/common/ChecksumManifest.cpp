// SHA256SUMS manifests; see ChecksumManifest.h. Hashing is OpenSSL's EVP.
#include "common/ChecksumManifest.h"

#include "common/AtomicFile.h"
#include "common/Error.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace headroom {

namespace fs = std::filesystem;

std::string sha256File(const fs::path &file)
{
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> in(std::fopen(file.c_str(), "rb"),
                                                        &std::fclose);
    if (!in)
        throwFileError(file, "cannot open to check its checksum");
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throwFileError(file, "cannot start SHA-256");
    std::vector<unsigned char> buffer(1 << 20);
    for (;;) {
        const size_t n = std::fread(buffer.data(), 1, buffer.size(), in.get());
        if (n > 0 && EVP_DigestUpdate(ctx.get(), buffer.data(), n) != 1)
            throwFileError(file, "SHA-256 failed");
        if (n < buffer.size()) {
            if (std::ferror(in.get()))
                throwFileError(file, "read failed while checking its checksum");
            break;
        }
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1)
        throwFileError(file, "SHA-256 failed");
    static const char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < size; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 15];
    }
    return hex;
}

void writeChecksumManifest(const fs::path &folder)
{
    std::vector<std::string> names;
    for (const auto &entry : fs::recursive_directory_iterator(folder)) {
        if (!entry.is_regular_file())
            continue;
        const auto relative = entry.path().lexically_relative(folder).generic_string();
        // Skip the manifest and AtomicFile temporaries (dot files).
        if (relative == kChecksumManifestName || entry.path().filename().string().starts_with("."))
            continue;
        names.push_back(relative);
    }
    std::sort(names.begin(), names.end());
    std::string text;
    for (const auto &name : names)
        text += sha256File(folder / name) + "  " + name + "\n";
    writeFileAtomically(folder / kChecksumManifestName, text);
}

bool hasChecksumManifest(const fs::path &folder)
{
    return fs::is_regular_file(folder / kChecksumManifestName);
}

void verifyChecksumManifest(const fs::path &folder)
{
    const fs::path manifest = folder / kChecksumManifestName;
    std::ifstream in(manifest);
    if (!in)
        throwFileError(manifest, "cannot open");
    int lineNumber = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNumber;
        const std::string where = manifest.string() + ":" + std::to_string(lineNumber);
        if (line.size() < 67 || line.compare(64, 2, "  ") != 0 ||
            line.find_first_not_of("0123456789abcdef") < 64)
            throw Error(where + ": not a `<sha256>  <file>` line");
        const std::string expected = line.substr(0, 64);
        const fs::path relative = fs::path(line.substr(66)).lexically_normal();
        if (relative.is_absolute() || relative.empty() || *relative.begin() == "..")
            throw Error(where + ": names `" + relative.string() + "`, outside the folder");
        const fs::path file = folder / relative;
        if (!fs::is_regular_file(file))
            throwFileError(file, "listed in " + manifest.string() + " but missing");
        if (sha256File(file) != expected)
            throwFileError(file, "checksum mismatch: the file is corrupt (it differs from " +
                                     manifest.string() + ")");
    }
    if (lineNumber == 0)
        throwFileError(manifest, "empty: the checkpoint is incomplete");
}

} // namespace headroom
