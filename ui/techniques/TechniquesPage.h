// Placeholder while the desktop-application work is in progress.
#pragma once

#include "common/RunDraft.h"
#include <QWidget>

namespace headroom::ui {

class TechniquesPage : public QWidget
{
    Q_OBJECT
public:
    explicit TechniquesPage(RunDraft &draft, QWidget *parent = nullptr);
};

} // namespace headroom::ui
