// Try the trained model: one prompt, two answers side by side, the
// fine-tuned model (the run's adapter on) and the base model (adapter off),
// both from ONE loaded base model whose adapter is switched off for the
// second answer. Loading and generation run on a worker thread; tokens
// stream into the panes through queued signals; Stop cancels at the next
// token. The model is loaded on the first Send after it changed.
#pragma once

#include <QString>
#include <QWidget>

#include <stop_token>

class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QThread;

namespace headroom::ui {

class ChatWorker;

class ChatPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ChatPanel(QWidget *parent = nullptr);
    ~ChatPanel() override;

    QString modelArgument() const { return m_model; }
    QString adapterDir() const { return m_adapter; }
    bool isBusy() const { return m_busy; }

public slots:
    // The model to chat with (as the CLI takes it) and a PEFT adapter folder
    // of it; empty adapterDir = base model only. Stops a running answer.
    void setModelAndAdapter(const QString &modelArgument, const QString &adapterDir);
    // "auto" (default: the first GPU, else the CPU), "cpu", "cuda:N".
    void setDevice(const QString &device);
    void send();
    void stop();

signals:
    // Both answers are complete (or were stopped, or failed).
    void answered();

private:
    void updateState();
    void setStatus(const QString &text, bool error = false);
    QPlainTextEdit *pane(int index) const;

    QLabel *m_status;
    QPlainTextEdit *m_prompt;
    QPushButton *m_send;
    QPushButton *m_stop;
    QDoubleSpinBox *m_temperature;
    QSpinBox *m_maxTokens;
    QLabel *m_tunedTitle;
    QLabel *m_baseTitle;
    QPlainTextEdit *m_tuned;
    QPlainTextEdit *m_base;

    QThread *m_thread;
    ChatWorker *m_worker; // lives in m_thread
    std::stop_source m_stopSource;
    QString m_model, m_adapter, m_device = QStringLiteral("auto");
    QString m_idleStatus;
    bool m_busy = false;
};

} // namespace headroom::ui
