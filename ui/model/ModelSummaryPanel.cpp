#include "ModelSummaryPanel.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>

namespace headroom::ui {

ModelSummaryPanel::ModelSummaryPanel(QWidget *parent) : QGroupBox(tr("Summary"), parent)
{
    setObjectName("modelSummary");
    auto *form = new QFormLayout(this);
    m_architecture = addRow(form, tr("Architecture:"), "summaryArchitecture");
    m_parameters = addRow(form, tr("Parameters:"), "summaryParameters");
    m_layers = addRow(form, tr("Layers:"), "summaryLayers");
    m_hidden = addRow(form, tr("Hidden size:"), "summaryHidden");
    m_vocab = addRow(form, tr("Vocabulary:"), "summaryVocab");
    m_dtype = addRow(form, tr("Weights dtype:"), "summaryDtype");
    m_size = addRow(form, tr("Size on disk:"), "summarySize");
    m_path = addRow(form, tr("Path:"), "summaryPath");
    m_tokenizer = addRow(form, tr("Tokenizer:"), "summaryTokenizer");
    m_path->setWordWrap(true);
    clear();
}

QLabel *ModelSummaryPanel::addRow(QFormLayout *form, const QString &label,
                                  const QString &objectName)
{
    auto *value = new QLabel(this);
    value->setObjectName(objectName);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(label, value);
    return value;
}

void ModelSummaryPanel::showSummary(const model::ModelSummary &summary)
{
    const QLocale locale;
    const auto kind = [&] {
        switch (summary.kind) {
        case model::ModelSummary::Kind::Gguf:
            return tr("GGUF file");
        case model::ModelSummary::Kind::HfCacheRepo:
            return tr("Hugging Face cache: %1").arg(QString::fromStdString(summary.repoId));
        case model::ModelSummary::Kind::HfFolder:
            break;
        }
        return tr("Hugging Face folder");
    }();
    m_architecture->setText(tr("%1 — %2").arg(QString::fromStdString(summary.architecture), kind));
    m_parameters->setText(tr("%1 M (%2)")
                              .arg(locale.toString(double(summary.parameters) / 1e6, 'f', 1),
                                   locale.toString(qlonglong(summary.parameters))));
    // Plain digits: people compare them with config.json.
    m_layers->setText(QString::number(summary.layers));
    m_hidden->setText(QString::number(summary.hidden));
    m_vocab->setText(QString::number(summary.vocab));
    m_dtype->setText(QString::fromStdString(summary.dtype));
    m_size->setText(locale.formattedDataSize(qint64(summary.sizeOnDisk)));
    m_path->setText(QString::fromStdString(summary.path.string()));
    const QString tokenizer = summary.hasTokenizer ? tr("included") : tr("missing");
    const QString chat =
        summary.hasChatTemplate ? tr("chat template included") : tr("no chat template");
    m_tokenizer->setText(tr("%1, %2").arg(tokenizer, chat));
}

void ModelSummaryPanel::clear()
{
    for (QLabel *label : {m_architecture, m_parameters, m_layers, m_hidden, m_vocab, m_dtype,
                          m_size, m_path, m_tokenizer})
        label->setText(tr("—"));
}

} // namespace headroom::ui
