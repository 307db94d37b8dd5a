// Inline errors for the controls of a run setting: each control is wrapped
// with a message line below it; show() takes train::validateTrainConfig's
// FieldErrors, marks every control whose JSON path has one (red frame,
// property "fieldError", the reason as tooltip) and writes the reason next to
// it, and clears the others. Deliberately no dialog: the setting stays
// editable and the mark goes as soon as the config is valid again.
#pragma once

#include "train/TrainConfig.h"

#include <QStringList>

#include <vector>

class QLabel;
class QWidget;

namespace headroom::ui {

class FieldErrorMarks
{
public:
    // `paths`: the JSON paths the control edits ("lora.r"; "lora.target_modules"
    // also takes "lora.target_modules[2]"). Returns the wrapper for the layout.
    QWidget *add(const QStringList &paths, QWidget *control);
    void show(const std::vector<train::FieldError> &errors);

private:
    struct Mark
    {
        QStringList paths;
        QWidget *control = nullptr;
        QLabel *message = nullptr;
    };
    std::vector<Mark> m_marks;
};

} // namespace headroom::ui
