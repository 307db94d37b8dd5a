#include "TechniquesPage.h"

namespace headroom::ui {

TechniquesPage::TechniquesPage(RunDraft &draft, QWidget *parent) : QWidget(parent) {}

} // namespace headroom::ui
