#include "DataPage.h"

namespace headroom::ui {

DataPage::DataPage(RunDraft &draft, QWidget *parent) : QWidget(parent) {}

} // namespace headroom::ui
