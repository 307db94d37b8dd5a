// CheckpointIndex and HfModelFolder: single and sharded weights, index
// validation (path traversal, missing shards, tensors in two shards), pickle
// refusal, tokenizer-only folders, JSON error positions.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "io/CheckpointIndex.h"
#include "io/HfModelFolder.h"
#include "io/JsonFile.h"
#include "io/SafetensorsWriter.h"

#include <QTest>

#include <filesystem>

using namespace headroom;
using namespace headroom::io;

namespace {
void writeShard(const std::filesystem::path &path, const std::vector<std::string> &names)
{
    static const std::vector<float> values{1, 2, 3, 4};
    SafetensorsWriter writer;
    for (const auto &n : names)
        writer.add(n, DType::F32, {4}, std::as_bytes(std::span(values)));
    writer.write(path);
}

void expectError(const std::function<void()> &f, const std::vector<std::string> &needles)
{
    try {
        f();
        QFAIL("no error");
    } catch (const Error &e) {
        const std::string what = e.what();
        for (const auto &n : needles)
            if (what.find(n) == std::string::npos)
                QFAIL(("message `" + what + "` lacks `" + n + "`").c_str());
    }
}
} // namespace

class TestCheckpoint : public QObject
{
    Q_OBJECT

private slots:
    void singleFile()
    {
        test::TempDir dir;
        writeShard(dir / "model.safetensors", {"a", "b"});
        const auto index = CheckpointIndex::open(dir.path());
        QCOMPARE(index.tensors().size(), std::size_t(2));
        QVERIFY(index.find("a"));
        QCOMPARE(index.find("b")->info->shape, std::vector<int64_t>{4});
        QCOMPARE(index.totalBytes(), uint64_t(32));
    }

    void otherSafetensorsFilesAreNotTheModel()
    {
        // An adapter or a dump beside the weights must never be taken for them.
        test::TempDir dir;
        writeShard(dir / "adapter_model.safetensors", {"a"});
        expectError([&] { (void)CheckpointIndex::open(dir.path()); },
                    {"no model.safetensors", "adapter_model.safetensors", "rename"});
        QVERIFY(!CheckpointIndex::hasSafetensors(dir.path()));
        writeShard(dir / "model.safetensors", {"b"});
        auto index = CheckpointIndex::open(dir.path());
        QVERIFY(index.find("b"));
        QVERIFY(!index.find("a"));
    }

    void noWeights()
    {
        test::TempDir dir;
        expectError([&] { (void)CheckpointIndex::open(dir.path()); }, {"no model.safetensors"});
    }

