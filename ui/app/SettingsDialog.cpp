#include "SettingsDialog.h"

#include "Language.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace headroom::ui {

SettingsDialog::SettingsDialog(bool canRestart, QWidget *parent)
    : QDialog(parent), m_initial(languageSetting()), m_canRestart(canRestart)
{
    setWindowTitle(tr("Settings"));
    setObjectName("settingsDialog");
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_language = new QComboBox(this);
    m_language->setObjectName("languageCombo");
    m_language->addItem(tr("System language"), QString());
    for (const QString &code : availableLanguages())
        m_language->addItem(languageName(code), code);
    m_language->setCurrentIndex(std::max(0, m_language->findData(m_initial)));
    form->addRow(tr("Language:"), m_language);
    layout->addLayout(form);

    m_notice = new QLabel(this);
    m_notice->setWordWrap(true);
    layout->addWidget(m_notice);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *restart = buttons->addButton(tr("Apply and restart"), QDialogButtonBox::AcceptRole);
    restart->setObjectName("restartButton");
    restart->setEnabled(false);
    connect(restart, &QPushButton::clicked, this, [this] { m_restart = true; });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_language, &QComboBox::currentIndexChanged, this, [this, restart] {
        updateNotice();
        restart->setEnabled(m_canRestart && language() != m_initial);
    });
    updateNotice();
}

QString SettingsDialog::language() const
{
    return m_language->currentData().toString();
}

void SettingsDialog::updateNotice()
{
    if (language() == m_initial) {
        m_notice->clear();
        return;
    }
    m_notice->setText(m_canRestart ? tr("The new language applies when Headroom restarts.")
                                   : tr("The new language applies when Headroom restarts; a run is "
                                        "training, so restart after it ends."));
}

} // namespace headroom::ui
