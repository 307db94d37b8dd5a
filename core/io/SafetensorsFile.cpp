// Validation rules of the reference safetensors reader (safetensors/src/tensor.rs),
// restated: header size bounds, JSON object, known dtypes, byte counts that
// match the shapes, contiguous offsets that cover the buffer exactly. Does not
// accept anything the reference would refuse.
#include "io/SafetensorsFile.h"

#include "common/Error.h"
#include "common/ShapeText.h"
#include "io/CheckedMath.h"
#include "io/JsonFile.h"
#include "io/Limits.h"

#include <algorithm>
#include <cstring>

namespace headroom::io {

namespace {
bool isNonNegativeInteger(const nlohmann::json &v)
{
    return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}
} // namespace

int64_t TensorInfo::numel() const
{
    int64_t n = 1;
    for (auto d : shape)
        n *= d; // validated at open(): cannot overflow
    return n;
}

SafetensorsFile SafetensorsFile::open(const std::filesystem::path &path)
{
    SafetensorsFile file;
    file.m_path = path;
    file.m_mapping = MappedFile::open(path);
    const auto bytes = file.m_mapping->bytes();
    const uint64_t fileSize = bytes.size();

    if (fileSize < 8)
        throwFileError(path, "file is " + std::to_string(fileSize) +
                                 " bytes, too short for the 8-byte safetensors header length");
    uint64_t headerLength = 0;
    std::memcpy(&headerLength, bytes.data(), 8); // little-endian host (x86-64, aarch64)
    if (headerLength > kMaxSafetensorsHeader)
        throwFileError(path, "header length " + std::to_string(headerLength) +
                                 " exceeds the limit of 100000000 bytes");
    if (headerLength > fileSize - 8)
        throwFileError(path, "header length " + std::to_string(headerLength) +
                                 " runs past the end of the file (" + std::to_string(fileSize) +
                                 " bytes)");
    const uint64_t dataStart = 8 + headerLength;
    const uint64_t bufferLength = fileSize - dataStart;

    std::string_view headerText(reinterpret_cast<const char *>(bytes.data()) + 8, headerLength);
    // Counted before parsing: a 100 MB header of tiny entries would cost
    // gigabytes as nlohmann values before any per-tensor check could run.
    if (countObjectMembers(headerText, {}, kMaxTensorCount, "__metadata__") > kMaxTensorCount)
        throwFileError(path, "header lists more than " + std::to_string(kMaxTensorCount) +
                                 " tensors, the limit for one file");
    nlohmann::json header;
    try {
        header = parseJsonText(headerText, path);
    } catch (const Error &e) {
        // Reword: the problem is in the header, not a standalone JSON file.
        std::string what = e.what();
        throwFileError(path,
                       "header: " + what.substr(std::min(what.size(), path.string().size() + 2)));
    }
    if (!header.is_object())
        throwFileError(path, std::string("header is not a JSON object but ") + header.type_name());

    struct Range
    {
        uint64_t begin, end;
        std::size_t index;
    };
    std::vector<Range> ranges;
    ranges.reserve(header.size());
    file.m_tensors.reserve(header.size());
    for (const auto &[key, value] : header.items()) {
        if (key == "__metadata__") {
            if (!value.is_object())
                throwFileError(path, "__metadata__ is not an object");
            for (const auto &[mk, mv] : value.items()) {
                if (!mv.is_string())
                    throwFileError(path, "__metadata__ `" + mk + "` is not a string but " +
                                             mv.type_name());
                file.m_metadata[mk] = mv.get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor `" + key + "`: ";
        if (!value.is_object())
            throwFileError(path, where + "entry is not an object");
        if (!value.contains("dtype") || !value["dtype"].is_string())
            throwFileError(path, where + "missing string field `dtype`");
        auto dtype = dtypeFromName(value["dtype"].get<std::string>());
        if (!dtype)
            throwFileError(path,
                           where + "unknown dtype `" + value["dtype"].get<std::string>() + "`");
        if (!value.contains("shape") || !value["shape"].is_array())
            throwFileError(path, where + "missing array field `shape`");
        TensorInfo info;
        info.name = key;
        info.dtype = *dtype;
        uint64_t numel = 1;
        bool overflow = false;
        for (const auto &d : value["shape"]) {
            if (!isNonNegativeInteger(d))
                throwFileError(path, where + "shape " + value["shape"].dump() +
                                         " has an entry that is not a non-negative integer");
            const uint64_t dim = d.get<uint64_t>();
            if (dim > static_cast<uint64_t>(INT64_MAX))
                overflow = true;
            auto product = checkedMul(numel, dim);
            if (!product)
                overflow = true;
            else
                numel = *product;
            info.shape.push_back(static_cast<int64_t>(std::min<uint64_t>(dim, INT64_MAX)));
        }
        auto needed = checkedMul(numel, dtypeSize(info.dtype));
        if (overflow || !needed || numel > static_cast<uint64_t>(INT64_MAX))
            throwFileError(path, where + "shape " + shapeText(info.shape) + " is too large");
        const auto &offsets =
            value.contains("data_offsets") ? value["data_offsets"] : nlohmann::json();
        if (!offsets.is_array() || offsets.size() != 2 || !isNonNegativeInteger(offsets[0]) ||
            !isNonNegativeInteger(offsets[1]))
            throwFileError(path,
                           where + "data_offsets must be [begin, end] of non-negative integers");
        const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
        const std::string range =
            "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + ")";
        if (end < begin)
            throwFileError(path, where + range + " end before begin");
        if (end - begin != *needed)
            throwFileError(path, where + range + " hold " + std::to_string(end - begin) +
                                     " bytes but shape " + shapeText(info.shape) + " × " +
                                     std::string(dtypeName(info.dtype)) + " needs " +
                                     std::to_string(*needed));
        if (end > bufferLength)
            throwFileError(path, where + range + " run past the end of the data buffer (" +
                                     std::to_string(bufferLength) + " bytes)");
        info.offset = dataStart + begin;
        info.bytes = bytes.subspan(info.offset, end - begin);
        ranges.push_back({begin, end, file.m_tensors.size()});
        file.m_tensors.push_back(std::move(info));
    }

    // Offsets must tile the buffer: sorted, starting at 0, no gap, no overlap.
    std::sort(ranges.begin(), ranges.end(), [](const Range &a, const Range &b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t expected = 0;
    const TensorInfo *previous = nullptr;
    for (const auto &r : ranges) {
        const auto &t = file.m_tensors[r.index];
        if (r.begin > expected)
            throwFileError(path, "tensor `" + t.name + "`: gap in the data buffer: begins at " +
                                     std::to_string(r.begin) + " but the previous tensor" +
                                     (previous ? " `" + previous->name + "`" : std::string()) +
                                     " ends at " + std::to_string(expected));
        if (r.begin < expected)
            throwFileError(path, "tensor `" + t.name + "`: data_offsets overlap tensor `" +
                                     (previous ? previous->name : std::string()) + "` (begins at " +
                                     std::to_string(r.begin) + ", previous ends at " +
                                     std::to_string(expected) + ")");
        expected = r.end;
        previous = &t;
    }
    if (expected != bufferLength)
        throwFileError(path, "tensor data ends at " + std::to_string(expected) +
                                 " but the data buffer is " + std::to_string(bufferLength) +
                                 " bytes (trailing bytes or truncated file)");

    std::vector<TensorInfo> sorted;
    sorted.reserve(file.m_tensors.size());
    for (const auto &r : ranges)
        sorted.push_back(std::move(file.m_tensors[r.index]));
    file.m_tensors = std::move(sorted);
    for (std::size_t i = 0; i < file.m_tensors.size(); ++i)
        file.m_byName.emplace(file.m_tensors[i].name, i);
    return file;
}

const TensorInfo *SafetensorsFile::find(std::string_view name) const
{
    auto it = m_byName.find(std::string(name));
    return it == m_byName.end() ? nullptr : &m_tensors[it->second];
}

} // namespace headroom::io
