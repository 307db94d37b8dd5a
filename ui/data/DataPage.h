// Step 2 of the flow: choose the dataset. Opens a file (dialog, drag and
// drop, recent datasets), says which format the engine detected and why (or
// lets the user choose it), previews the first samples rendered with the
// model's tokenizer and chat template, plots the token lengths against
// max_seq_len and lists malformed lines. Reading and tokenizing run on a
// worker thread (AnalysisRunner); a result for an older dataset, model or
// format is discarded.
#pragma once

#include "DatasetAnalysis.h"
#include "common/RunDraft.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace headroom::ui {

class AnalysisRunner;
class FormatBar;
class LengthHistogram;
class MalformedList;
class RecentList;
class SamplePreview;

class DataPage : public QWidget
{
    Q_OBJECT
public:
    explicit DataPage(RunDraft &draft, QWidget *parent = nullptr);

    QString currentDataset() const { return m_path; }
    bool isAnalysing() const;

public slots:
    // Starts reading and tokenizing `path`; false (with the reason shown) when
    // the file cannot be read or has a type the engine does not read.
    bool openDataset(const QString &path);
    void openDatasetDialog();

signals:
    // The analysis of the current dataset, model and format is shown.
    void datasetAnalysed();

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void analyse();
    void applyAnalysis(const DatasetAnalysis &analysis);
    void followConfig();
    void followDataset();
    void updateTruncation();
    void showStatus(const QString &text, bool error);

    RunDraft &m_draft;
    QString m_path;
    AnalysisRunner *m_runner = nullptr;
    // What the shown (or pending) analysis was made for.
    std::string m_model;
    data::DatasetFormat m_format = data::DatasetFormat::Auto;
    bool m_trainOnPrompt = false;
    std::vector<uint32_t> m_lengths;
    bool m_tokenized = false;

    QLabel *m_pathLabel = nullptr;
    FormatBar *m_formatBar = nullptr;
    QLabel *m_status = nullptr;
    SamplePreview *m_preview = nullptr;
    LengthHistogram *m_histogram = nullptr;
    QLabel *m_truncation = nullptr;
    // "Use max_seq_len N": the longest sample, when it is shorter and rows are
    // not packed, so the memory estimate (rows of max_seq_len tokens) is tight.
    QPushButton *m_fitSeqLen = nullptr;
    MalformedList *m_malformed = nullptr;
    RecentList *m_recent = nullptr;
};

} // namespace headroom::ui
