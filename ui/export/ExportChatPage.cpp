#include "ExportChatPage.h"

namespace headroom::ui {

ExportChatPage::ExportChatPage(RunDraft &draft, QWidget *parent) : QWidget(parent) {}

} // namespace headroom::ui
