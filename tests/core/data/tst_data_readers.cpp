// Dataset file readers: JSON Lines, JSON arrays, CSV/TSV with RFC 4180
// quoting, plain text; malformed lines reported with their numbers and
// reasons; over-long lines refused; unreadable layouts are errors naming the
// file. Inputs are written here, no fixtures.
#include "common/Error.h"
#include "common/TestSupport.h"
#include "data/CsvReader.h"
#include "data/DatasetReader.h"
#include "data/JsonArrayReader.h"
#include "data/JsonlReader.h"
#include "data/TxtReader.h"

#include <QtTest>

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <new>

using namespace headroom::data;
using headroom::test::TempDir;
using headroom::test::writeBytes;

namespace {

RecordSet named(const char *file)
{
    RecordSet s;
    s.file = file;
    return s;
}

std::string errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const headroom::Error &e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

class TestDataReaders : public QObject
{
    Q_OBJECT

private slots:
    void jsonlGoodAndBadLines()
    {
        RecordSet s = named("d.jsonl");
        readJsonl("\xEF\xBB\xBF{\"text\": \"a\"}\r\n"
                  "{\"text\": \"b\",}\n"
                  "\n"
                  "   \n"
                  "[1, 2]\n"
                  "{\"text\": \"c\"}\n"
                  "{\"text\": \"d\"", // no final newline, unterminated
                  s);
        QCOMPARE(s.records.size(), size_t(2));
        QCOMPARE(s.records[0].line, size_t(1));
        QCOMPARE(s.records[0].value["text"].get<std::string>(), std::string("a"));
        QCOMPARE(s.records[1].line, size_t(6));
        QCOMPARE(s.malformed.size(), size_t(3));
        QCOMPARE(s.malformed[0].line, size_t(2));
        QVERIFY2(contains(describe(s.malformed[0]), "d.jsonl:2: invalid JSON at column"),
                 describe(s.malformed[0]).c_str());
        QCOMPARE(s.malformed[1].line, size_t(5));
        QVERIFY(contains(s.malformed[1].reason, "expected a JSON object, got array"));
        QCOMPARE(s.malformed[2].line, size_t(7));
    }

    // "NaN in the data": JSON has no NaN or Infinity, so such a line is a
    // malformed line with its number, never a record with a NaN in it (a
    // text field that says "NaN" is just text).
    void nanAndInfinityAreMalformedLines()
    {
        RecordSet s = named("n.jsonl");
        readJsonl("{\"text\": \"fine\"}\n"
                  "{\"text\": NaN}\n"
                  "{\"text\": \"x\", \"weight\": Infinity}\n"
                  "{\"text\": \"NaN\"}\n",
                  s);
        QCOMPARE(s.records.size(), size_t(2));
        QCOMPARE(s.records[1].value["text"].get<std::string>(), std::string("NaN"));
        QCOMPARE(s.malformed.size(), size_t(2));
        QCOMPARE(s.malformed[0].line, size_t(2));
        QCOMPARE(s.malformed[1].line, size_t(3));
        QVERIFY2(contains(describe(s.malformed[0]), "n.jsonl:2: invalid JSON"),
                 describe(s.malformed[0]).c_str());
    }

    void jsonlLongLineRefused()
    {
        RecordSet s = named("d.jsonl");
        readJsonl("{\"text\": \"short\"}\n{\"text\": \"" + std::string(100, 'x') +
                      "\"}\n{\"text\": \"ok\"}\n",
                  s, 64);
        QCOMPARE(s.records.size(), size_t(2));
        QCOMPARE(s.malformed.size(), size_t(1));
        QCOMPARE(s.malformed[0].line, size_t(2));
        QVERIFY(contains(s.malformed[0].reason, "longer than the 64 bytes limit"));
    }

    void realLimitThroughFile()
    {
        // A 17 MiB line with the default 16 MiB limit, through the mapped reader.
        TempDir dir;
        std::string big = "{\"text\": \"" + std::string(size_t(17) << 20, 'y') + "\"}\n";
        writeBytes(dir / "big.jsonl", "{\"text\": \"first\"}\n" + big + "{\"text\": \"last\"}\n");
        const RecordSet s = readRecords(dir / "big.jsonl");
        QCOMPARE(s.records.size(), size_t(2));
        QCOMPARE(s.malformed.size(), size_t(1));
        QCOMPARE(s.malformed[0].line, size_t(2));
        QCOMPARE(s.malformed[0].file, std::string("big.jsonl"));
        QVERIFY(contains(s.malformed[0].reason, "16.0 MiB limit"));
    }

