// The Debian package: the desktop entry and the AppStream metainfo validate,
// and `cpack` builds the application package with the programs, the desktop
// entry, the icon, the metainfo and the demo data, depending on the LibTorch
// runtime package. (The runtime package itself holds GBs of LibTorch and
// CUDA libraries; building it is left to releases.)
#include "common/TestSupport.h"

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run
{
    int code = -1;
    QString output;
};

Run run(const QString &program, const QStringList &arguments, const QString &workDir = {},
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setProcessEnvironment(env);
    if (!workDir.isEmpty())
        process.setWorkingDirectory(workDir);
    process.start(program, arguments);
    if (!process.waitForFinished(600000))
        return {-1, "timed out"};
    return {process.exitCode(), QString::fromUtf8(process.readAll())};
}

QString packagingFile(const char *name)
{
    return QString::fromStdString((headroom::test::sourceDir() / "packaging" / name).string());
}

} // namespace

class TestPackaging : public QObject
{
    Q_OBJECT
private slots:
    void metainfoValidates()
    {
        const QString tool = QStandardPaths::findExecutable("appstreamcli");
        if (tool.isEmpty())
            QSKIP("appstreamcli is not installed");
        const auto result = run(
            tool, {"validate", "--no-net", packagingFile("org.headroom.Headroom.metainfo.xml")});
        QVERIFY2(result.code == 0, qPrintable(result.output));
    }

    void desktopEntryValidates()
    {
        const QString tool = QStandardPaths::findExecutable("desktop-file-validate");
        if (tool.isEmpty())
            QSKIP("desktop-file-validate is not installed");
        const auto result = run(tool, {packagingFile("headroom.desktop")});
        QVERIFY2(result.code == 0 && result.output.trimmed().isEmpty(), qPrintable(result.output));
    }

    void applicationPackageHoldsEverything()
    {
        QTemporaryDir out;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("HEADROOM_PACKAGE_COMPONENTS", "app");
        const auto packed = run("cpack", {"-G", "DEB", "-B", out.path()}, HEADROOM_BINARY_DIR, env);
        QVERIFY2(packed.code == 0, qPrintable(packed.output));
        const QStringList debs = QDir(out.path()).entryList({"headroom_*.deb"});
        QCOMPARE(debs.size(), 1);
        const QString deb = out.path() + "/" + debs.first();

        const auto contents = run("dpkg-deb", {"--contents", deb});
        QCOMPARE(contents.code, 0);
        for (const char *path : {"./usr/bin/headroom", "./usr/bin/headroom-cli",
                                 "./usr/share/applications/headroom.desktop",
                                 "./usr/share/icons/hicolor/256x256/apps/headroom.png",
                                 "./usr/share/metainfo/org.headroom.Headroom.metainfo.xml",
                                 "./usr/share/headroom/demo/demo-dataset.jsonl"})
            QVERIFY2(contents.output.contains(QString::fromLatin1(path) + "\n"), path);

        const auto depends = run("dpkg-deb", {"--field", deb, "Depends"});
        QVERIFY2(depends.output.contains("headroom-libtorch (= "), qPrintable(depends.output));
        // shlibdeps found the system libraries (Qt) the programs need.
        QVERIFY2(depends.output.contains("libqt6widgets6"), qPrintable(depends.output));
    }
};

QTEST_GUILESS_MAIN(TestPackaging)
#include "tst_packaging.moc"
