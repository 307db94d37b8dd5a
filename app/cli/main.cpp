// headroom-cli entry point: parses the subcommand and is the single place
// where errors become a message on stderr and exit code 2 (bad input) or 1
// (an unexpected failure inside the engine).
#include "Commands.h"
#include "WholeLineStderr.h"
#include "common/Error.h"
#include "model/ComputeThreads.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <iostream>
#include <map>
#include <thread>

int main(int argc, char **argv)
{
    headroom::cli::writeStderrWholeLines();
    CLI::App app{"Headroom: fine-tune language models on your own workstation.\n"
                 "MODEL is a Hugging Face model folder, a .gguf file, or a repo id in the local "
                 "Hugging Face cache."};
    app.require_subcommand(1);
    app.set_version_flag("--version", "headroom-cli 0.1.0");
    std::map<CLI::App *, headroom::cli::Runner> runners;
    auto add = [&](headroom::cli::Runner (*adder)(CLI::App &)) {
        auto runner = adder(app);
        // get_subcommands() without a filter lists only parsed ones; this lists all.
        auto all = app.get_subcommands([](CLI::App *) { return true; });
        runners[all.back()] = std::move(runner);
    };
    add(headroom::cli::addInspectCommand);
    add(headroom::cli::addTokenizeCommand);
    add(headroom::cli::addScoreCommand);
    add(headroom::cli::addGenerateCommand);
    add(headroom::cli::addDemoCommand);
    add(headroom::cli::addModelsCommand);
    add(headroom::cli::addTrainCommand);
    add(headroom::cli::addExportCommand);
    add(headroom::cli::addEstimateCommand);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        std::cerr << "error: " << e.what() << "\nRun with --help for usage.\n";
        return 2;
    }

    headroom::model::useAllCpuThreads();
    try {
        for (auto *sub : app.get_subcommands())
            if (sub->parsed())
                return runners.at(sub)();
        return 2;
    } catch (const headroom::Error &e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (const c10::Error &e) {
        std::cerr << "error: " << e.what_without_backtrace() << "\n";
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