    void hundredMegabyteLineInEveryFormat()
    {
        // Issue 8's absurd input: one 100 MB record on line 2 of each file
        // type, through the mapped reader. The line is refused naming the
        // file and line; the records around it are kept (CSV: the file is
        // refused, its header cannot be trusted past a broken record).
        TempDir dir;
        const std::string huge(size_t(100) << 20, 'x');
        const auto write = [&](const char *name, const std::string &head, const std::string &tail) {
            std::ofstream out(dir / name, std::ios::binary);
            out << head << huge << tail;
        };
        write("big.jsonl", "{\"text\": \"first\"}\n{\"text\": \"", "\"}\n{\"text\": \"last\"}\n");
        write("big.json", "[{\"text\": \"first\"},\n{\"text\": \"",
              "\"},\n{\"text\": \"last\"}]\n");
        write("big.txt", "first\n", "\n\nlast\n");
        write("big.csv", "text\n", "\nlast\n");

        for (const char *name : {"big.jsonl", "big.json", "big.txt"}) {
            const RecordSet s = readRecords(dir / name);
            QVERIFY2(s.malformed.size() == 1, name);
            QCOMPARE(s.malformed[0].line, size_t(2));
            const std::string message = describe(s.malformed[0]);
            QVERIFY2(contains(message, std::string(name) + ":2: ") &&
                         contains(message, "100.0 MiB") && contains(message, "16.0 MiB limit"),
                     message.c_str());
            QVERIFY2(s.records.size() == 2, name);
        }
        const std::string csvError = errorOf([&] { (void)readRecords(dir / "big.csv"); });
        QVERIFY2(contains(csvError, "big.csv") && contains(csvError, "line 2") &&
                     contains(csvError, "16.0 MiB limit"),
                 csvError.c_str());

        // Nothing of the line's size is allocated: in a child process whose
        // heap may grow by 64 MiB at most (RLIMIT_DATA counts heap and
        // anonymous mappings, not the read-only file mapping), every reader
        // still gives its answer. A reader that copied the line would hit
        // std::bad_alloc there.
        const pid_t pid = fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            long dataKb = -1;
            std::ifstream status("/proc/self/status");
            for (std::string line; std::getline(status, line);)
                if (line.rfind("VmData:", 0) == 0)
                    dataKb = std::stol(line.substr(7));
            if (dataKb < 0)
                _exit(5);
            const rlim_t limit = rlim_t(dataKb) * 1024 + (rlim_t(64) << 20);
            const rlimit rl{limit, limit};
            if (setrlimit(RLIMIT_DATA, &rl) != 0)
                _exit(5);
            try {
                for (const char *name : {"big.jsonl", "big.json", "big.txt"})
                    if (readRecords(dir / name).records.size() != 2)
                        _exit(2);
                try {
                    (void)readRecords(dir / "big.csv");
                    _exit(2);
                } catch (const headroom::Error &) {
                }
            } catch (const std::bad_alloc &) {
                _exit(3);
            }
            // The limit must bite, or this check proves nothing.
            void *copy = mmap(nullptr, huge.size(), PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            _exit(copy == MAP_FAILED ? 0 : 4);
        }
        int status = 0;
        QCOMPARE(waitpid(pid, &status, 0), pid);
        QVERIFY(WIFEXITED(status));
        if (WEXITSTATUS(status) == 4 || WEXITSTATUS(status) == 5)
            QSKIP("RLIMIT_DATA is not enforced here; the memory bound was not checked");
        QVERIFY2(WEXITSTATUS(status) != 3, "a reader ran out of a 64 MiB heap on a 100 MB line");
        QCOMPARE(WEXITSTATUS(status), 0);
    }

