// libFuzzer: a GGUF file (header, metadata key/values, tensor infos, data).
// Opens it, reads the typed metadata and touches every tensor's bytes.
#include "FuzzSupport.h"
#include "io/GgufFile.h"

HEADROOM_FUZZ_TARGET(fuzz_gguf)
{
    const auto file =
        headroom::fuzz::writeScratch("input.gguf", {reinterpret_cast<const char *>(data), size});
    return headroom::fuzz::guarded([&] {
        const auto gguf = headroom::io::GgufFile::open(file);
        unsigned sum = 0;
        for (const auto &t : gguf.tensors()) {
            sum += static_cast<unsigned>(t.numel() + t.shape().size());
            if (!t.bytes.empty())
                sum +=
                    static_cast<unsigned>(t.bytes.front()) + static_cast<unsigned>(t.bytes.back());
        }
        for (const auto &entry : gguf.metadata()) {
            const std::string &key = entry.first;
            // Each typed getter either answers or throws headroom::Error.
            auto quietly = [](auto &&f) {
                try {
                    f();
                } catch (const headroom::Error &) {
                }
            };
            quietly([&] { (void)gguf.getInt(key); });
            quietly([&] { (void)gguf.getFloat(key); });
            quietly([&] { (void)gguf.getString(key); });
            quietly([&] { (void)gguf.getStringArray(key); });
            quietly([&] { (void)gguf.getFloatArray(key); });
            quietly([&] { (void)gguf.getIntArray(key); });
        }
        (void)gguf.architecture();
        (void)sum;
    });
}
