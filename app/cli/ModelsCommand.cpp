// `headroom-cli models [--json]`: the models in the local Hugging Face cache
// that can be passed as MODEL by repo id, with what each one is. Reads config
// files only; a cached repo that is not a supported model is listed with the
// reason instead of failing the listing.
#include "Commands.h"
#include "common/Error.h"
#include "io/HfCache.h"
#include "io/ModelSource.h"
#include "model/ModelLoader.h"

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

namespace headroom::cli {

namespace {

int runModels(bool json)
{
    nlohmann::json rows = nlohmann::json::array();
    for (const auto &cached : io::listCachedModels()) {
        nlohmann::json row = {{"repo_id", cached.repoId},
                              {"revision", cached.revision},
                              {"path", cached.snapshot.string()},
                              {"bytes", cached.sizeOnDisk}};
        try {
            auto config = model::loadModelConfig(
                {io::ModelSource::Kind::HfFolder, cached.snapshot, cached.repoId});
            row["model_type"] = config.modelType;
            row["parameters"] = config.parameterCount();
        } catch (const Error &e) {
            row["unsupported"] = e.what();
        }
        rows.push_back(row);
    }
    if (json) {
        std::cout << rows.dump(2) << "\n";
        return 0;
    }
    std::cout << "Hugging Face cache: " << io::hfHubCacheDir().string() << "\n";
    if (rows.empty())
        std::cout << "  (no models)\n";
    for (const auto &row : rows) {
        std::cout << "  " << std::left << std::setw(44) << row["repo_id"].get<std::string>() << " ";
        if (row.contains("model_type"))
            std::cout << std::setw(8) << row["model_type"].get<std::string>() << " " << std::fixed
                      << std::setprecision(1) << row["parameters"].get<double>() / 1e6
                      << " M parameters";
        else
            std::cout << "not loadable: " << row["unsupported"].get<std::string>();
        std::cout << "\n";
    }
    return 0;
}

} // namespace

Runner addModelsCommand(CLI::App &app)
{
    auto json = std::make_shared<bool>(false);
    auto *cmd = app.add_subcommand("models", "List the models in the local Hugging Face cache");
    cmd->add_flag("--json", *json, "Print a JSON array");
    return [json] { return runModels(*json); };
}

} // namespace headroom::cli
