// Shared helpers of the subcommands.
#include "CliSupport.h"

#include "common/Error.h"
#include "model/TokenizerLoader.h"

#include <fstream>

namespace headroom::cli {

std::vector<std::string> readInputs(const std::optional<std::string> &text,
                                    const std::optional<std::string> &file)
{
    if (text.has_value() == file.has_value())
        throw Error("give exactly one of --text and --file");
    if (text)
        return {*text};
    std::ifstream in(*file, std::ios::binary);
    if (!in)
        throw Error(*file + ": cannot open");
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

std::unique_ptr<model::CausalLM> loadModelFor(const io::ModelSource &source,
                                              const std::string &dtype,
                                              const std::string &attention,
                                              const std::string &device)
{
    model::LoadOptions options;
    options.dtype = model::parseDtype(dtype);
    options.attention = model::parseAttentionKernel(attention);
    options.device = model::parseDevice(device);
    return model::loadModel(source, options);
}

void ComputeOptions::addTo(CLI::App &command)
{
    command.add_option("--dtype", dtype, "Compute dtype: fp32 | bf16 | fp16")
        ->check(CLI::IsMember({"fp32", "bf16", "fp16"}));
    command.add_option("--attention", attention, "Attention kernel: sdpa | eager")
        ->check(CLI::IsMember({"sdpa", "eager"}));
    command.add_option("--device", device, "auto (first GPU if any) | cpu | cuda | cuda:N");
}

tok::Tokenizer loadTokenizerFor(const io::ModelSource &source)
{
    return model::loadTokenizer(source);
}

} // namespace headroom::cli
