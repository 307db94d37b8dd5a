#include "techniques/FieldErrorMarks.h"

#include "techniques/ByteText.h"

#include <QLabel>
#include <QVBoxLayout>
#include <QWidget>

namespace headroom::ui {

namespace {

bool covers(const QStringList &paths, const QString &errorPath)
{
    for (const auto &p : paths)
        if (errorPath == p || errorPath.startsWith(p + '[') || errorPath.startsWith(p + '.'))
            return true;
    return false;
}

} // namespace

QWidget *FieldErrorMarks::add(const QStringList &paths, QWidget *control)
{
    auto *wrapper = new QWidget;
    auto *layout = new QVBoxLayout(wrapper);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(control);
    auto *message = new QLabel(wrapper);
    message->setObjectName(control->objectName() + "Error");
    message->setWordWrap(true);
    message->setVisible(false);
    layout->addWidget(message);
    m_marks.push_back({paths, control, message});
    return wrapper;
}

void FieldErrorMarks::show(const std::vector<train::FieldError> &errors)
{
    for (auto &mark : m_marks) {
        QStringList reasons;
        for (const auto &e : errors)
            if (covers(mark.paths, QString::fromStdString(e.path)))
                reasons << QString::fromStdString(e.reason);
        const bool bad = !reasons.isEmpty();
        if (mark.control->property("fieldError").toBool() == bad &&
            mark.message->text() == reasons.join('\n'))
            continue; // unchanged: no restyling on every keystroke
        const QColor colour = errorColor(mark.control->palette());
        mark.control->setProperty("fieldError", bad);
        mark.control->setStyleSheet(bad ? QStringLiteral("border: 1px solid %1;").arg(colour.name())
                                        : QString());
        mark.control->setToolTip(reasons.join('\n'));
        mark.message->setText(reasons.join('\n'));
        mark.message->setStyleSheet(QStringLiteral("color: %1;").arg(colour.name()));
        mark.message->setVisible(bad);
    }
}

} // namespace headroom::ui
