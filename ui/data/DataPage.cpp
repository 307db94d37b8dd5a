#include "DataPage.h"

#include "AnalysisRunner.h"
#include "FormatBar.h"
#include "LengthHistogram.h"
#include "MalformedList.h"
#include "SamplePreview.h"
#include "common/DroppedPath.h"
#include "common/RecentList.h"
#include "train/DataOptionsOf.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace headroom::ui {

namespace {

const char *const kRecentKey = "recent/datasets";

} // namespace

DataPage::DataPage(RunDraft &draft, QWidget *parent) : QWidget(parent), m_draft(draft)
{
    setObjectName("dataPage");
    setAcceptDrops(true);

    auto *open = new QPushButton(tr("Open dataset…"), this);
    open->setObjectName("openDataset");
    connect(open, &QPushButton::clicked, this, &DataPage::openDatasetDialog);
    m_pathLabel = new QLabel(tr("No dataset open. Drop a .jsonl, .json, .csv, .tsv or .txt file "
                                "onto this page."),
                             this);
    m_pathLabel->setObjectName("datasetPath");
    m_pathLabel->setWordWrap(true);
    auto *top = new QHBoxLayout;
    top->addWidget(open);
    top->addWidget(m_pathLabel, 1);

    m_formatBar = new FormatBar(m_draft, this);

    m_status = new QLabel(this);
    m_status->setObjectName("dataStatus");
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_preview = new SamplePreview(this);
    auto *legend = new QLabel(
        tr("<span style=\"background-color: %1\">&nbsp;prompt: masked, no loss&nbsp;</span>"
           "&nbsp;&nbsp;trained tokens plain&nbsp;&nbsp;<s>cut off by max_seq_len</s>")
            .arg(SamplePreview::promptColour().name(QColor::HexArgb)),
        this);
    legend->setObjectName("previewLegend");
    auto *previewBox = new QWidget(this);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    previewLayout->addWidget(new QLabel(tr("<b>Preview: the first samples as the model sees "
                                           "them</b>"),
                                        previewBox));
    previewLayout->addWidget(legend);
    previewLayout->addWidget(m_preview, 1);

    m_histogram = new LengthHistogram(this);
    m_truncation = new QLabel(this);
    m_truncation->setObjectName("truncationLabel");
    m_truncation->setWordWrap(true);
    m_fitSeqLen = new QPushButton(this);
    m_fitSeqLen->setObjectName("fitMaxSeqLenButton");
    m_fitSeqLen->setToolTip(
        tr("The memory estimate assumes rows of max_seq_len tokens. No sample is longer than "
           "this, so training sees the same tokens and the estimate gets tight."));
    m_fitSeqLen->hide();
    connect(m_fitSeqLen, &QPushButton::clicked, this, [this] {
        const auto longest = std::max_element(m_lengths.begin(), m_lengths.end());
        if (longest == m_lengths.end())
            return;
        const int64_t fit = std::max<int64_t>(2, *longest);
        m_draft.update([fit](train::TrainConfig &c) { c.maxSeqLen = fit; });
    });
    m_malformed = new MalformedList(this);
    m_recent = new RecentList(kRecentKey, this);
    m_recent->setObjectName("recentDatasets");
    m_recent->setMaximumHeight(120);
    connect(m_recent, &RecentList::chosen, this, &DataPage::openDataset);
    auto *sideBox = new QWidget(this);
    auto *side = new QVBoxLayout(sideBox);
    side->setContentsMargins(0, 0, 0, 0);
    side->addWidget(new QLabel(tr("<b>Token lengths</b>"), sideBox));
    side->addWidget(m_histogram, 2);
    side->addWidget(m_truncation);
    side->addWidget(m_fitSeqLen, 0, Qt::AlignLeft);
    side->addWidget(m_malformed, 1);
    side->addWidget(new QLabel(tr("<b>Recent datasets</b>"), sideBox));
    side->addWidget(m_recent);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(previewBox);
    splitter->addWidget(sideBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("<h2>Data</h2>"), this));
    layout->addLayout(top);
    layout->addWidget(m_formatBar);
    layout->addWidget(m_status);
    layout->addWidget(splitter, 1);

    m_runner = new AnalysisRunner(this);
    connect(m_runner, &AnalysisRunner::finished, this, &DataPage::applyAnalysis);
    connect(&m_draft, &RunDraft::configChanged, this, &DataPage::followConfig);
    connect(&m_draft, &RunDraft::datasetChanged, this, &DataPage::followDataset);
    m_preview->showMessage(tr("Open a dataset to see its first samples."));
    followConfig();
    followDataset(); // a draft that already names a dataset
}

bool DataPage::isAnalysing() const
{
    return m_runner->isRunning();
}

bool DataPage::openDataset(const QString &path)
{
    static const QStringList readable = {"jsonl", "ndjson", "json", "csv", "tsv", "txt"};
    const QFileInfo info(path);
    QFile file(path);
    if (!info.isFile() || !file.open(QIODevice::ReadOnly)) {
        showStatus(tr("Cannot open the dataset %1: it is not a readable file.").arg(path), true);
        return false;
    }
    if (!readable.contains(info.suffix().toLower())) {
        showStatus(tr("Cannot open the dataset %1: files of type .%2 are not read (use .jsonl, "
                      ".json, .csv, .tsv or .txt).")
                       .arg(path, info.suffix()),
                   true);
        return false;
    }
    m_path = info.absoluteFilePath();
    m_pathLabel->setText(QDir::toNativeSeparators(m_path));
    m_recent->remember(m_path);
    analyse();
    if (QString::fromStdString(m_draft.config().dataset) != m_path)
        m_draft.setDataset(m_path);
    return true;
}

