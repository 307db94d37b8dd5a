// libFuzzer: a .safetensors file (8-byte header length, JSON header, data).
// Opens it and touches every tensor's bytes, so an out-of-range span shows
// up under AddressSanitizer.
#include "FuzzSupport.h"
#include "io/SafetensorsFile.h"

HEADROOM_FUZZ_TARGET(fuzz_safetensors)
{
    const auto file = headroom::fuzz::writeScratch("input.safetensors",
                                                   {reinterpret_cast<const char *>(data), size});
    return headroom::fuzz::guarded([&] {
        const auto st = headroom::io::SafetensorsFile::open(file);
        unsigned sum = 0;
        for (const auto &t : st.tensors()) {
            sum += static_cast<unsigned>(t.numel());
            if (!t.bytes.empty())
                sum +=
                    static_cast<unsigned>(t.bytes.front()) + static_cast<unsigned>(t.bytes.back());
            if (st.find(t.name) != &t)
                std::abort();
        }
        for (const auto &[k, v] : st.metadata())
            sum += static_cast<unsigned>(k.size() + v.size());
        (void)sum;
    });
}