    void jsonArrayElementsWithLines()
    {
        RecordSet s = named("a.json");
        readJsonArray("[\n"
                      "  {\"text\": \"a, [b]\", \"n\": {\"x\": [1, 2]}},\n"
                      "  {\"text\": \"esc \\\" ] ,\"},\n"
                      "  {\"text\": oops},\n"
                      "  42,\n"
                      "  {\"text\":\n  \"multi-line\"}\n"
                      "]\n",
                      s);
        QCOMPARE(s.records.size(), size_t(3));
        QCOMPARE(s.records[0].line, size_t(2));
        QCOMPARE(s.records[1].line, size_t(3));
        QCOMPARE(s.records[1].value["text"].get<std::string>(), std::string("esc \" ] ,"));
        QCOMPARE(s.records[2].line, size_t(6));
        QCOMPARE(s.malformed.size(), size_t(2));
        QCOMPARE(s.malformed[0].line, size_t(4));
        QVERIFY2(contains(s.malformed[0].reason, "invalid JSON"), s.malformed[0].reason.c_str());
        QCOMPARE(s.malformed[1].line, size_t(5));
        QVERIFY(contains(s.malformed[1].reason, "got number"));
    }

    void jsonArrayBroken()
    {
        RecordSet s = named("a.json");
        readJsonArray("[\n{\"text\": \"a\"},\n{\"text\": \"b\"\n", s);
        QCOMPARE(s.records.size(), size_t(1));
        QCOMPARE(s.malformed.size(), size_t(1));
        QCOMPARE(s.malformed[0].line, size_t(3));
        QVERIFY(contains(s.malformed[0].reason, "not closed"));

        RecordSet t = named("a.json");
        readJsonArray("\"just a string\"", t);
        QVERIFY(t.records.empty());
        QCOMPARE(t.malformed.size(), size_t(1));

        RecordSet u = named("a.json");
        readJsonArray("[]", u);
        QVERIFY(u.records.empty() && u.malformed.empty());
    }

