// libFuzzer: CSV and TSV dataset text (the first byte picks the delimiter).
#include "FuzzSupport.h"
#include "data/CsvReader.h"

HEADROOM_FUZZ_TARGET(fuzz_csv)
{
    if (size == 0)
        return 0;
    const char delimiter = (data[0] & 1) ? '\t' : ',';
    const std::string_view text(reinterpret_cast<const char *>(data + 1), size - 1);
    return headroom::fuzz::guarded([&] {
        headroom::data::RecordSet out;
        headroom::data::readDelimited(text, delimiter, out);
        headroom::data::RecordSet small;
        headroom::data::readDelimited(text, delimiter, small, 64);
    });
}
