#include "FormatBar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>

#include <algorithm>
#include <iterator>

namespace headroom::ui {

namespace {

constexpr train::DatasetFormat kFormats[] = {
    train::DatasetFormat::Auto, train::DatasetFormat::Alpaca, train::DatasetFormat::Chat,
    train::DatasetFormat::Text, train::DatasetFormat::Completion};

QString formatTitle(train::DatasetFormat format)
{
    switch (format) {
    case train::DatasetFormat::Auto:
        return FormatBar::tr("Detect automatically");
    case train::DatasetFormat::Alpaca:
        return FormatBar::tr("Alpaca (instruction, input, output)");
    case train::DatasetFormat::Chat:
        return FormatBar::tr("Chat (messages or ShareGPT conversations)");
    case train::DatasetFormat::Text:
        return FormatBar::tr("Plain text");
    case train::DatasetFormat::Completion:
        return FormatBar::tr("Prompt and completion");
    }
    return {};
}

} // namespace

FormatBar::FormatBar(RunDraft &draft, QWidget *parent) : QWidget(parent), m_draft(draft)
{
    m_selector = new QComboBox(this);
    m_selector->setObjectName("formatSelector");
    for (train::DatasetFormat format : kFormats)
        m_selector->addItem(formatTitle(format),
                            QString::fromLatin1(train::toString(format).data()));
    connect(m_selector, &QComboBox::activated, this, [this](int index) {
        const train::DatasetFormat format = kFormats[index];
        m_draft.update([format](train::TrainConfig &config) { config.datasetFormat = format; });
    });
    m_detected = new QLabel(this);
    m_detected->setObjectName("detectedFormat");
    m_detected->setWordWrap(true);
    m_detected->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Format:"), this));
    layout->addWidget(m_selector);
    layout->addWidget(m_detected, 1);

    connect(&m_draft, &RunDraft::configChanged, this, &FormatBar::followConfig);
    followConfig();
}

void FormatBar::followConfig()
{
    const auto format = m_draft.config().datasetFormat;
    const auto *found = std::find(std::begin(kFormats), std::end(kFormats), format);
    m_selector->setCurrentIndex(int(found - std::begin(kFormats)));
}

void FormatBar::showDetection(const DatasetAnalysis &analysis)
{
    if (!analysis.formatError.empty()) {
        m_detected->setText(QString::fromStdString(analysis.formatError));
        return;
    }
    const QString name = QString::fromStdString(data::formatName(analysis.format));
    QString text =
        analysis.formatReason.empty()
            ? tr("%1, as chosen").arg(name)
            : tr("Detected %1 (%2)").arg(name, QString::fromStdString(analysis.formatReason));
    if (!analysis.chatFormat.empty())
        text = tr("%1; rendered with the %2 chat format")
                   .arg(text, QString::fromStdString(analysis.chatFormat));
    m_detected->setText(text);
}

void FormatBar::clearDetection()
{
    m_detected->clear();
}

} // namespace headroom::ui
