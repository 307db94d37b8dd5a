#include "ExportFolderDialog.h"

#include <QDir>
#include <QFileInfo>

namespace headroom::ui {

ExportFolderDialog::ExportFolderDialog(QWidget *parent, const QString &title,
                                       const QString &suggestedPath)
    : QFileDialog(parent, title)
{
    setObjectName(QStringLiteral("exportDialog"));
    setOption(QFileDialog::DontUseNativeDialog);
    setOption(QFileDialog::ShowDirsOnly);
    setOption(QFileDialog::DontConfirmOverwrite);
    setAcceptMode(QFileDialog::AcceptSave);
    setFileMode(QFileDialog::AnyFile);
    setLabelText(QFileDialog::FileName, tr("Folder:"));
    setLabelText(QFileDialog::Accept, tr("Export"));
    const QFileInfo suggested(suggestedPath);
    setDirectory(suggested.absolutePath());
    selectFile(suggested.fileName());
}

void ExportFolderDialog::accept()
{
    const QStringList files = selectedFiles();
    if (files.isEmpty())
        return;
    m_chosen = QDir::cleanPath(QFileInfo(files.first()).absoluteFilePath());
    // Skip QFileDialog::accept, which would open an existing folder rather than return it.
    QDialog::accept();
}

} // namespace headroom::ui
