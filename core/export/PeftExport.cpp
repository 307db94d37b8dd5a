// The PEFT adapter export (see PeftExport.h).
#include "export/PeftExport.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "export/ExportFolder.h"
#include "export/ModelCard.h"
#include "io/SafetensorsWriter.h"
#include "lora/PeftAdapterFolder.h"

namespace headroom::exporting {

ExportSummary exportPeftAdapter(const RunCheckpoint &checkpoint, const std::filesystem::path &out)
{
    if (checkpoint.kind != RunCheckpoint::Kind::Lora)
        throwFileError(checkpoint.weights,
                       "this is a full fine-tuning run (no LoRA adapter); export it with "
                       "--format merged");
    // Read and validated in full before anything is written.
    auto adapter = lora::readAdapterWeights(checkpoint.weights);
    ExportFolder folder(out);

    io::SafetensorsWriter writer;
    ExportSummary summary;
    for (const auto &[path, module] : adapter.modules)
        for (const auto &[which, tensor] : {std::pair{'A', module.a}, std::pair{'B', module.b}}) {
            // Already fp32 and contiguous (readAdapterWeights owns copies).
            writer.add(
                lora::adapterTensorName(path, which), io::DType::F32, tensor.sizes().vec(),
                std::span(static_cast<const std::byte *>(tensor.data_ptr()), tensor.nbytes()));
            summary.tensorBytes += tensor.nbytes();
            ++summary.tensors;
        }
    writer.write(folder.staging() / "adapter_model.safetensors");

    // The checkpoint's config as the trainer wrote it; the base model named
    // as the user named it, so PEFT can find it.
    auto config = adapter.config;
    config["base_model_name_or_path"] = checkpoint.config.model;
    config["inference_mode"] = true;
    writeFileAtomically(folder.staging() / "adapter_config.json", config.dump(2) + "\n");
    writeFileAtomically(folder.staging() / "README.md",
                        modelCard(checkpoint, "peft", "LoRA adapter", adapter.config));
    folder.commit();
    summary.folder = folder.target();
    summary.files = {"adapter_config.json", "adapter_model.safetensors", "README.md"};
    return summary;
}

} // namespace headroom::exporting
