// Parsing of the GGUF header with a cursor that checks every read against the
// end of the mapping. Every count read from the file is bounded by the bytes
// left before anything is reserved, so a lying header cannot make us allocate.
#include "io/GgufFile.h"

#include "common/Error.h"
#include "io/CheckedMath.h"
#include "io/Limits.h"

#include <cstring>

namespace headroom::io {

namespace {
constexpr int kMaxArrayDepth = 8; // nested arrays deeper than this are refused
constexpr uint32_t kMaxDims = 4;  // GGML_MAX_DIMS
constexpr uint64_t kMaxNameLength = 65535;
// Each array element becomes a GgufValue (~90 bytes), so the element count is
// also capped in total: 16M is 60x the largest vocabulary in use (256k).
constexpr uint64_t kMaxArrayElements = 1ull << 24;

struct Cursor
{
    const std::filesystem::path &path;
    std::span<const std::byte> bytes;
    uint64_t pos = 0;
    std::string context; // what is being read, for messages
    uint64_t arrayElements = 0;

    uint64_t left() const { return bytes.size() - pos; }

    [[noreturn]] void fail(const std::string &what) const
    {
        throwFileError(path, (context.empty() ? "" : context + ": ") + what);
    }

    void need(uint64_t n, const char *what)
    {
        if (n > left())
            fail(std::string("truncated file: ") + what + " needs " + std::to_string(n) +
                 " bytes at offset " + std::to_string(pos) + " but only " + std::to_string(left()) +
                 " remain");
    }

    template <typename T> T read(const char *what)
    {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, bytes.data() + pos, sizeof(T)); // little-endian host
        pos += sizeof(T);
        return v;
    }

    std::string readString(const char *what, uint64_t maxLength)
    {
        const auto n = read<uint64_t>(what);
        if (n > maxLength)
            fail(std::string(what) + " length " + std::to_string(n) + " exceeds " +
                 std::to_string(maxLength));
        need(n, what);
        std::string s(reinterpret_cast<const char *>(bytes.data() + pos), n);
        pos += n;
        return s;
    }
};

// Smallest encoded size of one value of `type`, used to bound array counts.
uint64_t minEncodedSize(GgufValueType type)
{
    switch (type) {
    case GgufValueType::UINT8:
    case GgufValueType::INT8:
    case GgufValueType::BOOL:
        return 1;
    case GgufValueType::UINT16:
    case GgufValueType::INT16:
        return 2;
    case GgufValueType::UINT32:
    case GgufValueType::INT32:
    case GgufValueType::FLOAT32:
        return 4;
    case GgufValueType::STRING:
    case GgufValueType::UINT64:
    case GgufValueType::INT64:
    case GgufValueType::FLOAT64:
        return 8;
    case GgufValueType::ARRAY:
        return 12;
    }
    return 1;
}

bool knownValueType(uint32_t t)
{
    return t <= 12;
}

GgufValue readValue(Cursor &c, GgufValueType type, int depth)
{
    GgufValue v;
    v.type = type;
    switch (type) {
    case GgufValueType::UINT8:
        v.u = c.read<uint8_t>("uint8");
        break;
    case GgufValueType::INT8:
        v.i = c.read<int8_t>("int8");
        break;
    case GgufValueType::UINT16:
        v.u = c.read<uint16_t>("uint16");
        break;
    case GgufValueType::INT16:
        v.i = c.read<int16_t>("int16");
        break;
    case GgufValueType::UINT32:
        v.u = c.read<uint32_t>("uint32");
        break;
    case GgufValueType::INT32:
        v.i = c.read<int32_t>("int32");
        break;
    case GgufValueType::UINT64:
        v.u = c.read<uint64_t>("uint64");
        break;
    case GgufValueType::INT64:
        v.i = c.read<int64_t>("int64");
        break;
    case GgufValueType::FLOAT32:
        v.f = c.read<float>("float32");
        break;
    case GgufValueType::FLOAT64:
        v.f = c.read<double>("float64");
        break;
    case GgufValueType::BOOL: {
        const auto b = c.read<uint8_t>("bool");
        if (b > 1)
            c.fail("bool value " + std::to_string(b) + " is neither 0 nor 1");
        v.u = b;
        break;
    }
    case GgufValueType::STRING:
        v.s = c.readString("string", UINT64_MAX);
        break;
    case GgufValueType::ARRAY: {
        if (depth >= kMaxArrayDepth)
            c.fail("arrays nested deeper than " + std::to_string(kMaxArrayDepth));
        const auto elem = c.read<uint32_t>("array element type");
        if (!knownValueType(elem))
            c.fail("unknown array element type " + std::to_string(elem));
        v.elementType = static_cast<GgufValueType>(elem);
        const auto count = c.read<uint64_t>("array length");
        if (count > c.left() / minEncodedSize(v.elementType))
            c.fail("array of " + std::to_string(count) + " elements cannot fit in the " +
                   std::to_string(c.left()) + " bytes left in the file");
        c.arrayElements += count;
        if (c.arrayElements > kMaxArrayElements)
            c.fail("more than " + std::to_string(kMaxArrayElements) +
                   " array elements in the metadata");
        v.items.reserve(count);
        for (uint64_t k = 0; k < count; ++k)
            v.items.push_back(readValue(c, v.elementType, depth + 1));
        break;
    }
    }
    return v;
}
} // namespace

