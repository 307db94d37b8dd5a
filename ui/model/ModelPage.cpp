#include "ModelPage.h"

namespace headroom::ui {

ModelPage::ModelPage(RunDraft &draft, QWidget *parent) : QWidget(parent) {}

} // namespace headroom::ui
