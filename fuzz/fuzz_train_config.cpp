// libFuzzer: a run config (the JSON the GUI saves and `headroom-cli train
// --config` reads) through parseTrainConfig, and back through toJson.
#include "FuzzSupport.h"
#include "io/JsonFile.h"
#include "train/TrainConfig.h"

#include <nlohmann/json.hpp>

HEADROOM_FUZZ_TARGET(fuzz_train_config)
{
    return headroom::fuzz::guarded([&] {
        const auto json =
            headroom::io::parseJsonText({reinterpret_cast<const char *>(data), size}, "run.json");
        const auto config = headroom::train::parseTrainConfig(json, "run.json");
        // What was accepted must serialise and parse back without complaint.
        try {
            (void)headroom::train::parseTrainConfig(headroom::train::toJson(config), "run.json");
        } catch (const headroom::Error &e) {
            std::fprintf(stderr, "accepted config does not round-trip: %s\n", e.what());
            std::abort();
        }
    });
}