std::string_view ggufValueTypeName(GgufValueType type)
{
    static constexpr std::string_view names[] = {"uint8",  "int8",    "uint16", "int16",  "uint32",
                                                 "int32",  "float32", "bool",   "string", "array",
                                                 "uint64", "int64",   "float64"};
    const auto i = static_cast<uint32_t>(type);
    return i < std::size(names) ? names[i] : "unknown";
}

bool GgufValue::isInteger() const
{
    switch (type) {
    case GgufValueType::UINT8:
    case GgufValueType::INT8:
    case GgufValueType::UINT16:
    case GgufValueType::INT16:
    case GgufValueType::UINT32:
    case GgufValueType::INT32:
    case GgufValueType::UINT64:
    case GgufValueType::INT64:
        return true;
    default:
        return false;
    }
}

std::string GgufValue::describe() const
{
    auto kind = [](GgufValueType t) -> std::string {
        switch (t) {
        case GgufValueType::FLOAT32:
        case GgufValueType::FLOAT64:
            return "float";
        case GgufValueType::BOOL:
            return "bool";
        case GgufValueType::STRING:
            return "string";
        case GgufValueType::ARRAY:
            return "array";
        default:
            return "integer";
        }
    };
    if (type == GgufValueType::ARRAY)
        return "array of " + kind(elementType);
    return kind(type);
}

std::optional<GgmlTypeTraits> ggmlTypeTraits(uint32_t type)
{
    struct Row
    {
        uint32_t id;
        GgmlTypeTraits traits;
    };
    // ggml/src/ggml.c type_traits (block size, bytes per block).
    static constexpr Row rows[] = {
        {0, {"F32", 1, 4}},         {1, {"F16", 1, 2}},         {2, {"Q4_0", 32, 18}},
        {3, {"Q4_1", 32, 20}},      {6, {"Q5_0", 32, 22}},      {7, {"Q5_1", 32, 24}},
        {8, {"Q8_0", 32, 34}},      {9, {"Q8_1", 32, 40}},      {10, {"Q2_K", 256, 84}},
        {11, {"Q3_K", 256, 110}},   {12, {"Q4_K", 256, 144}},   {13, {"Q5_K", 256, 176}},
        {14, {"Q6_K", 256, 210}},   {15, {"Q8_K", 256, 292}},   {16, {"IQ2_XXS", 256, 66}},
        {17, {"IQ2_XS", 256, 74}},  {18, {"IQ3_XXS", 256, 98}}, {19, {"IQ1_S", 256, 50}},
        {20, {"IQ4_NL", 32, 18}},   {21, {"IQ3_S", 256, 110}},  {22, {"IQ2_S", 256, 82}},
        {23, {"IQ4_XS", 256, 136}}, {24, {"I8", 1, 1}},         {25, {"I16", 1, 2}},
        {26, {"I32", 1, 4}},        {27, {"I64", 1, 8}},        {28, {"F64", 1, 8}},
        {29, {"IQ1_M", 256, 56}},   {30, {"BF16", 1, 2}},       {34, {"TQ1_0", 256, 54}},
        {35, {"TQ2_0", 256, 66}},   {39, {"MXFP4", 32, 17}},
    };
    for (const auto &r : rows)
        if (r.id == type)
            return r.traits;
    return std::nullopt;
}

std::string ggmlTypeName(uint32_t type)
{
    if (auto t = ggmlTypeTraits(type))
        return std::string(t->name);
    return "type " + std::to_string(type);
}

uint64_t GgufTensorInfo::numel() const
{
    uint64_t n = 1;
    for (auto d : ne)
        n *= d; // validated at open()
    return n;
}

std::vector<int64_t> GgufTensorInfo::shape() const
{
    return {ne.rbegin(), ne.rend()};
}

