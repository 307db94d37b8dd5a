// Packed rows (several samples in one row, SPECS: padding-free training):
// with per-sample positions and the block-diagonal causal mask, every
// sample's hidden states equal those of the sample run alone, for the Llama
// family (RoPE per row) and GPT-2 (learned positions), with SDPA and eager
// attention. Without the layout the second sample would see the first.
#include "common/TensorFixtures.h"
#include "common/TestSupport.h"
#include "io/ModelSource.h"
#include "model/ModelLoader.h"

#include <QtTest>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>

using namespace headroom;

class TestPackedRows : public QObject
{
    Q_OBJECT

private slots:
    void samplesDoNotSeeEachOther_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("attention");
        for (const char *fixture : {"llama_basic", "gpt2"})
            for (const char *attention : {"sdpa", "eager"})
                QTest::addRow("%s %s", fixture, attention) << fixture << attention;
    }

    void samplesDoNotSeeEachOther()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, attention);
        model::LoadOptions options;
        options.attention = model::parseAttentionKernel(attention.toStdString());
        auto lm = model::loadModel({io::ModelSource::Kind::HfFolder,
                                    test::fixtureDir() / "models" / fixture.toStdString(),
                                    {}},
                                   options);
        at::NoGradGuard noGrad;
        auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
        const int64_t vocab = lm->config().vocabSize;
        auto a = at::randint(vocab, {1, 7}, gen, at::kLong);
        auto b = at::randint(vocab, {1, 9}, gen, at::kLong);
        auto row = at::cat({a, b}, 1); // [1, 16]
        auto positions = at::cat({at::arange(7, at::kLong), at::arange(9, at::kLong)}).unsqueeze(0);
        auto segments = at::cat({at::zeros({7}, at::kLong), at::ones({9}, at::kLong)}).unsqueeze(0);
        const model::PackedLayout packed{positions, segments};

        auto together = lm->forwardHidden(row, nullptr, &packed); // [1, 16, H]
        auto alone = at::cat({lm->forwardHidden(a), lm->forwardHidden(b)}, 1);
        const double diff = test::maxAbsDifference(together, alone);
        qInfo("packed vs alone: max |Δ| = %.3g", diff);
        QVERIFY(diff <= 1e-5);

        // The plain row differs for the second sample: the layout does the work.
        auto plain = lm->forwardHidden(row);
        QVERIFY(test::maxAbsDifference(plain.slice(1, 7), alone.slice(1, 7)) > 1e-3);
    }
};

QTEST_GUILESS_MAIN(TestPackedRows)
#include "tst_packed_rows.moc"
