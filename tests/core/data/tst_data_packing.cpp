// Truncation counts, packing with per-sample position ids and lengths, the
// seeded validation split (deterministic, disjoint, complete) and the
// longest-first batch order. Inputs are built here, no tokenizer needed.
#include "common/Error.h"
#include "data/Batching.h"
#include "data/DatasetSummary.h"
#include "data/Packing.h"
#include "data/Split.h"

#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace headroom::data;

namespace {

TokenizedSample sample(int32_t first, size_t length)
{
    TokenizedSample s;
    for (size_t i = 0; i < length; ++i) {
        s.ids.push_back(first + static_cast<int32_t>(i));
        s.labels.push_back(i == 0 ? kIgnoreIndex : first + static_cast<int32_t>(i));
    }
    return s;
}

} // namespace

class TestDataPacking : public QObject
{
    Q_OBJECT

private slots:
    void truncation()
    {
        std::vector<TokenizedSample> samples = {sample(0, 5), sample(10, 8), sample(20, 9)};
        QCOMPARE(truncateSamples(samples, 8), size_t(1));
        QCOMPARE(samples[2].ids.size(), size_t(8));
        QCOMPARE(samples[2].labels.size(), size_t(8));
        QCOMPARE(samples[2].ids.back(), 27);
        QCOMPARE(samples[1].ids.size(), size_t(8));
        QCOMPARE(truncateSamples(samples, 8), size_t(0));
    }

    void packing()
    {
        const std::vector<TokenizedSample> samples = {
            sample(100, 3), sample(200, 4), sample(300, 2), sample(400, 6), sample(500, 1)};
        const std::vector<PackedSequence> packed = packSamples(samples, 8);
        // Next-fit in order: [3 + 4], [2 + 6], [1].
        QCOMPARE(packed.size(), size_t(3));
        QCOMPARE(packed[0].ids, (std::vector<int32_t>{100, 101, 102, 200, 201, 202, 203}));
        QCOMPARE(packed[0].positionIds, (std::vector<int32_t>{0, 1, 2, 0, 1, 2, 3}));
        QCOMPARE(packed[0].sequenceLengths, (std::vector<int32_t>{3, 4}));
        // The first token of every sample carries no label.
        QCOMPARE(packed[0].labels, (std::vector<int32_t>{-100, 101, 102, -100, 201, 202, 203}));
        QCOMPARE(packed[1].sequenceLengths, (std::vector<int32_t>{2, 6}));
        QCOMPARE(packed[1].positionIds, (std::vector<int32_t>{0, 1, 0, 1, 2, 3, 4, 5}));
        QCOMPARE(packed[2].ids, (std::vector<int32_t>{500}));
    }

    void packingKeepsEverySample()
    {
        std::vector<TokenizedSample> samples;
        size_t total = 0;
        for (int i = 0; i < 50; ++i) {
            samples.push_back(sample(i * 100, size_t(1 + (i * 7) % 16)));
            total += samples.back().ids.size();
        }
        const std::vector<PackedSequence> packed = packSamples(samples, 16);
        size_t got = 0, count = 0;
        for (const PackedSequence &p : packed) {
            QVERIFY(p.ids.size() <= 16);
            QCOMPARE(p.ids.size(), p.labels.size());
            QCOMPARE(p.ids.size(), p.positionIds.size());
            QCOMPARE(size_t(std::accumulate(p.sequenceLengths.begin(), p.sequenceLengths.end(), 0)),
                     p.ids.size());
            got += p.ids.size();
            count += p.sequenceLengths.size();
        }
        QCOMPARE(got, total);
        QCOMPARE(count, samples.size());
        bool threw = false;
        try {
            packSamples({sample(0, 17)}, 16);
        } catch (const headroom::Error &) {
            threw = true;
        }
        QVERIFY(threw);
    }

    void validationSplit()
    {
        const SplitIndices a = splitTrainValidation(100, 0.1, 7);
        const SplitIndices b = splitTrainValidation(100, 0.1, 7);
        const SplitIndices c = splitTrainValidation(100, 0.1, 8);
        QCOMPARE(a.validation.size(), size_t(10));
        QCOMPARE(a.train.size(), size_t(90));
        QCOMPARE(a.validation, b.validation);
        QVERIFY(a.validation != c.validation);
        std::vector<size_t> all = a.train;
        all.insert(all.end(), a.validation.begin(), a.validation.end());
        std::sort(all.begin(), all.end());
        for (size_t i = 0; i < all.size(); ++i)
            QCOMPARE(all[i], i);
        // The permutation uses only the standard-fixed output of mt19937_64,
        // so it is the same with every standard library: pin it.
        QCOMPARE(seededPermutation(8, 42), (std::vector<size_t>{7, 0, 5, 1, 2, 4, 3, 6}));
        QCOMPARE(splitTrainValidation(10, 0.0, 1).validation.size(), size_t(0));
        QCOMPARE(splitTrainValidation(3, 0.01, 1).validation.size(), size_t(1));
        QCOMPARE(splitTrainValidation(1, 0.5, 1).validation.size(), size_t(0));
        bool threw = false;
        try {
            splitTrainValidation(10, 1.0, 1);
        } catch (const headroom::Error &) {
            threw = true;
        }
        QVERIFY(threw);
    }

    void longestFirst()
    {
        const std::vector<size_t> lengths = {5, 90, 7, 100, 3, 90, 8, 1, 2, 4};
        const auto batches = batchOrder(lengths, 3, 11, true);
        QCOMPARE(batches.size(), size_t(4));
        QCOMPARE(batches[0], (std::vector<size_t>{3, 1, 5}));
        QCOMPARE(batches.back().size(), size_t(1));
        std::vector<size_t> all;
        for (const auto &b : batches)
            all.insert(all.end(), b.begin(), b.end());
        std::sort(all.begin(), all.end());
        for (size_t i = 0; i < all.size(); ++i)
            QCOMPARE(all[i], i);
        QCOMPARE(batchOrder(lengths, 3, 11, true), batches);
        const auto plain = batchOrder(lengths, 3, 11, false);
        QCOMPARE(plain.size(), size_t(4));
        QVERIFY(plain != batches);
    }

    void histogram()
    {
        DatasetSummary s;
        s.maxSeqLen = 100;
        s.sampleLengths = {0, 10, 24, 25, 99, 100, 250};
        const LengthHistogram h = s.lengthHistogram(10);
        QCOMPARE(h.binWidth, size_t(26)); // covers 0..259 in 10 bins
        QCOMPARE(h.counts.size(), size_t(10));
        QCOMPARE(std::accumulate(h.counts.begin(), h.counts.end(), size_t(0)), size_t(7));
        QCOMPARE(h.counts[0], size_t(4));
        QCOMPARE(h.counts[9], size_t(1));
    }
};

QTEST_APPLESS_MAIN(TestDataPacking)
#include "tst_data_packing.moc"
