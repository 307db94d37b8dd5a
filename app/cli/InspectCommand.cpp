// `headroom-cli inspect MODEL [--json]`: what a model is, without loading its
// weights — architecture, sizes, dtype, files and bytes.
#include "Commands.h"
#include "io/CheckpointIndex.h"
#include "io/GgufFile.h"
#include "io/HfModelFolder.h"
#include "io/ModelSource.h"
#include "model/ModelLoader.h"

#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

namespace headroom::cli {

namespace {

struct InspectOptions
{
    std::string model;
    bool json = false;
};

std::string humanBytes(uint64_t bytes)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    std::ostringstream text;
    text << std::fixed << std::setprecision(unit ? 1 : 0) << value << " " << units[unit];
    return text.str();
}

int runInspect(const InspectOptions &options)
{
    auto source = io::resolveModelSource(options.model);
    auto config = model::loadModelConfig(source);
    nlohmann::json files = nlohmann::json::array();
    uint64_t weightBytes = 0;
    std::string dtype = config.torchDtype;
    nlohmann::json tensorTypes = nlohmann::json::object();
    if (source.kind == io::ModelSource::Kind::Gguf) {
        auto gguf = io::GgufFile::open(source.path);
        std::map<std::string, int64_t> counts;
        for (const auto &tensor : gguf.tensors()) {
            weightBytes += tensor.bytes.size();
            counts[io::ggmlTypeName(tensor.type)]++;
        }
        for (const auto &[type, count] : counts)
            tensorTypes[type] = count;
        dtype = "gguf";
        files.push_back({{"name", source.path.filename().string()},
                         {"bytes", std::filesystem::file_size(source.path)}});
    } else {
        auto folder = io::HfModelFolder::open(source.path);
        auto checkpoint = folder.openWeights();
        weightBytes = checkpoint.totalBytes();
        std::map<std::string, int64_t> counts;
        for (const auto &[name, entry] : checkpoint.tensors())
            counts[std::string(io::dtypeName(entry.info->dtype))]++;
        for (const auto &[type, count] : counts)
            tensorTypes[type] = count;
        std::vector<std::filesystem::path> entries;
        for (const auto &entry : std::filesystem::directory_iterator(source.path))
            if (entry.is_regular_file())
                entries.push_back(entry.path());
        std::sort(entries.begin(), entries.end());
        for (const auto &path : entries)
            files.push_back(
                {{"name", path.filename().string()}, {"bytes", std::filesystem::file_size(path)}});
    }

    nlohmann::json report = {
        {"path", source.path.string()},
        {"format", source.kind == io::ModelSource::Kind::Gguf ? "gguf" : "safetensors"},
        {"model_type", config.modelType},
        {"parameters", config.parameterCount()},
        {"layers", config.numLayers},
        {"hidden_size", config.hiddenSize},
        {"intermediate_size", config.intermediateSize},
        {"heads", config.numHeads},
        {"kv_heads", config.numKvHeads},
        {"head_dim", config.headDim},
        {"vocab_size", config.vocabSize},
        {"max_positions", config.maxPositions},
        {"tie_word_embeddings", config.tieWordEmbeddings},
        {"rope_theta", config.ropeTheta},
        {"rope_scaling", config.rope.type},
        {"dtype", dtype},
        {"tensor_types", tensorTypes},
        {"weight_bytes", weightBytes},
        {"files", files},
    };
    if (!source.repoId.empty())
        report["repo_id"] = source.repoId;
    if (options.json) {
        std::cout << report.dump(2) << "\n";
        return 0;
    }
    std::cout << "model         " << source.path.string() << "\n"
              << "architecture  " << config.modelType << " (" << report["format"].get<std::string>()
              << ")\n"
              << "parameters    " << config.parameterCount() << " (" << std::fixed
              << std::setprecision(1) << static_cast<double>(config.parameterCount()) / 1e6
              << " M)\n"
              << "layers        " << config.numLayers << "\n"
              << "hidden size   " << config.hiddenSize << " (MLP " << config.intermediateSize
              << ")\n"
              << "heads         " << config.numHeads << " query / " << config.numKvHeads
              << " key-value, head dim " << config.headDim << "\n"
              << "vocabulary    " << config.vocabSize << "\n"
              << "context       " << config.maxPositions << " positions, rope " << config.rope.type
              << "\n"
              << "dtype         " << dtype << " (" << tensorTypes.dump() << ")\n"
              << "weights       " << humanBytes(weightBytes) << "\n"
              << "files\n";
    for (const auto &file : files)
        std::cout << "  " << std::left << std::setw(40) << file["name"].get<std::string>() << " "
                  << humanBytes(file["bytes"].get<uint64_t>()) << "\n";
    return 0;
}

} // namespace

Runner addInspectCommand(CLI::App &app)
{
    auto options = std::make_shared<InspectOptions>();
    auto *cmd =
        app.add_subcommand("inspect", "Describe a model: architecture, sizes, dtype, files");
    cmd->add_option("MODEL", options->model, "Model folder, .gguf file, or cached repo id")
        ->required();
    cmd->add_flag("--json", options->json, "Print one JSON object");
    return [options] { return runInspect(*options); };
}

} // namespace headroom::cli
