// `headroom-cli tokenize MODEL (--text T | --file F) [--no-special] [--json]`:
// token ids of each input line; with --json one `{"ids": [...]}` per line.
#include "CliSupport.h"
#include "Commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace headroom::cli {

namespace {

struct TokenizeOptions
{
    std::string model;
    std::optional<std::string> text, file;
    bool noSpecial = false;
    bool json = false;
};

int runTokenize(const TokenizeOptions &options)
{
    auto inputs = readInputs(options.text, options.file);
    auto tokenizer = loadTokenizerFor(io::resolveModelSource(options.model));
    for (const auto &input : inputs) {
        auto ids = tokenizer.encode(input, !options.noSpecial);
        if (options.json) {
            std::cout << nlohmann::json{{"ids", ids}}.dump() << "\n";
            continue;
        }
        for (size_t i = 0; i < ids.size(); ++i)
            std::cout << (i ? " " : "") << ids[i];
        std::cout << "\n";
    }
    return 0;
}

} // namespace

Runner addTokenizeCommand(CLI::App &app)
{
    auto options = std::make_shared<TokenizeOptions>();
    auto *cmd =
        app.add_subcommand("tokenize", "Token ids of text, one line of output per input line");
    cmd->add_option(
           "MODEL", options->model,
           "Model folder (a tokenizer-only folder is enough), .gguf file, or cached repo id")
        ->required();
    auto *text = cmd->add_option("--text", options->text, "Text to tokenize");
    cmd->add_option("--file", options->file, "File with one input per line")->excludes(text);
    cmd->add_flag("--no-special", options->noSpecial, "Do not add special tokens such as BOS");
    cmd->add_flag("--json", options->json, "Print {\"ids\": [...]} per line");
    return [options] { return runTokenize(*options); };
}

} // namespace headroom::cli
