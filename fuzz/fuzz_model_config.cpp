// libFuzzer: a model's config.json through parseModelConfig.
#include "FuzzSupport.h"
#include "io/JsonFile.h"
#include "model/ModelConfig.h"

#include <nlohmann/json.hpp>

HEADROOM_FUZZ_TARGET(fuzz_model_config)
{
    return headroom::fuzz::guarded([&] {
        const auto json = headroom::io::parseJsonText({reinterpret_cast<const char *>(data), size},
                                                      "config.json");
        (void)headroom::model::parseModelConfig(json, "config.json");
    });
}