    void jsonExtensionHoldingJsonLines()
    {
        TempDir dir;
        writeBytes(dir / "d.json", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
        const RecordSet s = readRecords(dir / "d.json");
        QCOMPARE(s.records.size(), size_t(2));
        QCOMPARE(s.fileType, std::string("JSON Lines"));
    }

    void csvQuoting()
    {
        RecordSet s = named("d.csv");
        readDelimited("instruction, output \r\n"
                      "plain,value\r\n"
                      "\"with, comma\",\"with \"\"quotes\"\"\"\r\n"
                      "\"multi\nline\r\nfield\",x\r\n"
                      "\r\n"
                      ",\"\"\n"
                      "last,\"no newline at end\"",
                      ',', s);
        QCOMPARE(s.malformed.size(), size_t(0));
        QCOMPARE(s.records.size(), size_t(5));
        const auto field = [&](size_t i, const char *k) {
            return s.records[i].value[k].get<std::string>();
        };
        QCOMPARE(field(0, "instruction"), std::string("plain")); // header names trimmed
        QCOMPARE(field(1, "instruction"), std::string("with, comma"));
        QCOMPARE(field(1, "output"), std::string("with \"quotes\""));
        QCOMPARE(field(2, "instruction"), std::string("multi\nline\r\nfield"));
        QCOMPARE(s.records[2].line, size_t(4));
        QCOMPARE(field(3, "instruction"), std::string());
        QCOMPARE(field(3, "output"), std::string());
        QCOMPARE(s.records[3].line, size_t(8));
        QCOMPARE(field(4, "output"), std::string("no newline at end"));
        QCOMPARE(s.records[4].line, size_t(9));
    }

    void csvMalformedRows()
    {
        RecordSet s = named("d.csv");
        readDelimited("a,b\n"
                      "1,2\n"
                      "1,2,3\n"
                      "\"x\"y,2\n"
                      "only\n"
                      "3,4\n"
                      "\"never closed,5\n6,7\n",
                      ',', s);
        QCOMPARE(s.records.size(), size_t(2));
        QCOMPARE(s.records[1].line, size_t(6));
        QCOMPARE(s.malformed.size(), size_t(4));
        QCOMPARE(s.malformed[0].line, size_t(3));
        QVERIFY(contains(s.malformed[0].reason, "has 3 fields, the header has 2"));
        QCOMPARE(s.malformed[1].line, size_t(4));
        QVERIFY(contains(s.malformed[1].reason, "after the closing quote"));
        QCOMPARE(s.malformed[2].line, size_t(5));
        QCOMPARE(s.malformed[3].line, size_t(7));
        QVERIFY(contains(s.malformed[3].reason, "never closed"));
    }

    void csvHeaderErrors()
    {
        QVERIFY(contains(errorOf([] {
                             RecordSet s = named("d.csv");
                             readDelimited("a,b,a\n1,2,3\n", ',', s);
                         }),
                         "d.csv: line 1: the header row names column `a` twice"));
        QVERIFY(contains(errorOf([] {
                             RecordSet s = named("d.csv");
                             readDelimited("", ',', s);
                         }),
                         "d.csv: no header row"));
        QVERIFY(contains(errorOf([] {
                             RecordSet s = named("d.csv");
                             readDelimited("a,b\n\"" + std::string(200, 'z'), ',', s, 100);
                         }),
                         "d.csv: line 2: record longer than the 100 bytes limit"));
    }

    void csvUnnamedIndexColumn()
    {
        // What pandas' to_csv writes by default.
        RecordSet s = named("d.csv");
        readDelimited(",text\n0,hello\n1,world\n", ',', s);
        QCOMPARE(s.records.size(), size_t(2));
        QCOMPARE(s.records[1].value.dump(), std::string(R"({"text":"world"})"));
    }

    void tsv()
    {
        TempDir dir;
        writeBytes(dir / "d.tsv", "prompt\tcompletion\nsay \"hi\"\t\"tab\there\"\n");
        const RecordSet s = readRecords(dir / "d.tsv");
        QCOMPARE(s.records.size(), size_t(1));
        QCOMPARE(s.records[0].value["prompt"].get<std::string>(), std::string("say \"hi\""));
        QCOMPARE(s.records[0].value["completion"].get<std::string>(), std::string("tab\there"));
    }

    void txtParagraphsAndLines()
    {
        const std::string text = "first line\nsecond line\n\n  \n\nthird\r\nfourth\n\nfifth";
        RecordSet p = named("t.txt");
        readTxt(text, TxtSplit::Paragraph, p);
        QCOMPARE(p.records.size(), size_t(3));
        QCOMPARE(p.records[0].value["text"].get<std::string>(),
                 std::string("first line\nsecond line"));
        QCOMPARE(p.records[1].value["text"].get<std::string>(), std::string("third\nfourth"));
        QCOMPARE(p.records[1].line, size_t(6));
        QCOMPARE(p.records[2].line, size_t(9));

        RecordSet l = named("t.txt");
        readTxt(text, TxtSplit::Line, l);
        QCOMPARE(l.records.size(), size_t(5));
        QCOMPARE(l.records[3].value["text"].get<std::string>(), std::string("fourth"));
        QCOMPARE(l.records[3].line, size_t(7));
    }

    void fileErrors()
    {
        TempDir dir;
        writeBytes(dir / "d.parquet", "PAR1");
        QVERIFY(contains(errorOf([&] { readRecords(dir / "d.parquet"); }),
                         "unsupported dataset file type `.parquet`"));
        QVERIFY(contains(errorOf([&] { readRecords(dir / "missing.jsonl"); }), "missing.jsonl"));
        writeBytes(dir / "empty.jsonl", "");
        QVERIFY(readRecords(dir / "empty.jsonl").records.empty());
    }

    void corruptionsNeverCrash()
    {
        const std::string good = "instruction,input,output\n\"a \"\"b\"\"\",\"x\ny\",z\n";
        headroom::test::forEachCorruption(
            good,
            [](const std::string &bad) {
                RecordSet s = named("c.csv");
                try {
                    readDelimited(bad, ',', s);
                } catch (const headroom::Error &) {
                }
                RecordSet j = named("c.json");
                readJsonArray(bad, j);
                RecordSet l = named("c.jsonl");
                readJsonl(bad, l);
            },
            300);
    }
};

QTEST_APPLESS_MAIN(TestDataReaders)
#include "tst_data_readers.moc"
