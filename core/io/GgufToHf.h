// Reading a llama.cpp GGUF model as if it were a Hugging Face checkpoint, for
// the `llama` (incl. Mistral, which llama.cpp writes as llama), `qwen2` and
// `gpt2` architectures: tensor names, Q/K un-permutation (SPECS.md §7.4–7.5),
// an equivalent config.json and the tokenizer vocabulary. Produces float32;
// does not keep tensors quantized and does not build torch tensors.
//
// Names are those of transformers' in-memory state dict (what save_pretrained
// writes for the *ForCausalLM / *LMHeadModel class): `model.layers.N.…` for
// Llama/Qwen2 and `transformer.h.N.…` for GPT-2, `lm_head.weight` for both.
// GPT-2 Conv1D weights come back in the Hugging Face layout [in, out].
#pragma once

#include "io/GgufFile.h"
#include "tokenizer/GgufVocab.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace headroom::io {

// Hugging Face name of GGUF tensor `ggufName`, or nullopt if it has none
// (e.g. `rope_freqs.weight`, derived from the config). Throws for an
// architecture other than llama/mistral/qwen2/gpt2.
std::optional<std::string> hfTensorName(std::string_view architecture, std::string_view ggufName);

// Inverse of convert_hf_to_gguf.py `LlamaModel.permute` on the rows of a
// [rows, rowLength] row-major matrix (or a bias, rowLength = 1): rows are
// `nHead` heads, each [head_dim/2, 2] interleaved -> [2, head_dim/2] halves.
void unpermuteRows(std::vector<float> &data, int64_t rows, int64_t rowLength, int64_t nHead);

// config.json of the model (see the .cpp for the field list). Throws naming
// the file and the metadata key when a required key is missing or mistyped.
nlohmann::json configJsonFromGguf(const GgufFile &file);

// tokenizer.ggml.* as a plain struct; throws if there are no tokens.
tok::GgufVocab vocabFromGguf(const GgufFile &file);

struct HfTensor
{
    std::string name;           // Hugging Face name
    std::vector<int64_t> shape; // PyTorch order, Hugging Face layout
    std::vector<float> data;    // row-major
};

// Name and shape (Hugging Face layout) of every tensor forEachHfTensor will
// produce, in the same order, without reading any tensor data: lets a writer
// plan output files before converting anything.
struct HfTensorInfo
{
    std::string name;
    std::vector<int64_t> shape;
    const GgufTensorInfo *source = nullptr; // owned by the GgufFile
    bool transposed = false;                // GPT-2 Conv1D: stored [out, in], named [in, out]
};
std::vector<HfTensorInfo> listHfTensors(const GgufFile &file);

// Dequantizes, renames and un-permutes one tensor at a time, in file order,
// so a loader never holds more than one float32 copy. Skips tensors with no
// Hugging Face equivalent, and `output.weight` when it merely repeats the
// token embedding. Throws for tensors it cannot map or decode.
void forEachHfTensor(const GgufFile &file, const std::function<void(HfTensor &&)> &callback);

} // namespace headroom::io
