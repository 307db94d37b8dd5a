// Placeholder while the desktop-application work is in progress.
#pragma once

#include "common/RunDraft.h"
#include <QWidget>

namespace headroom::ui {

class TrainPage : public QWidget
{
    Q_OBJECT
public:
    explicit TrainPage(RunDraft &draft, QWidget *parent = nullptr);
};

} // namespace headroom::ui
