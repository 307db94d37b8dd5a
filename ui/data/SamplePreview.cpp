#include "SamplePreview.h"

#include "data/SampleEncoder.h"

#include <QTextCursor>

namespace headroom::ui {

SamplePreview::SamplePreview(QWidget *parent) : QTextBrowser(parent)
{
    setObjectName("samplePreview");
    setOpenLinks(false);
    setLineWrapMode(QTextEdit::WidgetWidth);
}

QColor SamplePreview::promptColour()
{
    // Translucent amber: readable on light and dark palettes alike.
    return QColor(240, 170, 0, 80);
}

void SamplePreview::setSamples(std::vector<PreviewSample> samples,
                               std::shared_ptr<const tok::Tokenizer> tokenizer)
{
    m_samples = std::move(samples);
    m_tokenizer = std::move(tokenizer);
    render();
}

void SamplePreview::setMaxSeqLen(int64_t maxSeqLen)
{
    if (maxSeqLen == m_maxSeqLen)
        return;
    m_maxSeqLen = maxSeqLen;
    if (!m_samples.empty())
        render();
}

void SamplePreview::showMessage(const QString &message)
{
    m_samples.clear();
    m_tokenizer.reset();
    setPlainText(message);
}

void SamplePreview::render()
{
    clear();
    if (!m_tokenizer || m_samples.empty())
        return;
    QTextCursor cursor(document());
    QTextCharFormat heading;
    heading.setFontWeight(QFont::Bold);
    QTextCharFormat trained;
    QTextCharFormat prompt;
    prompt.setBackground(promptColour());
    QTextCharFormat cut;
    cut.setFontStrikeOut(true);
    cut.setForeground(QColor(128, 128, 128));

    const size_t limit = m_maxSeqLen > 0 ? size_t(m_maxSeqLen) : SIZE_MAX;
    for (size_t s = 0; s < m_samples.size(); ++s) {
        const PreviewSample &sample = m_samples[s];
        size_t targets = 0;
        for (int32_t label : sample.labels)
            targets += label != data::kIgnoreIndex;
        if (s > 0)
            cursor.insertBlock();
        cursor.insertText(tr("Sample %1 — line %2, %3 tokens, %4 trained")
                              .arg(s + 1)
                              .arg(sample.line)
                              .arg(sample.ids.size())
                              .arg(targets),
                          heading);
        cursor.insertBlock();
        // Runs of tokens with the same role are decoded together, so that
        // characters spanning several byte-level tokens come out whole.
        size_t begin = 0;
        const auto kindOf = [&](size_t i) {
            return i >= limit ? 2 : sample.labels[i] == data::kIgnoreIndex ? 1 : 0;
        };
        while (begin < sample.ids.size()) {
            const int kind = kindOf(begin);
            size_t end = begin + 1;
            while (end < sample.ids.size() && kindOf(end) == kind)
                ++end;
            const std::vector<int32_t> run(sample.ids.begin() + std::ptrdiff_t(begin),
                                           sample.ids.begin() + std::ptrdiff_t(end));
            const QString text = QString::fromStdString(m_tokenizer->decode(run, false));
            QTextCharFormat format = kind == 2 ? cut : kind == 1 ? prompt : trained;
            format.setToolTip(kind == 2   ? tr("%n token(s) past max_seq_len", "", int(run.size()))
                              : kind == 1 ? tr("%n token(s) without loss", "", int(run.size()))
                                          : tr("%n trained token(s)", "", int(run.size())));
            cursor.insertText(text, format);
            begin = end;
        }
        cursor.insertBlock();
    }
    moveCursor(QTextCursor::Start);
}

} // namespace headroom::ui
