// What the train page's test suites share: the tiny fixture run in a draft,
// and the page shown with its runs in a temporary folder.
#pragma once

#include "common/RunDraft.h"
#include "common/TinyRun.h"
#include "io/JsonFile.h"
#include "model/ModelConfig.h"
#include "train/TrainConfig.h"
#include "train/TrainPage.h"

#include <QString>

#include <nlohmann/json.hpp>

namespace headroom::test {

// The tiny run, `maxSteps` long, with `overrides` merged in; the draft also
// learns the model's shape (for the estimate line and the advice).
inline void prepareTinyDraft(ui::RunDraft &draft, int64_t maxSteps,
                             const nlohmann::json &overrides = {})
{
    auto json = tinyRunConfig("unused");
    json["max_steps"] = maxSteps;
    for (const auto &[key, value] : overrides.items())
        json[key] = value;
    const auto modelDir = trainFixtures() / "tiny_llama";
    const auto shape = model::parseModelConfig(io::readJsonFile(modelDir / "config.json"),
                                               (modelDir / "config.json").string());
    draft.setModel(QString::fromStdString(modelDir.string()), shape);
    draft.setConfig(train::parseTrainConfig(json, "test config"));
}

// A train page on its own draft; show() puts its runs under `runsRoot`.
struct TrainPageUnderTest
{
    ui::RunDraft draft;
    ui::TrainPage page{draft};

    void show(const QString &runsRoot)
    {
        page.setRunsRoot(runsRoot);
        page.resize(1000, 700);
        page.show();
    }
};

} // namespace headroom::test
