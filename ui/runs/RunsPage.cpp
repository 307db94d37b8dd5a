#include "RunsPage.h"

namespace headroom::ui {

RunsPage::RunsPage(RunDraft &draft, QWidget *parent) : QWidget(parent) {}

} // namespace headroom::ui
