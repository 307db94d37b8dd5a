// `headroom-cli export --run DIR --format peft|merged --out DIR [--checkpoint NAME]
// [--dtype bf16|fp16|fp32] [--max-shard-size 5GB] [--json]`: turns a run's
// newest (or named) checkpoint into a PEFT adapter folder or a merged Hugging
// Face model folder, and prints what it wrote.
#include "Commands.h"
#include "common/Error.h"
#include "export/MergedExport.h"
#include "export/PeftExport.h"
#include "export/RunCheckpoint.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace headroom::cli {

namespace {

struct ExportOptions
{
    std::string run;
    std::string format;
    std::string out;
    std::optional<std::string> checkpoint;
    std::optional<std::string> dtype;
    std::string maxShardSize = "5GB";
    bool json = false;
};

io::DType parseExportDType(const std::string &name)
{
    if (name == "fp32" || name == "float32")
        return io::DType::F32;
    if (name == "bf16" || name == "bfloat16")
        return io::DType::BF16;
    if (name == "fp16" || name == "float16")
        return io::DType::F16;
    throw Error("--dtype `" + name + "`: expected bf16, fp16 or fp32");
}

void print(const exporting::RunCheckpoint &checkpoint, const exporting::ExportSummary &summary,
           const std::string &format, const std::string &extra, bool json)
{
    if (json) {
        std::cout << nlohmann::json{{"format", format},
                                    {"out", summary.folder.string()},
                                    {"checkpoint", checkpoint.folder.string()},
                                    {"step", checkpoint.step},
                                    {"files", summary.files},
                                    {"tensors", summary.tensors},
                                    {"tensor_bytes", summary.tensorBytes}}
                         .dump()
                  << "\n";
        return;
    }
    std::cout << "exported " << checkpoint.name << " (step " << checkpoint.step << ") of "
              << checkpoint.runDir.string() << " as " << format << extra << " to "
              << summary.folder.string() << ":\n";
    for (const auto &file : summary.files)
        std::cout << "  " << file << "\n";
}

// An error while writing (a full disk) names the file inside the export's
// temporary folder, which is removed by then: say so, and that the output
// folder was not written, so the user knows nothing half-written is left.
template <class Export> auto abandonOnError(const std::string &out, Export &&run)
{
    try {
        return run();
    } catch (const Error &e) {
        const std::string what = e.what();
        if (what.find(".partial-") == std::string::npos)
            throw;
        throw Error(what +
                    " (export abandoned: its temporary folder is removed and nothing was "
                    "written to `" +
                    out + "`)");
    }
}

int runExport(const ExportOptions &options)
{
    const auto checkpoint = exporting::openRunCheckpoint(options.run, options.checkpoint);
    if (options.format == "peft") {
        if (options.dtype)
            throw Error("--dtype applies to --format merged only (adapters are saved in fp32)");
        const auto summary = abandonOnError(
            options.out, [&] { return exporting::exportPeftAdapter(checkpoint, options.out); });
        print(checkpoint, summary, "peft", "", options.json);
        return 0;
    }
    exporting::MergedExportOptions merged;
    if (options.dtype)
        merged.dtype = parseExportDType(*options.dtype);
    merged.maxShardBytes = exporting::parseShardSize(options.maxShardSize);
    const auto summary = abandonOnError(
        options.out, [&] { return exporting::exportMergedModel(checkpoint, options.out, merged); });
    const std::string extra = std::string(" (") + std::string(io::dtypeName(summary.dtype)) + ", " +
                              std::to_string(summary.shards) + " shard" +
                              (summary.shards == 1 ? "" : "s") + ")";
    print(checkpoint, summary, "merged", extra, options.json);
    if (!summary.tokenizerNote.empty())
        std::cerr << "warning: no tokenizer files written: " << summary.tokenizerNote << "\n";
    return 0;
}

} // namespace

Runner addExportCommand(CLI::App &app)
{
    auto options = std::make_shared<ExportOptions>();
    auto *cmd = app.add_subcommand(
        "export", "Export a run's checkpoint as a PEFT adapter or a merged Hugging Face model");
    cmd->add_option("--run", options->run, "Run folder (or a checkpoint folder)")->required();
    cmd->add_option("--format", options->format, "peft (LoRA adapter) or merged (full model)")
        ->required()
        ->check(CLI::IsMember({"peft", "merged"}));
    cmd->add_option("--out", options->out, "Output folder (must not exist or be empty)")
        ->required();
    cmd->add_option("--checkpoint", options->checkpoint,
                    "Checkpoint folder name under checkpoints/ (default: checkpoints/latest)");
    cmd->add_option("--dtype", options->dtype,
                    "merged: bf16 | fp16 | fp32 (default: the base model's; bf16 for GGUF)");
    cmd->add_option("--max-shard-size", options->maxShardSize,
                    "merged: largest safetensors shard, e.g. 5GB, 500MB, 2GiB")
        ->capture_default_str();
    cmd->add_flag("--json", options->json, "Print one JSON object describing the export");
    return [options] { return runExport(*options); };
}

} // namespace headroom::cli
