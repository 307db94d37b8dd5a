// Placeholder while the desktop-application work is in progress.
#pragma once

#include "common/RunDraft.h"
#include <QWidget>

namespace headroom::ui {

class RunsPage : public QWidget
{
    Q_OBJECT
public:
    explicit RunsPage(RunDraft &draft, QWidget *parent = nullptr);
};

} // namespace headroom::ui
