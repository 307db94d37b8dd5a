#include "Language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace headroom::ui {

namespace {

const char *kLanguageKey = "ui/language";

// The installed translators, owned by the application object.
QTranslator *g_appTranslator = nullptr;
QTranslator *g_qtTranslator = nullptr;

void removeTranslators()
{
    for (QTranslator **translator : {&g_appTranslator, &g_qtTranslator}) {
        if (*translator) {
            QCoreApplication::removeTranslator(*translator);
            delete *translator;
            *translator = nullptr;
        }
    }
}

} // namespace

QStringList availableLanguages()
{
    return {"en", "de"};
}

QString languageName(const QString &code)
{
    if (code == "de")
        return QStringLiteral("Deutsch");
    return QStringLiteral("English");
}

QString languageSetting()
{
    return QSettings().value(kLanguageKey).toString();
}

void setLanguageSetting(const QString &code)
{
    QSettings().setValue(kLanguageKey, code);
}

QString effectiveLanguage(const QString &setting)
{
    if (availableLanguages().contains(setting))
        return setting;
    for (const QString &name : QLocale::system().uiLanguages()) {
        const QString code = name.left(2).toLower();
        if (availableLanguages().contains(code))
            return code;
    }
    return "en";
}

bool installTranslations(const QString &code)
{
    removeTranslators();
    if (code == "en")
        return true;
    auto appTranslator = std::make_unique<QTranslator>(QCoreApplication::instance());
    if (!appTranslator->load(QStringLiteral(":/i18n/headroom_%1.qm").arg(code)))
        return false;
    g_appTranslator = appTranslator.release();
    QCoreApplication::installTranslator(g_appTranslator);
    // Qt's own strings (standard buttons, file dialogs); optional.
    auto qtTranslator = std::make_unique<QTranslator>(QCoreApplication::instance());
    if (qtTranslator->load(QLocale(code), "qtbase", "_",
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        g_qtTranslator = qtTranslator.release();
        QCoreApplication::installTranslator(g_qtTranslator);
    }
    return true;
}

} // namespace headroom::ui
