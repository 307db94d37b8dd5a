// Chooses the folder an export is written to: a new folder name typed in, or
// an existing empty folder selected. A plain save dialog would step into an
// existing folder instead of returning it, and a directory dialog refuses a
// name that does not exist yet; this one returns what is in the name field
// either way (the exporter refuses a non-empty folder with a message).
// Non-native, so tests can find it ("exportDialog") and fill the name.
#pragma once

#include <QFileDialog>

namespace headroom::ui {

class ExportFolderDialog : public QFileDialog
{
    Q_OBJECT
public:
    ExportFolderDialog(QWidget *parent, const QString &title, const QString &suggestedPath);

    // The folder chosen, absolute; valid once accepted.
    QString chosenFolder() const { return m_chosen; }

public slots:
    void accept() override;

private:
    QString m_chosen;
};

} // namespace headroom::ui
