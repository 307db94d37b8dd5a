// Models in the local Hugging Face cache, end to end through headroom-cli:
// a repo id resolves offline (refs/main, @revision, symlinked blobs as the
// hub lays them out), `models` lists what is cached, unknown ids fail clearly.
#include "common/TestSupport.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace headroom;
namespace fs = std::filesystem;

namespace {

// Lays out `source` as the hub does: files in blobs/, symlinked from snapshots/<revision>/.
void addToCache(const fs::path &cache, const std::string &repoId, const fs::path &source,
                const std::string &revision, bool writeRefsMain = true)
{
    std::string folderName = "models--" + repoId;
    for (auto pos = folderName.find('/'); pos != std::string::npos; pos = folderName.find('/'))
        folderName.replace(pos, 1, "--");
    const auto repo = cache / folderName;
    fs::create_directories(repo / "blobs");
    fs::create_directories(repo / "snapshots" / revision);
    int blob = 0;
    for (const auto &entry : fs::directory_iterator(source)) {
        const auto blobName = revision + "-blob" + std::to_string(blob++);
        fs::copy_file(entry.path(), repo / "blobs" / blobName);
        fs::create_symlink(fs::path("../../blobs") / blobName,
                           repo / "snapshots" / revision / entry.path().filename());
    }
    if (writeRefsMain) {
        fs::create_directories(repo / "refs");
        test::writeBytes(repo / "refs" / "main", revision);
    }
}

} // namespace

class TestCliCache : public QObject
{
    Q_OBJECT

private:
    test::TempDir m_temp;
    fs::path m_cache = m_temp.path() / "hub";
    std::vector<std::string> m_env{"HF_HUB_CACHE=" + m_cache.string()};

private slots:
    void initTestCase()
    {
        const auto models = test::fixtureDir() / "models";
        addToCache(m_cache, "headroom-test/tiny-llama", models / "llama_tokenizer", "0123abcd");
        addToCache(m_cache, "headroom-test/tiny-llama", models / "llama_basic", "99990000", false);
        fs::create_directories(m_temp.path() / "odd");
        test::writeBytes(m_temp.path() / "odd" / "config.json", R"({"model_type": "bert"})");
        addToCache(m_cache, "headroom-test/not-a-causal-lm", m_temp.path() / "odd", "feedbeef");
    }

    void repoIdResolvesThroughRefsMain()
    {
        auto result =
            test::runCli({"inspect", "headroom-test/tiny-llama", "--json"}, 120000, m_env);
        QVERIFY2(result.exitCode == 0, result.err.c_str());
        auto report = nlohmann::json::parse(result.out);
        QCOMPARE(report["repo_id"].get<std::string>(), std::string("headroom-test/tiny-llama"));
        QVERIFY(report["path"].get<std::string>().ends_with("snapshots/0123abcd"));
        QCOMPARE(report["vocab_size"].get<int>(), 384); // llama_tokenizer, not llama_basic (320)
    }

    void explicitRevision()
    {
        auto result =
            test::runCli({"inspect", "headroom-test/tiny-llama@99990000", "--json"}, 120000, m_env);
        QVERIFY2(result.exitCode == 0, result.err.c_str());
        QCOMPARE(nlohmann::json::parse(result.out)["vocab_size"].get<int>(), 320);
    }

    void scoresFromTheCache()
    {
        auto result = test::runCli(
            {"score", "headroom-test/tiny-llama", "--text", "The quick red fox", "--json"}, 120000,
            m_env);
        QVERIFY2(result.exitCode == 0, result.err.c_str());
        QVERIFY(nlohmann::json::parse(result.out)["tokens"].get<int>() > 0);
    }

    void listsCachedModels()
    {
        auto result = test::runCli({"models", "--json"}, 120000, m_env);
        QVERIFY2(result.exitCode == 0, result.err.c_str());
        auto rows = nlohmann::json::parse(result.out);
        QCOMPARE(rows.size(), size_t(2));
        QCOMPARE(rows[0]["repo_id"].get<std::string>(),
                 std::string("headroom-test/not-a-causal-lm"));
        QVERIFY(rows[0]["unsupported"].get<std::string>().find("bert") != std::string::npos);
        QCOMPARE(rows[1]["repo_id"].get<std::string>(), std::string("headroom-test/tiny-llama"));
        QCOMPARE(rows[1]["model_type"].get<std::string>(), std::string("llama"));
    }

    void unknownRepoIdNamesTheCache()
    {
        auto result = test::runCli({"inspect", "headroom-test/missing"}, 120000, m_env);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.find("headroom-test/missing") != std::string::npos, result.err.c_str());
        QVERIFY2(result.err.find(m_cache.string()) != std::string::npos, result.err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestCliCache)
#include "tst_cli_cache.moc"