GgufFile GgufFile::open(const std::filesystem::path &path)
{
    GgufFile file;
    file.m_path = path;
    file.m_mapping = MappedFile::open(path);
    Cursor c{path, file.m_mapping->bytes(), 0, {}, 0};

    c.need(4, "magic");
    if (std::memcmp(c.bytes.data(), "GGUF", 4) != 0)
        c.fail("not a GGUF file (bad magic: the first 4 bytes are not \"GGUF\")");
    c.pos = 4;
    file.m_version = c.read<uint32_t>("version");
    if (file.m_version != 2 && file.m_version != 3)
        c.fail("unsupported GGUF version " + std::to_string(file.m_version) + " (expected 2 or 3)");
    const auto tensorCount = c.read<uint64_t>("tensor count");
    const auto kvCount = c.read<uint64_t>("metadata count");
    // Smallest kv: 8-byte key length + 1 key byte + 4-byte type + 1 value byte;
    // smallest tensor info: 8 + 1 + 4 + 4 + 8.
    if (kvCount > c.left() / 14)
        c.fail("metadata count " + std::to_string(kvCount) + " cannot fit in a file of " +
               std::to_string(c.bytes.size()) + " bytes");
    // Before the metadata is read: tiny tensor infos could satisfy the
    // size bound and still ask for a million entries.
    if (tensorCount > kMaxTensorCount)
        c.fail("tensor count " + std::to_string(tensorCount) + " is over the limit of " +
               std::to_string(kMaxTensorCount) + " tensors in one file");
    if (tensorCount > c.left() / 25)
        c.fail("tensor count " + std::to_string(tensorCount) + " cannot fit in a file of " +
               std::to_string(c.bytes.size()) + " bytes");

    for (uint64_t k = 0; k < kvCount; ++k) {
        c.context = "metadata entry " + std::to_string(k);
        auto key = c.readString("key", kMaxNameLength);
        c.context = "metadata `" + key + "`";
        const auto type = c.read<uint32_t>("value type");
        if (!knownValueType(type))
            c.fail("unknown value type " + std::to_string(type));
        auto value = readValue(c, static_cast<GgufValueType>(type), 0);
        if (!file.m_metadata.emplace(key, std::move(value)).second)
            c.fail("duplicate key");
    }
    c.context.clear();
    if (const auto *a = file.find("general.alignment")) {
        if (!a->isInteger() || a->u == 0 || a->u % 8 != 0 || a->u > (1u << 20))
            throwFileError(path, "metadata `general.alignment` must be a positive multiple of 8");
        file.m_alignment = a->u;
    }

    file.m_tensors.reserve(tensorCount);
    for (uint64_t k = 0; k < tensorCount; ++k) {
        c.context = "tensor info " + std::to_string(k);
        GgufTensorInfo t;
        t.name = c.readString("name", kMaxNameLength);
        c.context = "tensor `" + t.name + "`";
        const auto nDims = c.read<uint32_t>("dimension count");
        if (nDims > kMaxDims)
            c.fail(std::to_string(nDims) + " dimensions (at most 4)");
        for (uint32_t d = 0; d < nDims; ++d)
            t.ne.push_back(c.read<uint64_t>("dimension"));
        t.type = c.read<uint32_t>("type");
        t.offset = c.read<uint64_t>("offset");
        if (file.m_tensorByName.count(t.name))
            c.fail("duplicate tensor name");
        file.m_tensorByName.emplace(t.name, file.m_tensors.size());
        file.m_tensors.push_back(std::move(t));
    }
    c.context.clear();

    const uint64_t dataStart = (c.pos + file.m_alignment - 1) / file.m_alignment * file.m_alignment;
    const uint64_t fileSize = c.bytes.size();
    for (auto &t : file.m_tensors) {
        const std::string where = "tensor `" + t.name + "`: ";
        const auto traits = ggmlTypeTraits(t.type);
        if (!traits)
            throwFileError(path, where + "unknown ggml type " + std::to_string(t.type));
        std::optional<uint64_t> numel = 1;
        for (auto d : t.ne)
            numel = numel ? checkedMul(*numel, d) : std::nullopt;
        if (!numel || *numel > static_cast<uint64_t>(INT64_MAX))
            throwFileError(path, where + "dimensions overflow");
        if (!t.ne.empty() && t.ne[0] % traits->blockSize != 0)
            throwFileError(path, where + "row length " + std::to_string(t.ne[0]) +
                                     " is not a multiple of the " + std::string(traits->name) +
                                     " block size " + std::to_string(traits->blockSize));
        if (t.ne.empty() && traits->blockSize != 1)
            throwFileError(path, where + "scalar of block type " + std::string(traits->name));
        const uint64_t size = *numel / traits->blockSize * traits->typeSize;
        if (t.offset % file.m_alignment != 0)
            throwFileError(path, where + "offset " + std::to_string(t.offset) +
                                     " is not a multiple of the alignment " +
                                     std::to_string(file.m_alignment));
        auto begin = checkedAdd(dataStart, t.offset);
        auto end = begin ? checkedAdd(*begin, size) : std::nullopt;
        if (!end || *end > fileSize)
            throwFileError(path, where + "data [" + std::to_string(t.offset) + ", +" +
                                     std::to_string(size) + ") runs past the end of the file (" +
                                     "truncated tensor data: file is " + std::to_string(fileSize) +
                                     " bytes)");
        t.bytes = c.bytes.subspan(*begin, size);
    }
    return file;
}

