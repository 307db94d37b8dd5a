// HfCache and ModelSource against a fake Hugging Face cache tree
// (models--org--name/{refs,snapshots,blobs}) selected with $HF_HUB_CACHE.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "io/HfCache.h"
#include "io/ModelSource.h"

#include <QTest>

#include <cstdlib>
#include <filesystem>

using namespace headroom;
using namespace headroom::io;
namespace fs = std::filesystem;

namespace {
std::string errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string &s, const std::string &needle)
{
    return s.find(needle) != std::string::npos;
}
} // namespace

class TestHfCache : public QObject
{
    Q_OBJECT

    test::TempDir m_dir;
    fs::path m_cache;

private slots:
    void initTestCase()
    {
        m_cache = m_dir / "hub";
        // Qwen/Qwen2.5-0.5B: refs/main -> abc, a second older snapshot, blobs via symlink.
        const auto qwen = m_cache / "models--Qwen--Qwen2.5-0.5B";
        fs::create_directories(qwen / "snapshots" / "abc123");
        fs::create_directories(qwen / "snapshots" / "old999");
        fs::create_directories(qwen / "refs");
        fs::create_directories(qwen / "blobs");
        test::writeBytes(qwen / "refs" / "main", "abc123");
        test::writeBytes(qwen / "refs" / "v1", "old999\n");
        test::writeBytes(qwen / "blobs" / "deadbeef", std::string(1000, 'x'));
        fs::create_symlink("../../blobs/deadbeef", qwen / "snapshots" / "abc123" / "config.json");
        test::writeBytes(qwen / "snapshots" / "old999" / "config.json", "{}");
        // gpt2 (no org): single snapshot, no refs.
        fs::create_directories(m_cache / "models--gpt2" / "snapshots" / "111");
        test::writeBytes(m_cache / "models--gpt2" / "snapshots" / "111" / "config.json", "{}");
        // Ambiguous: two snapshots, no refs/main.
        fs::create_directories(m_cache / "models--a--b" / "snapshots" / "r1");
        fs::create_directories(m_cache / "models--a--b" / "snapshots" / "r2");
        // Datasets are not models.
        fs::create_directories(m_cache / "datasets--x--y" / "snapshots" / "1");
        ::setenv("HF_HUB_CACHE", m_cache.c_str(), 1);
    }

    void cacheDirFromEnvironment()
    {
        QCOMPARE(hfHubCacheDir(), m_cache);
        ::unsetenv("HF_HUB_CACHE");
        ::setenv("HF_HOME", "/somewhere/hf", 1);
        QCOMPARE(hfHubCacheDir(), fs::path("/somewhere/hf/hub"));
        ::unsetenv("HF_HOME");
        QVERIFY(hfHubCacheDir().string().ends_with("huggingface/hub"));
        ::setenv("HF_HUB_CACHE", m_cache.c_str(), 1);
    }

    void resolvesRevisions()
    {
        const auto qwen = m_cache / "models--Qwen--Qwen2.5-0.5B" / "snapshots";
        QCOMPARE(resolveCachedModel("Qwen/Qwen2.5-0.5B"), qwen / "abc123");
        QCOMPARE(resolveCachedModel("Qwen/Qwen2.5-0.5B@v1"), qwen / "old999");
        QCOMPARE(resolveCachedModel("Qwen/Qwen2.5-0.5B@old999"), qwen / "old999");
        QCOMPARE(resolveCachedModel("gpt2"), m_cache / "models--gpt2" / "snapshots" / "111");
    }

    void errorsNameRepoAndCache()
    {
        auto e = errorOf([] { (void)resolveCachedModel("nobody/nothing"); });
        QVERIFY2(contains(e, "nobody/nothing") && contains(e, m_cache.string()), e.c_str());
        e = errorOf([] { (void)resolveCachedModel("a/b"); });
        QVERIFY2(contains(e, "a/b") && contains(e, "r1") && contains(e, "r2"), e.c_str());
        e = errorOf([] { (void)resolveCachedModel("Qwen/Qwen2.5-0.5B@nope"); });
        QVERIFY2(contains(e, "no revision `nope`"), e.c_str());
        e = errorOf([] { (void)resolveCachedModel("Qwen/../etc"); });
        QVERIFY2(contains(e, "not a valid repo id"), e.c_str());
    }

    void repoIdShapes()
    {
        QVERIFY(looksLikeRepoId("Qwen/Qwen2.5-0.5B"));
        QVERIFY(looksLikeRepoId("gpt2@main"));
        QVERIFY(!looksLikeRepoId("a/b/c"));
        QVERIFY(!looksLikeRepoId("../x"));
        QVERIFY(!looksLikeRepoId("a b/c"));
        QVERIFY(!looksLikeRepoId(""));
    }

    void listsModels()
    {
        const auto models = listCachedModels();
        QCOMPARE(models.size(), std::size_t(3));
        QCOMPARE(models[0].repoId, std::string("Qwen/Qwen2.5-0.5B"));
        QCOMPARE(models[0].revision, std::string("abc123"));
        QCOMPARE(models[0].sizeOnDisk, uint64_t(1000)); // followed the symlink into blobs/
        QCOMPARE(models[1].repoId, std::string("a/b"));
        QCOMPARE(models[2].repoId, std::string("gpt2"));
    }

    void modelSource()
    {
        test::TempDir dir;
        fs::create_directories(dir / "folder");
        test::writeBytes(dir / "m.gguf", "GGUF");
        test::writeBytes(dir / "m.txt", "x");
        auto s = resolveModelSource((dir / "folder").string());
        QCOMPARE(s.kind, ModelSource::Kind::HfFolder);
        s = resolveModelSource((dir / "m.gguf").string());
        QCOMPARE(s.kind, ModelSource::Kind::Gguf);
        s = resolveModelSource("Qwen/Qwen2.5-0.5B");
        QCOMPARE(s.kind, ModelSource::Kind::HfFolder);
        QCOMPARE(s.repoId, std::string("Qwen/Qwen2.5-0.5B"));
        QCOMPARE(s.path.filename().string(), std::string("abc123"));
        s = resolveModelSource("gpt2"); // un-namespaced legacy id, present in the cache
        QCOMPARE(s.path.filename().string(), std::string("111"));
        for (const std::string &bad : {(dir / "m.txt").string(), std::string("nobody/nothing"),
                                       std::string("not a model")}) {
            auto e = errorOf([&] { (void)resolveModelSource(bad); });
            QVERIFY2(contains(e, "MODEL `" + bad +
                                     "`: not a folder, not a .gguf file, and not a model "
                                     "in the Hugging Face cache (" +
                                     m_cache.string() + ")"),
                     e.c_str());
        }
        // A cached repo that cannot be resolved gets the cache's own reason.
        auto e = errorOf([] { (void)resolveModelSource("a/b"); });
        QVERIFY2(contains(e, "several snapshots"), e.c_str());
    }
};

QTEST_APPLESS_MAIN(TestHfCache)
#include "tst_io_hfcache.moc"
