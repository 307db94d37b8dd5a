#include "ChatPanel.h"

#include "ChatWorker.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTextCursor>
#include <QThread>
#include <QVBoxLayout>

namespace headroom::ui {

namespace {

QPlainTextEdit *makeAnswerPane(const QString &name, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(name);
    edit->setReadOnly(true);
    return edit;
}

} // namespace

ChatPanel::ChatPanel(QWidget *parent)
    : QWidget(parent), m_status(new QLabel(this)), m_prompt(new QPlainTextEdit(this)),
      m_send(new QPushButton(tr("Send"), this)), m_stop(new QPushButton(tr("Stop"), this)),
      m_temperature(new QDoubleSpinBox(this)), m_maxTokens(new QSpinBox(this)),
      m_tunedTitle(new QLabel(tr("Fine-tuned (adapter on)"), this)),
      m_baseTitle(new QLabel(tr("Base (adapter off)"), this)),
      m_tuned(makeAnswerPane(QStringLiteral("chatTunedAnswer"), this)),
      m_base(makeAnswerPane(QStringLiteral("chatBaseAnswer"), this)), m_thread(new QThread(this)),
      m_worker(new ChatWorker)
{
    setObjectName(QStringLiteral("chatPanel"));
    m_status->setObjectName(QStringLiteral("chatStatus"));
    m_status->setWordWrap(true);
    m_prompt->setObjectName(QStringLiteral("chatPrompt"));
    m_prompt->setPlaceholderText(tr("Ask both models something (Ctrl+Return sends)"));
    m_prompt->setMaximumHeight(m_prompt->fontMetrics().lineSpacing() * 5);
    m_send->setObjectName(QStringLiteral("chatSend"));
    m_stop->setObjectName(QStringLiteral("chatStop"));
    m_tunedTitle->setObjectName(QStringLiteral("chatTunedTitle"));
    m_baseTitle->setObjectName(QStringLiteral("chatBaseTitle"));
    m_temperature->setObjectName(QStringLiteral("chatTemperature"));
    m_temperature->setRange(0.0, 2.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setDecimals(2);
    m_temperature->setSpecialValueText(tr("0 (greedy)"));
    m_temperature->setToolTip(tr("0 always takes the most likely token; higher values sample "
                                 "more freely"));
    m_maxTokens->setObjectName(QStringLiteral("chatMaxTokens"));
    m_maxTokens->setRange(1, 4096);
    m_maxTokens->setValue(128);

    auto *controls = new QHBoxLayout;
    auto *form = new QFormLayout;
    form->addRow(tr("Temperature:"), m_temperature);
    form->addRow(tr("Max new tokens:"), m_maxTokens);
    controls->addLayout(form);
    controls->addStretch();
    controls->addWidget(m_send);
    controls->addWidget(m_stop);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    for (auto [title, edit] : {std::pair{m_tunedTitle, m_tuned}, std::pair{m_baseTitle, m_base}}) {
        auto *column = new QWidget(splitter);
        auto *layout = new QVBoxLayout(column);
        layout->setContentsMargins(0, 0, 0, 0);
        title->setWordWrap(true);
        layout->addWidget(title);
        layout->addWidget(edit);
        splitter->addWidget(column);
    }

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_prompt);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    layout->addWidget(splitter, 1);

    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), m_prompt);
    shortcut->setContext(Qt::WidgetShortcut);
    connect(shortcut, &QShortcut::activated, this, &ChatPanel::send);
    connect(m_send, &QPushButton::clicked, this, &ChatPanel::send);
    connect(m_stop, &QPushButton::clicked, this, &ChatPanel::stop);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &ChatPanel::updateState);

    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &ChatWorker::loading, this,
            [this](const QString &model) { setStatus(tr("Loading %1…").arg(model)); });
    connect(m_worker, &ChatWorker::loaded, this, [this](const QString &text) { setStatus(text); });
    connect(m_worker, &ChatWorker::paneStarted, this, [this](int index) {
        setStatus(index == ChatWorker::TunedPane ? tr("Generating the fine-tuned answer…")
                                                 : tr("Generating the base answer…"));
    });
    connect(m_worker, &ChatWorker::piece, this, [this](int index, const QString &text) {
        auto *edit = pane(index);
        edit->moveCursor(QTextCursor::End);
        edit->insertPlainText(text);
    });
    connect(m_worker, &ChatWorker::paneFinished, this,
            [this](int index, bool stopped, int tokens, double seconds) {
                auto *title = index == ChatWorker::TunedPane ? m_tunedTitle : m_baseTitle;
                const QString name = index == ChatWorker::TunedPane ? tr("Fine-tuned (adapter on)")
                                                                    : tr("Base (adapter off)");
                const QString rate =
                    seconds > 0 ? QString::number(tokens / seconds, 'f', 1) : QStringLiteral("–");
                title->setText(
                    stopped ? tr("%1: stopped after %2 tokens").arg(name).arg(tokens)
                            : tr("%1: %2 tokens, %3 tokens/s").arg(name).arg(tokens).arg(rate));
            });
    connect(m_worker, &ChatWorker::failed, this,
            [this](const QString &message) { setStatus(message, true); });
    connect(m_worker, &ChatWorker::finished, this, [this] {
        m_busy = false;
        if (!m_idleStatus.isEmpty()) // the model changed while answering
            setStatus(m_idleStatus);
        else if (!m_status->property("error").toBool())
            setStatus(m_stopSource.stop_requested() ? tr("Stopped.") : tr("Done."));
        m_idleStatus.clear();
        updateState();
        emit answered();
    });
    m_thread->start();
    setModelAndAdapter({}, {});
}

