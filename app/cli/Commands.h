// Registration of each headroom-cli subcommand. Each command file adds its
// options to the CLI11 app and returns the function that runs it; errors
// propagate as headroom::Error and are reported once by main().
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace headroom::cli {

using Runner = std::function<int()>;

Runner addInspectCommand(CLI::App &app);
Runner addTokenizeCommand(CLI::App &app);
Runner addScoreCommand(CLI::App &app);
Runner addGenerateCommand(CLI::App &app);
Runner addDemoCommand(CLI::App &app);
Runner addModelsCommand(CLI::App &app);
Runner addTrainCommand(CLI::App &app);
Runner addExportCommand(CLI::App &app);
Runner addEstimateCommand(CLI::App &app);

} // namespace headroom::cli
