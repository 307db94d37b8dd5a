// The merged-model export (see MergedExport.h).
#include "export/MergedExport.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/ReadFile.h"
#include "common/ShapeText.h"
#include "export/BaseWeights.h"
#include "export/ExportFolder.h"
#include "export/GgufTokenizerJson.h"
#include "export/ModelCard.h"
#include "io/GgufFile.h"
#include "io/GgufToHf.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "lora/PeftAdapterFolder.h"
#include "model/TensorDType.h"

#include <fstream>
#include <sstream>

namespace headroom::exporting {

namespace fs = std::filesystem;

namespace {

// What happens to one base tensor on its way out.
struct Update
{
    const lora::AdapterModule *lora = nullptr; // W += B·A·scaling
    bool transpose = false;                    // Conv1D: ΔW is [in, out]
    at::Tensor replacement;                    // full fine-tuning: the trained tensor
};

std::string torchDTypeName(io::DType dtype)
{
    switch (dtype) {
    case io::DType::F32:
        return "float32";
    case io::DType::BF16:
        return "bfloat16";
    default:
        return "float16";
    }
}

// Ties each adapter module to the base weight it modifies; shapes must fit.
void planLora(const lora::AdapterWeights &adapter, const fs::path &adapterFile,
              const BaseWeights &base, const std::map<std::string, std::size_t> &byName,
              std::vector<Update> &updates)
{
    const bool conv1d = base.modelType() == "gpt2"; // PEFT forces fan_in_fan_out for Conv1D
    for (const auto &[path, module] : adapter.modules) {
        const auto it = byName.find(path + ".weight");
        if (it == byName.end())
            throwFileError(adapterFile, "adapts `" + path +
                                            "`, but the base model has no weight `" + path +
                                            ".weight`: was the run trained on another model?");
        const int64_t in = module.a.size(1), out = module.b.size(0);
        const std::vector<int64_t> expected =
            conv1d ? std::vector<int64_t>{in, out} : std::vector<int64_t>{out, in};
        const auto &shape = base.tensors()[it->second].shape;
        if (shape != expected)
            throwFileError(adapterFile, "`" + path + "`: lora_B·lora_A is " + shapeText({out, in}) +
                                            " but the base weight is " + shapeText(shape));
        updates[it->second].lora = &module;
        updates[it->second].transpose = conv1d;
    }
}

// Full fine-tuning: every trained tensor replaces the base tensor of that name.
void planFull(const io::SafetensorsFile &trainable, const BaseWeights &base,
              const std::map<std::string, std::size_t> &byName, std::vector<Update> &updates)
{
    const auto &file = trainable.path();
    for (const auto &tensor : trainable.tensors()) {
        const auto name = savedWeightName(tensor.name, base.modelType());
        if (!name || (base.tiedEmbeddings() && *name == "lm_head.weight"))
            continue; // a buffer, or the tied copy of the embeddings
        const auto it = byName.find(*name);
        if (it == byName.end())
            throwFileError(file, "tensor `" + tensor.name +
                                     "` is not a weight of the base model: was the run trained "
                                     "on another model?");
        const auto &shape = base.tensors()[it->second].shape;
        if (tensor.shape != shape)
            throwFileError(file, "tensor `" + tensor.name + "` is " + shapeText(tensor.shape) +
                                     " but the base weight is " + shapeText(shape));
        const auto type = model::scalarTypeOf(tensor.dtype, file.string());
        updates[it->second].replacement =
            at::from_blob(const_cast<std::byte *>(tensor.bytes.data()), tensor.shape,
                          at::TensorOptions().dtype(type));
    }
}

void writeTokenizerFiles(const io::ModelSource &source, const fs::path &staging,
                         const nlohmann::json &config, MergedExportSummary &summary)
{
    if (source.kind == io::ModelSource::Kind::HfFolder) {
        for (const char *name :
             {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
              "chat_template.jinja", "generation_config.json", "tokenizer.model", "vocab.json",
              "merges.txt", "added_tokens.json"}) {
            const auto file = source.path / name;
            if (!fs::exists(file))
                continue;
            writeFileAtomically(staging / name, readFile(file));
            summary.files.push_back(name);
        }
        if (!fs::exists(source.path / "tokenizer.json"))
            summary.tokenizerNote = "the base model folder has no tokenizer.json";
        return;
    }
    const auto gguf = io::GgufFile::open(source.path);
    std::string whyNot;
    if (auto files = tokenizerFilesFromGguf(io::vocabFromGguf(gguf), whyNot)) {
        writeFileAtomically(staging / "tokenizer.json", files->tokenizerJson.dump(2) + "\n");
        writeFileAtomically(staging / "tokenizer_config.json",
                            files->tokenizerConfigJson.dump(2) + "\n");
        summary.files.push_back("tokenizer.json");
        summary.files.push_back("tokenizer_config.json");
    } else {
        summary.tokenizerNote = source.path.string() + ": " + whyNot;
    }
    // What transformers derives from config.json for a GGUF model.
    nlohmann::json generation = {{"_from_model_config", true}};
    for (const char *key : {"bos_token_id", "eos_token_id", "pad_token_id"})
        if (config.contains(key) && !config[key].is_null())
            generation[key] = config[key];
    writeFileAtomically(staging / "generation_config.json", generation.dump(2) + "\n");
    summary.files.push_back("generation_config.json");
}

} // namespace

MergedExportSummary exportMergedModel(const RunCheckpoint &checkpoint, const fs::path &out,
                                      const MergedExportOptions &options)
{
    const auto source = io::resolveModelSource(checkpoint.config.model);
    const auto base = BaseWeights::open(source);
    const auto outDType = options.dtype.value_or(base->defaultDType());
    if (outDType != io::DType::F32 && outDType != io::DType::BF16 && outDType != io::DType::F16)
        throw Error("--dtype: the merged model can be saved as fp32, bf16 or fp16");
    const auto outScalar = model::scalarTypeOf(outDType, "--dtype");
    const auto &tensors = base->tensors();
    std::map<std::string, std::size_t> byName;
    for (std::size_t i = 0; i < tensors.size(); ++i)
        byName[tensors[i].name] = i;

    // Everything is checked before the first byte is written.
    std::vector<Update> updates(tensors.size());
    std::optional<lora::AdapterWeights> adapter;
    std::optional<io::SafetensorsFile> trainable; // mapped while the export runs
    double scaling = 1.0;
    if (checkpoint.kind == RunCheckpoint::Kind::Lora) {
        adapter = lora::readAdapterWeights(checkpoint.weights);
        scaling = adapter->scaling();
        planLora(*adapter, checkpoint.weights / "adapter_model.safetensors", *base, byName,
                 updates);
    } else {
        trainable = io::SafetensorsFile::open(checkpoint.weights);
        planFull(*trainable, *base, byName, updates);
    }

    std::vector<uint64_t> bytes;
    for (const auto &t : tensors) {
        int64_t numel = 1;
        for (auto d : t.shape)
            numel *= d;
        const bool isFloat = at::isFloatingType(model::scalarTypeOf(t.dtype, t.name));
        bytes.push_back(static_cast<uint64_t>(numel) * io::dtypeSize(isFloat ? outDType : t.dtype));
    }
    const auto plan = planShards(bytes, options.maxShardBytes);
    std::vector<std::size_t> shardOf(tensors.size()), remaining(plan.shards.size());
    for (std::size_t s = 0; s < plan.shards.size(); ++s) {
        remaining[s] = plan.shards[s].size();
        for (auto i : plan.shards[s])
            shardOf[i] = s;
    }

    ExportFolder folder(out);
    MergedExportSummary summary;
    summary.dtype = outDType;
    summary.shards = plan.shards.size();
    summary.tensors = tensors.size();
    summary.tensorBytes = plan.totalBytes;
    std::map<std::string, std::string> weightMap;
    // Only shards with tensors still to come hold anything.
    std::vector<std::map<std::size_t, at::Tensor>> pending(plan.shards.size());
    auto writeShard = [&](std::size_t s) {
        io::SafetensorsWriter writer;
        for (auto i : plan.shards[s]) {
            const auto &value = pending[s].at(i);
            writer.add(tensors[i].name, model::fileDTypeOf(value.scalar_type(), tensors[i].name),
                       tensors[i].shape,
                       std::span(static_cast<const std::byte *>(value.data_ptr()), value.nbytes()));
            weightMap[tensors[i].name] = plan.fileName(s);
        }
        writer.write(folder.staging() / plan.fileName(s));
        summary.files.push_back(plan.fileName(s));
        pending[s].clear();
    };
    std::size_t done = 0;
    base->forEach([&](std::size_t i, const at::Tensor &stored) {
        const auto &update = updates[i];
        at::Tensor value = update.replacement.defined() ? update.replacement : stored;
        const bool isFloat = at::isFloatingType(value.scalar_type());
        if (update.lora) {
            // PEFT's get_delta_weight, in fp32.
            auto delta = at::matmul(update.lora->b, update.lora->a) * scaling; // [out, in]
            if (update.transpose)
                delta = delta.t(); // [in, out]
            value = value.to(at::kFloat) + delta;
        }
        // Always an owned copy: `stored` may borrow a buffer freed after this call.
        value = value
                    .to(isFloat ? outScalar : value.scalar_type(), /*non_blocking=*/false,
                        /*copy=*/true)
                    .contiguous();
        const auto s = shardOf[i];
        pending[s][i] = std::move(value);
        if (--remaining[s] == 0)
            writeShard(s);
        if (options.onProgress)
            options.onProgress(++done, tensors.size());
    });
    if (plan.shards.size() > 1) {
        writeFileAtomically(folder.staging() / "model.safetensors.index.json",
                            shardIndexJson(plan.totalBytes, weightMap));
        summary.files.push_back("model.safetensors.index.json");
    }

    auto config = base->config();
    // transformers 5 reads `dtype`; 4.x wrote `torch_dtype`: keep both current.
    config["dtype"] = torchDTypeName(outDType);
    if (config.contains("torch_dtype"))
        config["torch_dtype"] = torchDTypeName(outDType);
    writeFileAtomically(folder.staging() / "config.json", config.dump(2) + "\n");
    summary.files.insert(summary.files.begin(), "config.json");
    writeTokenizerFiles(source, folder.staging(), config, summary);
    writeFileAtomically(folder.staging() / "README.md",
                        modelCard(checkpoint, "transformers", "Merged model",
                                  adapter ? adapter->config : nlohmann::json()));
    summary.files.push_back("README.md");
    folder.commit();
    summary.folder = folder.target();
    return summary;
}

} // namespace headroom::exporting
