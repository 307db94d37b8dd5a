// What several subcommands share: resolving MODEL, loading the model and its
// tokenizer with the user's dtype/attention choice, reading input lines.
#pragma once

#include "io/ModelSource.h"
#include "model/ModelLoader.h"
#include "tokenizer/Tokenizer.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace headroom::cli {

// --text T (one input, may contain newlines) or --file F (one input per line).
std::vector<std::string> readInputs(const std::optional<std::string> &text,
                                    const std::optional<std::string> &file);

std::unique_ptr<model::CausalLM> loadModelFor(const io::ModelSource &source,
                                              const std::string &dtype,
                                              const std::string &attention,
                                              const std::string &device = "auto");

// --dtype, --attention and --device (with checks) of the subcommands that run the model.
struct ComputeOptions
{
    std::string dtype = "fp32";
    std::string attention = "sdpa";
    std::string device = "auto";
    void addTo(CLI::App &command);
};

tok::Tokenizer loadTokenizerFor(const io::ModelSource &source);

} // namespace headroom::cli
