// Header building and atomic write for SafetensorsWriter. Does not validate
// anything the reader would not (the reader is the authority on the format).
#include "io/SafetensorsWriter.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "io/CheckedMath.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

namespace headroom::io {

void SafetensorsWriter::add(std::string name, DType dtype, std::vector<int64_t> shape,
                            std::span<const std::byte> bytes)
{
    if (name.empty() || name == "__metadata__")
        throw Error("safetensors writer: invalid tensor name `" + name + "`");
    for (const auto &e : m_entries)
        if (e.name == name)
            throw Error("safetensors writer: tensor `" + name + "` added twice");
    std::optional<uint64_t> needed = dtypeSize(dtype);
    for (auto d : shape) {
        if (d < 0)
            throw Error("safetensors writer: tensor `" + name + "`: negative dimension");
        needed = needed ? checkedMul(*needed, static_cast<uint64_t>(d)) : std::nullopt;
    }
    if (!needed || *needed != bytes.size())
        throw Error("safetensors writer: tensor `" + name + "`: " + std::to_string(bytes.size()) +
                    " bytes do not match its shape × " + std::string(dtypeName(dtype)));
    m_entries.push_back({std::move(name), dtype, std::move(shape), bytes});
}

void SafetensorsWriter::setMetadata(const std::string &key, const std::string &value)
{
    m_metadata[key] = value;
}

void SafetensorsWriter::write(const std::filesystem::path &path) const
{
    std::vector<const Entry *> order;
    for (const auto &e : m_entries)
        order.push_back(&e);
    // As the reference writer: larger elements first keeps every tensor
    // aligned to its element size once the data start is 8-aligned.
    std::sort(order.begin(), order.end(), [](const Entry *a, const Entry *b) {
        const auto sa = dtypeSize(a->dtype), sb = dtypeSize(b->dtype);
        return sa != sb ? sa > sb : a->name < b->name;
    });

    nlohmann::ordered_json header;
    header["__metadata__"] = m_metadata;
    uint64_t offset = 0;
    for (const Entry *e : order) {
        nlohmann::ordered_json entry;
        entry["dtype"] = std::string(dtypeName(e->dtype));
        entry["shape"] = e->shape;
        entry["data_offsets"] = {offset, offset + e->bytes.size()};
        header[e->name] = std::move(entry);
        offset += e->bytes.size();
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception &e) { // e.g. a name that is not UTF-8
        throwFileError(path, std::string("cannot write header: ") + e.what());
    }
    text.append((8 - text.size() % 8) % 8, ' ');
    const uint64_t length = text.size();
    char prefix[8];
    std::memcpy(prefix, &length, 8); // little-endian host

    AtomicFile file(path);
    file.write(std::string_view(prefix, 8));
    file.write(text);
    for (const Entry *e : order)
        file.write(e->bytes);
    file.commit();
}

} // namespace headroom::io
