// The interface language: the system locale's by default, or the one chosen
// in the settings ("ui/language": "" = system, "en", "de"). Translations are
// the .qm files compiled from translations/*.ts into the resources at :/i18n,
// plus Qt's own (dialog buttons) from the Qt installation.
#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace headroom::ui {

// Language codes with a translation, English first ("en", "de").
QStringList availableLanguages();
// The language's name in itself, for the settings ("English", "Deutsch").
QString languageName(const QString &code);

// The saved choice ("" = follow the system).
QString languageSetting();
void setLanguageSetting(const QString &code);

// The code that `setting` means on this system: itself, or for "" the first
// available language among the system locale's UI languages (else "en").
QString effectiveLanguage(const QString &setting);

// Installs the translators for `code` into the application (replacing any
// installed earlier); "en" removes them. Returns false when the translation
// is missing (the interface then stays English).
bool installTranslations(const QString &code);

} // namespace headroom::ui
