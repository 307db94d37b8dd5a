// Data-parallel gradient reduction overlapped with backward: what
// DistributedDataParallel's Reducer does with gradient_as_bucket_view=True,
// reduced to what the trainer needs (internal to core/train).
//
// Every trainable parameter's fp32 master gradient is a view into one of a
// few flat fp32 buckets, laid out in reverse parameter order (the order
// backward produces them, last layer first). A post-accumulate-grad hook on
// each parameter moves a lower-precision compute gradient into its master at
// once and, during the backward of this rank's last micro-batch of the step,
// counts it in; the moment a bucket's gradients are all in, its all-reduce
// starts asynchronously while backward goes on with earlier layers. Buckets
// are always started in index order, so every rank issues the same
// collectives in the same order whatever its timing.
//
// The first step of a process only learns: it reduces after backward and
// agrees across the ranks which parameters received their gradient more than
// once in one backward (a weight used in two checkpointed blocks); buckets
// holding one are reduced after backward from then on, so an early start
// never sends a partial gradient.
#pragma once

#include "train/TrainableParameters.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace headroom::train {

// The collectives GradientBuckets needs (Distributed provides them; tests fake them).
class GradientCollectives
{
public:
    virtual ~GradientCollectives() = default;
    // Starts summing `flat` (fp32, contiguous) across the ranks in place and
    // returns the function that waits for the sum to be in `flat`.
    virtual std::function<void()> startAllReduce(const at::Tensor &flat) = 0;
    virtual std::vector<double> sumAcrossRanks(std::vector<double> values) = 0;
};

class GradientBuckets
{
public:
    static constexpr int64_t kMaxBucketBytes = 25 << 20; // DDP's bucket_cap_mb
    static constexpr int64_t kMinBucketBytes = 1 << 20;  // DDP's first bucket
    // At least about this many buckets, so that a small LoRA gradient set
    // (20 MB on SmolLM2) still overlaps with backward instead of forming one bucket.
    static constexpr int64_t kTargetBuckets = 8;

    // Allocates the buckets (4 bytes per trainable element, zeroed), makes
    // every master gradient a view into them and installs the hooks.
    // `overlap` false: every bucket is reduced after backward (a measurement aid).
    GradientBuckets(TrainableParameters &params, GradientCollectives &collectives,
                    bool overlap = true);
    // Removes the hooks; the master gradients keep their (bucket) storage.
    ~GradientBuckets();
    GradientBuckets(const GradientBuckets &) = delete;
    GradientBuckets &operator=(const GradientBuckets &) = delete;

    // Call before the backward of this rank's last micro-batch of the step
    // (if it has one): buckets are reduced during that backward from now on.
    void armForLastBackward();
    // After the step's backward passes: starts the buckets not yet started,
    // in order, and waits for all. Every rank calls it once per step. Throws
    // TrainingError when a reduction failed (a peer died) or a gradient came
    // after its bucket had been sent.
    void finish();

    int64_t bucketCount() const { return static_cast<int64_t>(m_buckets.size()); }
    // Buckets started before backward ended, in the last finished step.
    int64_t startedDuringBackward() const { return m_startedDuringBackward; }
    // Seconds finish() spent waiting for reductions: the communication that
    // backward did not hide.
    double lastWaitSeconds() const { return m_lastWaitSeconds; }

private:
    struct Bucket
    {
        at::Tensor flat;             // [numel] fp32; the master gradients are views into it
        std::vector<size_t> members; // indices into m_params
        int64_t ready = 0;           // members whose gradient is in (this backward)
        bool late = false;           // reduce after backward (a member fires repeatedly)
        std::function<void()> wait;  // set once started
    };
    struct Member
    {
        TrainableParameter param;
        size_t bucket = 0;
        int fired = 0; // hook calls during this step's last backward
    };
    class Hook;

    void onGradient(size_t index);
    void startReady();
    void start(Bucket &bucket);
    void learnLateBuckets();

    GradientCollectives &m_collectives;
    std::vector<Member> m_params;
    std::vector<Bucket> m_buckets;
    std::mutex m_mutex;     // hooks may run on an autograd device thread
    size_t m_nextStart = 0; // buckets start in index order
    bool m_armed = false;   // counting gradients of the last backward
    bool m_learned = false; // the first step has found the late buckets
    bool m_overlap = true;
    std::string m_hookError; // from a hook; finish() throws it
    int64_t m_startedDuringBackward = 0;
    double m_lastWaitSeconds = 0;
};

} // namespace headroom::train
