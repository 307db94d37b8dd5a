// Shared helpers of the subcommands.
#include "CliSupport.h"

#include "common/Error.h"
#include "model/TokenizerLoader.h"
#include "tokenizer/ChatFormat.h"

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

namespace headroom::cli {

std::vector<int64_t> promptIds(const tok::Tokenizer &tokenizer, const std::string &text, bool chat,
                               const std::optional<std::string> &chatFormat)
{
    std::vector<int32_t> ids;
    if (chat) {
        auto format = tok::ChatFormat::forTokenizer(tokenizer, chatFormat);
        auto rendered = format.render({{"user", text}}, /*addGenerationPrompt=*/true);
        // The rendered text already carries BOS where the format wants one,
        // so special tokens are not added again (as apply_chat_template does).
        ids = tokenizer.encode(rendered.text, false);
    } else {
        ids = tokenizer.encode(text, true);
    }
    return {ids.begin(), ids.end()};
}

void TokenStreamer::add(int64_t token)
{
    m_tokens.push_back(static_cast<int32_t>(token));
    auto current = text();
    if (current.size() > m_printed.size() && current.compare(0, m_printed.size(), m_printed) == 0 &&
        !current.ends_with("\xEF\xBF\xBD")) {
        m_out << current.substr(m_printed.size()) << std::flush;
        m_printed = std::move(current);
    }
}

void TokenStreamer::finish()
{
    auto current = text();
    if (current.size() > m_printed.size() && current.compare(0, m_printed.size(), m_printed) == 0)
        m_out << current.substr(m_printed.size());
    m_out << std::flush;
    m_printed = std::move(current);
}

} // namespace headroom::cli
