// libFuzzer: JSON Lines dataset text (bad lines are collected, never thrown).
#include "FuzzSupport.h"
#include "data/JsonlReader.h"

HEADROOM_FUZZ_TARGET(fuzz_jsonl)
{
    return headroom::fuzz::guarded([&] {
        headroom::data::RecordSet out;
        // A small line limit too, so the over-long-line path is reached.
        headroom::data::readJsonl({reinterpret_cast<const char *>(data), size}, out);
        headroom::data::RecordSet small;
        headroom::data::readJsonl({reinterpret_cast<const char *>(data), size}, small, 64);
    });
}
