// The first samples exactly as the model will see them: the ids the engine's
// SampleEncoder produced (chat template, special tokens, EOS), decoded back
// to text. Tokens without a loss (the prompt) are shaded, trained tokens are
// plain, and tokens past max_seq_len are struck through. Read-only.
#pragma once

#include "DatasetAnalysis.h"

#include <QTextBrowser>

namespace headroom::ui {

class SamplePreview : public QTextBrowser
{
    Q_OBJECT
public:
    explicit SamplePreview(QWidget *parent = nullptr);

    void setSamples(std::vector<PreviewSample> samples,
                    std::shared_ptr<const tok::Tokenizer> tokenizer);
    void setMaxSeqLen(int64_t maxSeqLen);
    // Replaces the samples with a sentence (no model yet, nothing to show).
    void showMessage(const QString &message);

    // The shading of masked tokens, for the legend beside the preview.
    static QColor promptColour();

private:
    void render();

    std::vector<PreviewSample> m_samples;
    std::shared_ptr<const tok::Tokenizer> m_tokenizer;
    int64_t m_maxSeqLen = 0;
};

} // namespace headroom::ui
