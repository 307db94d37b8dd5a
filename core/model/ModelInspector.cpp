// See ModelInspector.h. Mirrors what `headroom-cli inspect` reports.
#include "model/ModelInspector.h"

#include "common/Error.h"
#include "io/CheckpointIndex.h"
#include "io/DType.h"
#include "io/GgufFile.h"
#include "io/HfModelFolder.h"
#include "io/JsonFile.h"
#include "io/ModelSource.h"
#include "model/ModelLoader.h"

#include <map>

namespace headroom::model {

namespace {

namespace fs = std::filesystem;

// The type most tensors are stored in ("Q8_0", "bfloat16"); the dominant type
// is what decides the size, the odd fp32 norm does not.
std::string dominantType(const std::map<std::string, int64_t> &counts)
{
    std::string best;
    int64_t bestCount = -1;
    for (const auto &[type, count] : counts) {
        if (count > bestCount) {
            best = type;
            bestCount = count;
        }
    }
    return best;
}

uint64_t folderBytes(const fs::path &folder)
{
    uint64_t total = 0;
    std::error_code error;
    // Cache snapshots hold symlinks into blobs/: file_size follows them.
    for (const auto &entry : fs::directory_iterator(folder, error)) {
        std::error_code sizeError;
        if (entry.is_regular_file(sizeError)) {
            const auto size = fs::file_size(entry.path(), sizeError);
            if (!sizeError)
                total += size;
        }
    }
    return total;
}

bool folderHasChatTemplate(const io::HfModelFolder &folder)
{
    if (folder.chatTemplateJinja())
        return true;
    const auto config = folder.tokenizerConfigJson();
    if (!config)
        return false;
    const nlohmann::json json = io::readJsonFile(*config);
    const auto it = json.find("chat_template");
    return it != json.end() && !it->is_null() && !(it->is_string() && it->empty()) &&
           !(it->is_array() && it->empty());
}

void inspectGguf(ModelSummary &summary)
{
    const auto gguf = io::GgufFile::open(summary.path);
    std::map<std::string, int64_t> counts;
    for (const auto &tensor : gguf.tensors())
        counts[io::ggmlTypeName(tensor.type)]++;
    summary.dtype = dominantType(counts);
    summary.architecture = summary.shape.modelType + " (GGUF)";
    summary.sizeOnDisk = fs::file_size(summary.path);
    summary.hasTokenizer = gguf.find("tokenizer.ggml.tokens") != nullptr;
    const auto chatTemplate = gguf.getString("tokenizer.chat_template");
    summary.hasChatTemplate = chatTemplate && !chatTemplate->empty();
}

void inspectFolder(ModelSummary &summary)
{
    const auto folder = io::HfModelFolder::open(summary.path);
    // Reading the headers catches a truncated or corrupt checkpoint now.
    const auto weights = folder.openWeights();
    std::map<std::string, int64_t> counts;
    for (const auto &[name, entry] : weights.tensors())
        counts[std::string(io::dtypeName(entry.info->dtype))]++;
    summary.dtype = counts.empty() ? summary.shape.torchDtype : dominantType(counts);
    summary.architecture = summary.shape.modelType + " (safetensors)";
    summary.sizeOnDisk = folderBytes(summary.path);
    summary.hasTokenizer = folder.hasTokenizer();
    summary.hasChatTemplate = folderHasChatTemplate(folder);
}

} // namespace

std::string kindName(ModelSummary::Kind kind)
{
    switch (kind) {
    case ModelSummary::Kind::HfFolder:
        return "Hugging Face folder";
    case ModelSummary::Kind::Gguf:
        return "GGUF file";
    case ModelSummary::Kind::HfCacheRepo:
        return "Hugging Face cache";
    }
    return "";
}

ModelSummary inspectModel(std::string_view argument)
{
    const io::ModelSource source = io::resolveModelSource(argument);
    ModelSummary summary;
    summary.argument = std::string(argument);
    summary.path = source.path;
    summary.repoId = source.repoId;
    summary.kind = source.kind == io::ModelSource::Kind::Gguf ? ModelSummary::Kind::Gguf
                   : source.repoId.empty()                    ? ModelSummary::Kind::HfFolder
                                                              : ModelSummary::Kind::HfCacheRepo;
    summary.shape = loadModelConfig(source);
    summary.parameters = summary.shape.parameterCount();
    summary.layers = summary.shape.numLayers;
    summary.hidden = summary.shape.hiddenSize;
    summary.vocab = summary.shape.vocabSize;
    if (source.kind == io::ModelSource::Kind::Gguf)
        inspectGguf(summary);
    else
        inspectFolder(summary);
    return summary;
}

} // namespace headroom::model
