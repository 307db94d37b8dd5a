// The facts about the open model, one labelled value per line: architecture,
// parameters, layers, hidden size, vocabulary, dtype, size on disk, path, and
// whether a tokenizer and a chat template come with it. Display only.
#pragma once

#include "model/ModelInspector.h"

#include <QGroupBox>

class QLabel;
class QFormLayout;

namespace headroom::ui {

class ModelSummaryPanel : public QGroupBox
{
    Q_OBJECT
public:
    explicit ModelSummaryPanel(QWidget *parent = nullptr);

    void showSummary(const model::ModelSummary &summary);
    void clear();

private:
    QLabel *addRow(QFormLayout *form, const QString &label, const QString &objectName);

    QLabel *m_architecture = nullptr;
    QLabel *m_parameters = nullptr;
    QLabel *m_layers = nullptr;
    QLabel *m_hidden = nullptr;
    QLabel *m_vocab = nullptr;
    QLabel *m_dtype = nullptr;
    QLabel *m_size = nullptr;
    QLabel *m_path = nullptr;
    QLabel *m_tokenizer = nullptr;
};

} // namespace headroom::ui