const GgufTensorInfo *GgufFile::findTensor(std::string_view name) const
{
    auto it = m_tensorByName.find(std::string(name));
    return it == m_tensorByName.end() ? nullptr : &m_tensors[it->second];
}

const GgufValue *GgufFile::find(std::string_view key) const
{
    auto it = m_metadata.find(key);
    return it == m_metadata.end() ? nullptr : &it->second;
}

void GgufFile::typeError(std::string_view key, const char *expected, const GgufValue &v) const
{
    throwFileError(m_path, "metadata `" + std::string(key) + "`: expected " + expected +
                               ", found " + v.describe());
}

namespace {
std::optional<int64_t> asInt(const GgufValue &v)
{
    if (!v.isInteger())
        return std::nullopt;
    switch (v.type) {
    case GgufValueType::INT8:
    case GgufValueType::INT16:
    case GgufValueType::INT32:
    case GgufValueType::INT64:
        return v.i;
    default:
        if (v.u > static_cast<uint64_t>(INT64_MAX))
            return std::nullopt;
        return static_cast<int64_t>(v.u);
    }
}
} // namespace

std::optional<int64_t> GgufFile::getInt(std::string_view key) const
{
    const auto *v = find(key);
    if (!v)
        return std::nullopt;
    auto i = asInt(*v);
    if (!i)
        typeError(key, "integer", *v);
    return i;
}

std::optional<double> GgufFile::getFloat(std::string_view key) const
{
    const auto *v = find(key);
    if (!v)
        return std::nullopt;
    if (v->isFloat())
        return v->f;
    if (auto i = asInt(*v))
        return static_cast<double>(*i);
    typeError(key, "float", *v);
}

std::optional<bool> GgufFile::getBool(std::string_view key) const
{
    const auto *v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufValueType::BOOL)
        typeError(key, "bool", *v);
    return v->u != 0;
}

std::optional<std::string> GgufFile::getString(std::string_view key) const
{
    const auto *v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufValueType::STRING)
        typeError(key, "string", *v);
    return v->s;
}

std::optional<std::vector<std::string>> GgufFile::getStringArray(std::string_view key) const
{
    const auto *v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufValueType::ARRAY || v->elementType != GgufValueType::STRING)
        typeError(key, "array of string", *v);
    std::vector<std::string> out;
    out.reserve(v->items.size());
    for (const auto &item : v->items)
        out.push_back(item.s);
    return out;
}

std::optional<std::vector<double>> GgufFile::getFloatArray(std::string_view key) const
{
    const auto *v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufValueType::ARRAY ||
        !(v->elementType == GgufValueType::FLOAT32 || v->elementType == GgufValueType::FLOAT64))
        typeError(key, "array of float", *v);
    std::vector<double> out;
    out.reserve(v->items.size());
    for (const auto &item : v->items)
        out.push_back(item.f);
    return out;
}

std::optional<std::vector<int64_t>> GgufFile::getIntArray(std::string_view key) const
{
    const auto *v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufValueType::ARRAY)
        typeError(key, "array of integer", *v);
    std::vector<int64_t> out;
    out.reserve(v->items.size());
    for (const auto &item : v->items) {
        auto i = asInt(item);
        if (!i)
            typeError(key, "array of integer", *v);
        out.push_back(*i);
    }
    return out;
}

int64_t GgufFile::requireInt(std::string_view key) const
{
    if (auto v = getInt(key))
        return *v;
    throwFileError(m_path, "metadata `" + std::string(key) + "` is missing");
}

double GgufFile::requireFloat(std::string_view key) const
{
    if (auto v = getFloat(key))
        return *v;
    throwFileError(m_path, "metadata `" + std::string(key) + "` is missing");
}

std::string GgufFile::requireString(std::string_view key) const
{
    if (auto v = getString(key))
        return *v;
    throwFileError(m_path, "metadata `" + std::string(key) + "` is missing");
}

} // namespace headroom::io
