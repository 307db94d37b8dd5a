#include "TrainPage.h"

namespace headroom::ui {

TrainPage::TrainPage(RunDraft &draft, QWidget *parent) : QWidget(parent) {}

} // namespace headroom::ui
