// Memory-mapped, bounds-checked reader of GGUF v2/v3 files (SPECS.md §7.1):
// typed metadata and tensor descriptors with zero-copy byte spans. Does not
// dequantize (GgufDequant) or map names to Hugging Face (GgufToHf).
#pragma once

#include "common/MappedFile.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace headroom::io {

enum class GgufValueType : uint32_t {
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12,
};
std::string_view ggufValueTypeName(GgufValueType type);

// One metadata value. Scalars keep their exact value: unsigned ones in
// `u`, signed ones in `i`, floats in `f`. Arrays hold their elements.
struct GgufValue
{
    GgufValueType type = GgufValueType::UINT8;
    GgufValueType elementType = GgufValueType::UINT8; // arrays only
    uint64_t u = 0;
    int64_t i = 0;
    double f = 0;
    std::string s;
    std::vector<GgufValue> items;

    bool isInteger() const;
    bool isFloat() const
    {
        return type == GgufValueType::FLOAT32 || type == GgufValueType::FLOAT64;
    }
    // "integer", "string", "array of string", ...
    std::string describe() const;
};

// ggml tensor types (ggml.h `enum ggml_type`).
enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
};

struct GgmlTypeTraits
{
    std::string_view name;
    uint32_t blockSize; // elements per block
    uint32_t typeSize;  // bytes per block
};
// nullopt for an id this reader does not know.
std::optional<GgmlTypeTraits> ggmlTypeTraits(uint32_t type);
std::string ggmlTypeName(uint32_t type); // "Q4_K", or "type 123"

struct GgufTensorInfo
{
    std::string name;
    std::vector<uint64_t> ne;         // ggml order: innermost (contiguous) first
    uint32_t type = 0;                // GgmlType value
    uint64_t offset = 0;              // relative to the tensor data start
    std::span<const std::byte> bytes; // borrowed from the mapping
    uint64_t numel() const;
    // PyTorch order (ne reversed), e.g. [out, in] for a Linear weight.
    std::vector<int64_t> shape() const;
};

class GgufFile
{
public:
    // Throws headroom::Error "<path>: <problem>" for any malformed input.
    static GgufFile open(const std::filesystem::path &path);

    const std::filesystem::path &path() const { return m_path; }
    uint32_t version() const { return m_version; }
    uint64_t alignment() const { return m_alignment; }
    const std::map<std::string, GgufValue, std::less<>> &metadata() const { return m_metadata; }
    const std::vector<GgufTensorInfo> &tensors() const { return m_tensors; }
    const GgufTensorInfo *findTensor(std::string_view name) const;
    std::shared_ptr<const MappedFile> mapping() const { return m_mapping; }

    // Typed lookups. The plain form returns nullopt if the key is absent and
    // throws "<file>: metadata `k`: expected integer, found string" if the
    // value has another type; require* also throws when absent.
    const GgufValue *find(std::string_view key) const;
    std::optional<int64_t> getInt(std::string_view key) const;
    std::optional<double> getFloat(std::string_view key) const; // accepts integers too
    std::optional<bool> getBool(std::string_view key) const;
    std::optional<std::string> getString(std::string_view key) const;
    std::optional<std::vector<std::string>> getStringArray(std::string_view key) const;
    std::optional<std::vector<double>> getFloatArray(std::string_view key) const;
    std::optional<std::vector<int64_t>> getIntArray(std::string_view key) const;
    int64_t requireInt(std::string_view key) const;
    double requireFloat(std::string_view key) const;
    std::string requireString(std::string_view key) const;
    // general.architecture
    std::string architecture() const { return requireString("general.architecture"); }

private:
    [[noreturn]] void typeError(std::string_view key, const char *expected,
                                const GgufValue &v) const;
    std::filesystem::path m_path;
    std::shared_ptr<const MappedFile> m_mapping;
    uint32_t m_version = 0;
    uint64_t m_alignment = 32;
    std::map<std::string, GgufValue, std::less<>> m_metadata;
    std::vector<GgufTensorInfo> m_tensors;
    std::unordered_map<std::string, std::size_t> m_tensorByName;
};

} // namespace headroom::io