void DataPage::openDatasetDialog()
{
    // Start where the last dataset was.
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    const QString folder = recent.isEmpty() ? QString() : QFileInfo(recent.first()).absolutePath();
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Open dataset"), folder,
        tr("Datasets (*.jsonl *.ndjson *.json *.csv *.tsv *.txt);;All files (*)"));
    if (!file.isEmpty())
        openDataset(file);
}

void DataPage::analyse()
{
    if (m_path.isEmpty())
        return;
    const train::TrainConfig &config = m_draft.config();
    m_model = config.model;
    m_format = train::dataFormatOf(config.datasetFormat);
    m_trainOnPrompt = config.trainOnPrompt;

    AnalysisRequest request;
    request.dataset = m_path.toStdString();
    request.model = m_model;
    request.format = m_format;
    request.trainOnPrompt = m_trainOnPrompt;
    const QString file = QFileInfo(m_path).fileName();
    showStatus(m_model.empty() ? tr("Reading %1…").arg(file)
                               : tr("Reading and tokenizing %1…").arg(file),
               false);
    m_runner->start(std::move(request));
}

void DataPage::applyAnalysis(const DatasetAnalysis &analysis)
{
    m_tokenized = analysis.tokenized;
    m_lengths = analysis.lengths;
    m_histogram->setLengths(m_lengths);
    m_malformed->setLines(analysis.malformed);

    QStringList problems;
    if (!analysis.readError.empty()) {
        m_formatBar->clearDetection();
        problems
            << tr("Cannot read the dataset:\n%1").arg(QString::fromStdString(analysis.readError));
    } else {
        m_formatBar->showDetection(analysis);
        if (!analysis.modelError.empty())
            problems << tr("Cannot load the tokenizer of %1:\n%2")
                            .arg(QString::fromStdString(analysis.model),
                                 QString::fromStdString(analysis.modelError));
        if (!analysis.prepareError.empty())
            problems << tr("No sample can be trained on:\n%1")
                            .arg(QString::fromStdString(analysis.prepareError));
    }

    if (analysis.tokenized)
        m_preview->setSamples(analysis.preview, analysis.tokenizer);
    else if (analysis.model.empty() && analysis.readError.empty())
        m_preview->showMessage(tr("The preview needs a model: open one on the Model page to see "
                                  "the samples exactly as the model will see them."));
    else
        m_preview->showMessage(tr("No preview."));

    if (!problems.isEmpty()) {
        showStatus(problems.join("\n\n"), true);
    } else if (analysis.tokenized) {
        showStatus(tr("%1, %2 records: %3 usable samples, %4 malformed lines.")
                       .arg(QString::fromStdString(analysis.fileType))
                       .arg(analysis.records)
                       .arg(analysis.lengths.size())
                       .arg(analysis.malformed.size()),
                   false);
    } else if (analysis.formatError.empty()) {
        showStatus(tr("%1, %2 records, %3 malformed lines.")
                       .arg(QString::fromStdString(analysis.fileType))
                       .arg(analysis.records)
                       .arg(analysis.malformed.size()),
                   false);
    } else {
        showStatus(tr("The format could not be detected; choose it above."), true);
    }
    updateTruncation();
    emit datasetAnalysed();
}

// Follows the config other pages edit: a new model, format or prompt masking
// needs a new pass over the data; a new max_seq_len only a new cut-off.
void DataPage::followConfig()
{
    const train::TrainConfig &config = m_draft.config();
    if (!m_path.isEmpty() &&
        (config.model != m_model || train::dataFormatOf(config.datasetFormat) != m_format ||
         config.trainOnPrompt != m_trainOnPrompt))
        analyse();
    updateTruncation();
}

void DataPage::followDataset()
{
    const QString dataset = QString::fromStdString(m_draft.config().dataset);
    if (dataset == m_path || dataset.isEmpty())
        return;
    openDataset(dataset);
}

void DataPage::updateTruncation()
{
    const int64_t maxSeqLen = m_draft.config().maxSeqLen;
    m_histogram->setMaxSeqLen(maxSeqLen);
    m_preview->setMaxSeqLen(maxSeqLen);
    if (m_path.isEmpty()) {
        m_truncation->clear();
    } else if (!m_tokenized) {
        m_truncation->setText(m_model.empty() ? tr("Token lengths need a model.")
                                              : tr("No token lengths: no usable sample."));
    } else {
        const auto truncated = std::count_if(m_lengths.begin(), m_lengths.end(),
                                             [&](uint32_t length) { return length > maxSeqLen; });
        m_truncation->setText(tr("%1 of %2 samples would be truncated (max_seq_len %3)")
                                  .arg(truncated)
                                  .arg(m_lengths.size())
                                  .arg(maxSeqLen));
    }
    // Packed rows are filled up to max_seq_len, so only unpacked rows offer it.
    const auto longest = std::max_element(m_lengths.begin(), m_lengths.end());
    const bool offer = !m_path.isEmpty() && m_tokenized && longest != m_lengths.end() &&
                       !m_draft.config().packing && std::max<int64_t>(2, *longest) < maxSeqLen;
    if (offer)
        m_fitSeqLen->setText(tr("Use max_seq_len %1 (the longest sample)").arg(*longest));
    m_fitSeqLen->setVisible(offer);
}

void DataPage::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setProperty("error", error);
    m_status->setStyleSheet(error ? "QLabel { background: #fde2e1; color: #8a1c17; border: 1px "
                                    "solid #e5a29e; border-radius: 4px; padding: 6px; }"
                                  : QString());
}

void DataPage::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedLocalPath(event->mimeData(), true).isEmpty())
        event->acceptProposedAction();
}

void DataPage::dropEvent(QDropEvent *event)
{
    const QString path = droppedLocalPath(event->mimeData(), true);
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openDataset(path);
}

} // namespace headroom::ui
