// Placeholder while the desktop-application work is in progress.
#pragma once

#include "common/RunDraft.h"
#include <QWidget>

namespace headroom::ui {

class ExportChatPage : public QWidget
{
    Q_OBJECT
public:
    explicit ExportChatPage(RunDraft &draft, QWidget *parent = nullptr);
};

} // namespace headroom::ui
