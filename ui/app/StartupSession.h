// What the window opens with. Command-line options (the README's run command
// passes the built-in model, the demo dataset and the demo recipe) win;
// otherwise the last session (the draft's config, saved on quit) comes back;
// on the very first launch, the built-in default model ($HEADROOM_DEFAULT_MODEL)
// and the demo dataset installed beside the application are preselected, so
// pressing Train works at once.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace headroom::ui {

class MainWindow;

struct StartupOptions
{
    QString model;           // --model: HF folder, GGUF file or cached repo id
    QString dataset;         // --dataset
    QString config;          // --config: a run.json whose settings fill the draft
    std::optional<int> page; // --page N (0 = Model … 5 = Runs)
};

// Parses the application's arguments; exits with usage on --help or an
// unknown option (QCommandLineParser::process).
StartupOptions parseStartupOptions(const QStringList &arguments);

// Fills the window's draft and opens model and dataset through the pages.
// Problems (an unreadable config) are shown as a message, not fatal.
void applyStartup(MainWindow &window, const StartupOptions &options);

// Saves the draft's config for the next launch.
void saveSession(MainWindow &window);

// The demo dataset shipped with Headroom (installed share folder, else the
// source tree this binary was built from); empty when neither exists.
QString demoDatasetPath();

} // namespace headroom::ui
