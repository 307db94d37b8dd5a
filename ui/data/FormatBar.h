// The dataset format row of the data page: a selector that edits the draft's
// dataset_format (auto-detect or one of the formats the engine reads) and
// the format the engine settled on, with its reason and the chat format the
// samples are rendered with.
#pragma once

#include "DatasetAnalysis.h"
#include "common/RunDraft.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace headroom::ui {

class FormatBar : public QWidget
{
    Q_OBJECT
public:
    explicit FormatBar(RunDraft &draft, QWidget *parent = nullptr);

    void showDetection(const DatasetAnalysis &analysis);
    void clearDetection();

private:
    void followConfig();

    RunDraft &m_draft;
    QComboBox *m_selector = nullptr;
    QLabel *m_detected = nullptr;
};

} // namespace headroom::ui
