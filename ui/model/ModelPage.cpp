#include "ModelPage.h"

#include "ModelSummaryPanel.h"
#include "common/DroppedPath.h"
#include "common/RecentList.h"
#include "io/HfCache.h"
#include "model/ModelInspector.h"

#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace headroom::ui {

namespace {

const char *const kRecentKey = "recent/models";

// A dropped or picked config.json / .safetensors stands for its folder.
QString modelArgumentFor(const QString &path)
{
    const QFileInfo info(path);
    if (info.isFile() && (info.fileName() == QLatin1String("config.json") ||
                          info.suffix() == QLatin1String("safetensors")))
        return info.absolutePath();
    if (info.exists())
        return QDir::cleanPath(info.absoluteFilePath());
    return path.trimmed(); // a repo id
}

// Where the file dialogs start: beside the most recent local model.
QString lastFolder()
{
    for (const QString &recent : QSettings().value(kRecentKey).toStringList()) {
        const QFileInfo info(recent);
        if (info.exists())
            return info.absolutePath();
    }
    return {};
}

} // namespace

ModelPage::ModelPage(RunDraft &draft, QWidget *parent) : QWidget(parent), m_draft(draft)
{
    setObjectName("modelPage");
    setAcceptDrops(true);

    auto *title = new QLabel(tr("<h2>Model</h2>"), this);
    auto *hint = new QLabel(tr("Open a Hugging Face model folder or a GGUF file, drop one onto "
                               "this page, or pick a model from the Hugging Face cache."),
                            this);
    hint->setWordWrap(true);

    auto *openFile = new QPushButton(tr("Open model file…"), this);
    openFile->setObjectName("openModelFile");
    openFile->setToolTip(tr("A .gguf file, or the config.json of a model folder"));
    auto *openFolder = new QPushButton(tr("Open model folder…"), this);
    openFolder->setObjectName("openModelFolder");
    connect(openFile, &QPushButton::clicked, this, &ModelPage::openModelDialog);
    connect(openFolder, &QPushButton::clicked, this, &ModelPage::openFolderDialog);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(openFile);
    buttons->addWidget(openFolder);
    buttons->addStretch(1);

    m_error = new QLabel(this);
    m_error->setObjectName("modelError");
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet("QLabel { background: #fde2e1; color: #8a1c17; border: 1px solid "
                           "#e5a29e; border-radius: 4px; padding: 8px; }");
    m_error->hide();

    m_summary = new ModelSummaryPanel(this);

    auto *left = new QVBoxLayout;
    left->addWidget(title);
    left->addWidget(hint);
    left->addLayout(buttons);
    left->addWidget(m_error);
    left->addWidget(m_summary);
    left->addStretch(1);

    m_recent = new RecentList(kRecentKey, this);
    m_recent->setObjectName("recentModels");
    m_cached = new QListWidget(this);
    m_cached->setObjectName("cachedModels");
    m_cacheFolder = new QLabel(this);
    m_cacheFolder->setWordWrap(true);
    auto *refresh = new QPushButton(tr("Refresh"), this);
    refresh->setObjectName("refreshCachedModels");
    connect(refresh, &QPushButton::clicked, this, &ModelPage::refreshCachedModels);
    const auto openItem = [this](QListWidgetItem *item) {
        const QString argument = item->data(Qt::UserRole).toString();
        if (!argument.isEmpty())
            openModel(argument);
    };
    connect(m_recent, &RecentList::chosen, this,
            [this](const QString &argument) { openModel(argument); });
    connect(m_cached, &QListWidget::itemActivated, this, openItem);

    auto *right = new QVBoxLayout;
    right->addWidget(new QLabel(tr("<b>Recent models</b>"), this));
    right->addWidget(m_recent, 1);
    auto *cacheHeader = new QHBoxLayout;
    cacheHeader->addWidget(new QLabel(tr("<b>Hugging Face cache</b>"), this), 1);
    cacheHeader->addWidget(refresh);
    right->addLayout(cacheHeader);
    right->addWidget(m_cacheFolder);
    right->addWidget(m_cached, 2);

    auto *layout = new QHBoxLayout(this);
    layout->addLayout(left, 3);
    layout->addLayout(right, 2);

    connect(&m_draft, &RunDraft::modelChanged, this, &ModelPage::followDraft);
    refreshCachedModels();
    followDraft(); // a draft that already names a model
}

bool ModelPage::openModel(const QString &argument)
{
    const QString chosen = modelArgumentFor(argument);
    model::ModelSummary summary;
    try {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        // Config and headers only: milliseconds even for a large GGUF.
        summary = model::inspectModel(chosen.toStdString());
        QApplication::restoreOverrideCursor();
    } catch (const std::exception &error) {
        QApplication::restoreOverrideCursor();
        m_argument.clear();
        m_summary->clear();
        showError(
            tr("Cannot use the model %1:\n%2")
                .arg(chosen.isEmpty() ? tr("(none)") : chosen, QString::fromUtf8(error.what())));
        m_draft.setModel(QString(), std::nullopt);
        return false;
    }
    m_argument = chosen;
    m_error->hide();
    m_summary->showSummary(summary);
    m_recent->remember(chosen);
    m_draft.setModel(chosen, summary.shape);
    emit modelOpened(chosen);
    return true;
}

void ModelPage::openModelDialog()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Open model"), lastFolder(),
        tr("Models (*.gguf config.json);;GGUF files (*.gguf);;Model folder config (config.json)"));
    if (!file.isEmpty())
        openModel(file);
}

void ModelPage::openFolderDialog()
{
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Open model folder"), lastFolder());
    if (!folder.isEmpty())
        openModel(folder);
}

void ModelPage::refreshCachedModels()
{
    m_cached->clear();
    const QString folder = QString::fromStdString(io::hfHubCacheDir().string());
    m_cacheFolder->setText(tr("Folder: %1").arg(folder));
    const QLocale locale;
    for (const auto &cached : io::listCachedModels()) {
        const QString repo = QString::fromStdString(cached.repoId);
        auto *item = new QListWidgetItem(
            tr("%1  (%2)").arg(repo, locale.formattedDataSize(qint64(cached.sizeOnDisk))),
            m_cached);
        item->setData(Qt::UserRole, repo);
        item->setToolTip(QString::fromStdString(cached.snapshot.string()));
    }
    if (m_cached->count() == 0) {
        auto *item = new QListWidgetItem(tr("No models in the cache"), m_cached);
        item->setFlags(Qt::NoItemFlags);
    }
}

void ModelPage::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
}

// Another part of the window (a resumed run, a loaded config) may set the
// model: show what it is without setting it again.
void ModelPage::followDraft()
{
    const QString model = QString::fromStdString(m_draft.config().model);
    if (model == m_argument)
        return;
    m_argument = model;
    if (model.isEmpty()) {
        m_summary->clear();
        return;
    }
    try {
        m_summary->showSummary(model::inspectModel(model.toStdString()));
        m_error->hide();
    } catch (const std::exception &error) {
        m_summary->clear();
        showError(tr("Cannot use the model %1:\n%2").arg(model, QString::fromUtf8(error.what())));
    }
}

void ModelPage::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedLocalPath(event->mimeData(), false).isEmpty())
        event->acceptProposedAction();
}

void ModelPage::dropEvent(QDropEvent *event)
{
    const QString path = droppedLocalPath(event->mimeData(), false);
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openModel(path);
}

} // namespace headroom::ui
