// Preferences: the interface language (system or a chosen one). The language
// applies when Headroom starts, because the pages build their texts once; the
// dialog offers to restart when no run is training.
#pragma once

#include <QDialog>

class QComboBox;
class QLabel;

namespace headroom::ui {

class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(bool canRestart, QWidget *parent = nullptr);

    // The chosen setting: "" (system), "en", "de".
    QString language() const;
    // True when the user asked to restart now to apply the language.
    bool restartRequested() const { return m_restart; }

private:
    void updateNotice();

    QComboBox *m_language = nullptr;
    QLabel *m_notice = nullptr;
    QString m_initial;
    bool m_canRestart = false;
    bool m_restart = false;
};

} // namespace headroom::ui
