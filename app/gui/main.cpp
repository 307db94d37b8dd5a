#include "app/MainWindow.h"
#include "common/TrainMetaTypes.h"

#include <QApplication>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Headroom");
    QApplication::setApplicationName("Headroom");
    headroom::ui::registerTrainMetaTypes();
    headroom::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}
