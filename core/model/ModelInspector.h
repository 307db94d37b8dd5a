// What a model is, without loading its weights: the summary the GUI's model
// page shows (architecture, sizes, dtype, bytes on disk, whether it brings a
// tokenizer and a chat template). Reads config.json / GGUF metadata and the
// safetensors headers only, so it is fast and catches a broken or truncated
// checkpoint before a run starts. Torch-free and Qt-free: the GUI includes it.
#pragma once

#include "model/ModelConfig.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace headroom::model {

struct ModelSummary
{
    enum class Kind { HfFolder, Gguf, HfCacheRepo };

    std::string argument;       // as the user gave it (folder, .gguf file or repo id)
    std::filesystem::path path; // the folder or .gguf file it resolved to
    Kind kind = Kind::HfFolder;
    std::string repoId; // set for HfCacheRepo
    ModelConfig shape;  // what the estimator needs

    std::string architecture; // "llama (safetensors)", "llama (GGUF)"
    int64_t parameters = 0;
    int64_t layers = 0;
    int64_t hidden = 0;
    int64_t vocab = 0;
    std::string dtype;       // "bfloat16", "Q8_0", ... (the weights as stored)
    uint64_t sizeOnDisk = 0; // every file of the folder, or the .gguf file
    bool hasTokenizer = false;
    bool hasChatTemplate = false;
};

// "Hugging Face folder", "GGUF file", "Hugging Face cache".
std::string kindName(ModelSummary::Kind kind);

// Throws headroom::Error naming the file and field when the argument does not
// resolve, the config is unsupported or broken, or the weight headers cannot
// be read (a truncated or corrupt .safetensors / .gguf).
ModelSummary inspectModel(std::string_view argument);

} // namespace headroom::model
