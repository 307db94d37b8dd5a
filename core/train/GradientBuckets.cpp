// Bucketed gradient all-reduce started from post-accumulate-grad hooks; see
// GradientBuckets.h.
#include "train/GradientBuckets.h"

#include "train/Trainer.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <algorithm>
#include <chrono>

namespace headroom::train {

class GradientBuckets::Hook : public torch::autograd::PostAccumulateGradHook
{
public:
    Hook(GradientBuckets &owner, size_t index) : m_owner(owner), m_index(index) {}
    void operator()(const torch::autograd::Variable &) override { m_owner.onGradient(m_index); }

private:
    GradientBuckets &m_owner;
    size_t m_index;
};

GradientBuckets::GradientBuckets(TrainableParameters &params, GradientCollectives &collectives,
                                 bool overlap)
    : m_collectives(collectives), m_overlap(overlap)
{
    at::NoGradGuard noGrad;
    // Reverse order: backward produces the last layers' gradients first.
    const auto &list = params.list();
    int64_t total = 0;
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
        m_params.push_back({*it, 0, 0});
        total += it->master.numel();
    }
    const int64_t capElements =
        std::clamp(4 * total / kTargetBuckets, kMinBucketBytes, kMaxBucketBytes) / 4;
    // A bucket closes once it holds capElements or more; a tensor larger than
    // that gets a bucket of its own, as in DDP.
    std::vector<int64_t> sizes;
    for (size_t i = 0; i < m_params.size(); ++i) {
        if (m_buckets.empty() || sizes.back() >= capElements) {
            m_buckets.emplace_back();
            sizes.push_back(0);
        }
        m_buckets.back().members.push_back(i);
        m_params[i].bucket = m_buckets.size() - 1;
        sizes.back() += m_params[i].param.master.numel();
    }
    for (size_t b = 0; b < m_buckets.size(); ++b) {
        auto &bucket = m_buckets[b];
        const auto &master = m_params[bucket.members.front()].param.master;
        bucket.flat = at::zeros({sizes[b]}, master.options().dtype(at::kFloat)); // [numel] fp32
        int64_t offset = 0;
        for (size_t i : bucket.members) {
            auto &p = m_params[i].param;
            const int64_t n = p.master.numel();
            // Built before any backward: there is no gradient to carry over.
            p.master.mutable_grad() = bucket.flat.narrow(0, offset, n).view(p.master.sizes());
            offset += n;
        }
    }
    params.keepGradientsResident();
    for (size_t i = 0; i < m_params.size(); ++i)
        torch::autograd::impl::set_post_acc_grad_hooks(m_params[i].param.model,
                                                       std::make_unique<Hook>(*this, i));
}

GradientBuckets::~GradientBuckets()
{
    for (auto &m : m_params)
        torch::autograd::impl::set_post_acc_grad_hooks(m.param.model, nullptr);
}

void GradientBuckets::armForLastBackward()
{
    std::lock_guard lock(m_mutex);
    m_armed = true;
}

void GradientBuckets::onGradient(size_t index)
{
    at::NoGradGuard noGrad;
    std::lock_guard lock(m_mutex);
    auto &m = m_params[index];
    if (m.param.hasSeparateMaster()) {
        // A bf16/fp16 compute gradient goes into its fp32 master (a bucket
        // view) as soon as it exists, instead of after the micro-batch.
        auto &compute = m.param.model.mutable_grad();
        if (compute.defined()) {
            m.param.master.mutable_grad().add_(compute);
            compute.reset();
        }
    }
    if (!m_armed)
        return;
    auto &bucket = m_buckets[m.bucket];
    if (++m.fired > 1) {
        if (bucket.wait && m_hookError.empty())
            m_hookError = "the gradient of " + m.param.name +
                          " arrived after its bucket had been all-reduced (it received a "
                          "gradient twice in one backward, which the first step did not show)";
        return;
    }
    if (++bucket.ready == static_cast<int64_t>(bucket.members.size()))
        startReady();
}

void GradientBuckets::startReady()
{
    if (!m_learned || !m_overlap)
        return;
    while (m_nextStart < m_buckets.size()) {
        auto &bucket = m_buckets[m_nextStart];
        if (bucket.late || bucket.ready < static_cast<int64_t>(bucket.members.size()))
            return;
        start(bucket);
        ++m_nextStart;
    }
}

void GradientBuckets::start(Bucket &bucket)
{
    try {
        bucket.wait = m_collectives.startAllReduce(bucket.flat);
    } catch (const std::exception &e) {
        bucket.wait = [] {};
        if (m_hookError.empty())
            m_hookError = e.what();
    }
}

void GradientBuckets::learnLateBuckets()
{
    // 1 for every parameter that received more than one gradient here; summed
    // over the ranks, so that all of them mark the same buckets late.
    std::vector<double> repeated(m_params.size());
    for (size_t i = 0; i < m_params.size(); ++i)
        repeated[i] = m_params[i].fired > 1 ? 1.0 : 0.0;
    repeated = m_collectives.sumAcrossRanks(std::move(repeated));
    for (size_t i = 0; i < m_params.size(); ++i)
        if (repeated[i] > 0)
            m_buckets[m_params[i].bucket].late = true;
    m_learned = true;
}

void GradientBuckets::finish()
{
    std::unique_lock lock(m_mutex);
    m_armed = false;
    m_startedDuringBackward = static_cast<int64_t>(m_nextStart);
    if (!m_learned)
        learnLateBuckets();
    while (m_nextStart < m_buckets.size())
        start(m_buckets[m_nextStart++]);

    // The next step starts afresh, whether or not a wait below throws.
    std::vector<std::function<void()>> waits;
    for (auto &bucket : m_buckets) {
        waits.push_back(std::move(bucket.wait));
        bucket.wait = nullptr;
        bucket.ready = 0;
    }
    for (auto &m : m_params)
        m.fired = 0;
    m_nextStart = 0;
    auto error = std::move(m_hookError);
    m_hookError.clear();
    lock.unlock();

    const auto begin = std::chrono::steady_clock::now();
    for (auto &wait : waits)
        wait();
    m_lastWaitSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (!error.empty())
        throw TrainingError("gradient all-reduce: " + error);
}

} // namespace headroom::train
