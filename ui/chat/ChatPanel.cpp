#include "ChatPanel.h"

namespace headroom::ui {

ChatPanel::ChatPanel(RunDraft &draft, QWidget *parent) : QWidget(parent) {}

} // namespace headroom::ui
