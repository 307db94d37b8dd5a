// headroom: the desktop application. Opens the run store in the user's data
// folder, installs the interface language, and shows the main window with the
// startup session (command line, last session, or the first-launch defaults).
#include "app/AppIcon.h"
#include "app/Language.h"
#include "app/MainWindow.h"
#include "app/StartupSession.h"
#include "common/TrainMetaTypes.h"
#include "model/ComputeThreads.h"
#include "store/OpenRunStore.h"

#include <QApplication>
#include <QDir>
#include <QMessageBox>
#include <QStandardPaths>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

// `headroom --write-icon FILE.png [SIZE]`: the packaging's icon, rendered by
// the same code as the window's.
int writeIcon(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const int size = argc > 3 ? std::atoi(argv[3]) : 256;
    return headroom::ui::renderAppIcon(size).save(QString::fromLocal8Bit(argv[2])) ? 0 : 1;
}

// The run store in the user's data folder. A damaged file is set aside and
// replaced (and the user told where it went); when even that fails, an
// in-memory store with a warning: Headroom still works, the runs of this
// session are just not remembered.
std::unique_ptr<headroom::store::RunStore> openRunStore()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(folder);
    const QString file = folder + "/runs.sqlite";
    try {
        auto opened = headroom::store::openRunStore(file.toStdString());
        if (!opened.notice.empty())
            QMessageBox::warning(nullptr, QObject::tr("Run store"),
                                 QString::fromStdString(opened.notice));
        opened.store->markInterrupted();
        return std::move(opened.store);
    } catch (const std::exception &error) {
        QMessageBox::warning(nullptr, QObject::tr("Run store"),
                             QObject::tr("The run store %1 cannot be opened: %2\nRuns of this "
                                         "session will not be remembered.")
                                 .arg(file, QString::fromUtf8(error.what())));
        return std::make_unique<headroom::store::RunStore>(":memory:");
    }
}

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 3 && std::strcmp(argv[1], "--write-icon") == 0)
        return writeIcon(argc, argv);
    if (!hasDisplay()) {
        std::fprintf(stderr, "headroom: no display (DISPLAY and WAYLAND_DISPLAY are unset). "
                             "Use headroom-cli for headless training, or run scripts/demo.sh, "
                             "which does so.\n");
        return 1;
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Headroom");
    QApplication::setApplicationName("Headroom");
    QApplication::setApplicationVersion(HEADROOM_VERSION);
    QApplication::setWindowIcon(headroom::ui::appIcon());
    headroom::ui::installTranslations(
        headroom::ui::effectiveLanguage(headroom::ui::languageSetting()));
    const auto options = headroom::ui::parseStartupOptions(QApplication::arguments());
    headroom::ui::registerTrainMetaTypes();
    headroom::model::useAllCpuThreads();

    auto store = openRunStore();
    headroom::ui::MainWindow window(*store);
    window.show();
    headroom::ui::applyStartup(window, options);
    const int code = QApplication::exec();
    headroom::ui::saveSession(window);
    return code;
}