    void sharded()
    {
        test::TempDir dir;
        writeShard(dir / "model-00001-of-00002.safetensors", {"a", "b"});
        writeShard(dir / "model-00002-of-00002.safetensors", {"c"});
        test::writeBytes(dir / "model.safetensors.index.json",
                         R"({"metadata":{"total_size":48},"weight_map":{
                             "a":"model-00001-of-00002.safetensors",
                             "b":"model-00001-of-00002.safetensors",
                             "c":"model-00002-of-00002.safetensors"}})");
        auto index = CheckpointIndex::open(dir.path());
        QCOMPARE(index.files().size(), std::size_t(2));
        QCOMPARE(index.tensors().size(), std::size_t(3));
        QCOMPARE(index.find("c")->file->path().filename().string(),
                 std::string("model-00002-of-00002.safetensors"));
        // A copy shares the mappings and stays valid after the original is gone.
        CheckpointIndex copy = index;
        index = CheckpointIndex::open(dir.path());
        const auto *c = copy.find("c");
        QCOMPARE(reinterpret_cast<const float *>(c->info->bytes.data())[3], 4.0f);
    }

    void shardIndexErrors()
    {
        test::TempDir dir;
        writeShard(dir / "s1.safetensors", {"a", "b"});
        writeShard(dir / "s2.safetensors", {"b", "c"});
        const auto indexPath = dir / "model.safetensors.index.json";
        auto open = [&] { (void)CheckpointIndex::open(dir.path()); };

        test::writeBytes(indexPath, R"({"weight_map":{"a":"../s1.safetensors"}})");
        expectError(open, {"model.safetensors.index.json", "`../s1.safetensors`",
                           "inside the model folder"});
        test::writeBytes(indexPath, R"({"weight_map":{"a":"/etc/passwd"}})");
        expectError(open, {"`/etc/passwd`", "inside the model folder"});
        test::writeBytes(indexPath, R"({"weight_map":{"a":"sub/../../x.safetensors"}})");
        expectError(open, {"inside the model folder"});
        test::writeBytes(indexPath, R"({"weight_map":{"a":"missing.safetensors"}})");
        expectError(open, {"shard `missing.safetensors`", "does not exist"});
        test::writeBytes(indexPath,
                         R"({"weight_map":{"a":"s1.safetensors","a":"s2.safetensors"}})");
        expectError(open, {"duplicate key `a`"});
        test::writeBytes(indexPath,
                         R"({"weight_map":{"a":"s1.safetensors","c":"s2.safetensors"}})");
        expectError(open, {"tensor `b`", "both"});
        test::writeBytes(indexPath, R"({"weight_map":{"z":"s1.safetensors"}})");
        expectError(open, {"s1.safetensors", "tensor `z`", "not in this shard"});
        test::writeBytes(indexPath, R"({"metadata":{}})");
        expectError(open, {"weight_map"});
        test::writeBytes(indexPath, "{\"weight_map\":\n  {\"a\": }");
        expectError(open, {"model.safetensors.index.json: invalid JSON at line 2 column"});
    }

    void tooManyTensorsInTheIndex()
    {
        // 10^6 entries (36 MB) in weight_map: refused by the count limit
        // before the index is parsed into values or any shard is opened.
        test::TempDir dir;
        writeShard(dir / "s1.safetensors", {"a"});
        std::string index = "{\"metadata\":{\"total_size\":1},\"weight_map\":{";
        for (int i = 0; i < 1'000'000; ++i)
            index += (i ? ",\"t" : "\"t") + std::to_string(i) + "\":\"s1.safetensors\"";
        index += "}}";
        test::writeBytes(dir / "model.safetensors.index.json", index);
        expectError([&] { (void)CheckpointIndex::open(dir.path()); },
                    {"model.safetensors.index.json", "weight_map lists more than 500000 tensors"});
    }

    void memberCountingForLimits()
    {
        // The SAX count behind the tensor limits: which members count, and
        // that it stops early.
        const std::string header =
            R"({"a":{"dtype":"F32","shape":[1]},"__metadata__":{"x":"y","z":"w"},"b":{"c":1}})";
        QCOMPARE(countObjectMembers(header, {}, 10, "__metadata__"), std::size_t(2));
        QCOMPARE(countObjectMembers(header, {}, 10), std::size_t(3));
        QCOMPARE(countObjectMembers(header, {}, 0, "__metadata__"), std::size_t(1));
        const std::string index =
            R"({"metadata":{"m":1,"n":2},"weight_map":{"x":"s","y":"s","z":{"q":1}},"w":{"v":1}})";
        QCOMPARE(countObjectMembers(index, "weight_map", 10), std::size_t(3));
        QCOMPARE(countObjectMembers(index, "nothing", 10), std::size_t(0));
        // Broken JSON: what was counted before the error.
        QCOMPARE(countObjectMembers("{\"weight_map\":{\"x\":\"s\",\"y\":", "weight_map", 10),
                 std::size_t(2));
    }

    void jsonErrorsHavePositions()
    {
        test::TempDir dir;
        test::writeBytes(dir / "config.json", "{\n  \"a\": 1,\n  \"b\": tru\n}");
        expectError([&] { (void)readJsonFile(dir / "config.json"); },
                    {"config.json: invalid JSON at line 3 column"});
        expectError([&] { (void)readJsonFile(dir / "nope.json"); }, {"nope.json: cannot read"});
    }

    void modelFolder()
    {
        test::TempDir dir;
        test::writeBytes(dir / "tokenizer.json", "{}");
        test::writeBytes(dir / "tokenizer_config.json", "{}");
        auto folder = HfModelFolder::open(dir.path());
        QVERIFY(folder.hasTokenizer());
        QVERIFY(folder.tokenizerConfigJson());
        QVERIFY(!folder.configJson());
        QVERIFY(!folder.chatTemplateJinja());
        QVERIFY(!folder.hasSafetensors());
        expectError([&] { (void)folder.readConfig(); }, {"no config.json"});

        test::writeBytes(dir / "pytorch_model.bin", "not really a pickle");
        expectError([&] { (void)folder.openWeights(); },
                    {"pytorch_model.bin", "pickle", "safe_serialization=True"});

        test::writeBytes(dir / "config.json", R"({"model_type":"llama"})");
        writeShard(dir / "model.safetensors", {"w"});
        QCOMPARE(folder.readConfig()["model_type"].get<std::string>(), std::string("llama"));
        QVERIFY(folder.openWeights().find("w"));

        expectError([&] { (void)HfModelFolder::open(dir / "absent"); }, {"absent", "not a folder"});
    }
};

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "tst_io_checkpoint.moc"