ChatPanel::~ChatPanel()
{
    // An answer stops at its next token; a model being loaded finishes first.
    m_stopSource.request_stop();
    m_thread->quit();
    m_thread->wait();
}

QPlainTextEdit *ChatPanel::pane(int index) const
{
    return index == ChatWorker::TunedPane ? m_tuned : m_base;
}

void ChatPanel::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setProperty("error", error);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

void ChatPanel::setModelAndAdapter(const QString &modelArgument, const QString &adapterDir)
{
    stop();
    m_model = modelArgument;
    m_adapter = modelArgument.isEmpty() ? QString() : adapterDir;
    m_tunedTitle->setText(tr("Fine-tuned (adapter on)"));
    m_baseTitle->setText(tr("Base (adapter off)"));
    QString status;
    if (m_model.isEmpty())
        status = tr("No model yet: open a model, or finish or choose a run, to chat with it.");
    else if (m_adapter.isEmpty())
        status = tr("No trained adapter for %1 yet: only the base model answers. Train a LoRA "
                    "run to compare.")
                     .arg(m_model);
    else
        status =
            tr("Ready: %1 with the adapter %2 (loaded on the first Send).").arg(m_model, m_adapter);
    setStatus(status);
    if (m_busy)
        m_idleStatus = status; // shown once the stopped answer has returned
    m_tuned->setPlaceholderText(m_adapter.isEmpty() ? tr("No adapter: nothing to compare.")
                                                    : QString());
    updateState();
}

void ChatPanel::setDevice(const QString &device)
{
    m_device = device.isEmpty() ? QStringLiteral("auto") : device;
}

void ChatPanel::send()
{
    const QString prompt = m_prompt->toPlainText().trimmed();
    if (m_busy || m_model.isEmpty() || prompt.isEmpty())
        return;
    m_tuned->clear();
    m_base->clear();
    m_tunedTitle->setText(tr("Fine-tuned (adapter on)"));
    m_baseTitle->setText(tr("Base (adapter off)"));
    setStatus(tr("Starting…"));
    m_busy = true;
    updateState();

    model::GenerationOptions options;
    options.temperature = m_temperature->value();
    options.maxNewTokens = m_maxTokens->value();
    m_stopSource = std::stop_source();
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, model = m_model, adapter = m_adapter,
                                         device = m_device, prompt, options,
                                         token = m_stopSource.get_token()] {
        worker->answer(model, adapter, device, prompt, options, token);
    });
}

void ChatPanel::stop()
{
    m_stopSource.request_stop();
}

void ChatPanel::updateState()
{
    const bool ready = !m_model.isEmpty();
    m_send->setEnabled(ready && !m_busy && !m_prompt->toPlainText().trimmed().isEmpty());
    m_stop->setEnabled(m_busy);
    m_tuned->setEnabled(!m_adapter.isEmpty());
}

} // namespace headroom::ui
