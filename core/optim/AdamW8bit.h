// Blockwise 8-bit AdamW as bitsandbytes' AdamW8bit (SPECS.md §3): parameters
// with at least `min8bitSize` (4096) elements keep m and v as uint8 codes of
// 256-element blocks with a fp32 absmax per block, m on the signed dynamic map
// and v on the unsigned one (DESIGN.md trap 5: a linear int8 map diverges);
// smaller parameters keep fp32 m and v. Update per SPECS §3.4: decay after the
// Adam step on the 8-bit path, before it on the 32-bit path; a NaN/Inf
// gradient element zeroes its m and v and leaves its parameter unchanged.
// Vectorised ATen per parameter, no per-element loops. Deliberately no
// percentile clipping, max_unorm, stochastic rounding, paging or per-parameter
// overrides.
#pragma once

#include "optim/Optimizer.h"

namespace headroom::optim {

struct AdamW8bitOptions
{
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weightDecay = 1e-2;  // bitsandbytes AdamW8bit's default
    int64_t min8bitSize = 4096; // bnb `min_8bit_size`
    int64_t blocksize = 256;    // bnb >= 0.44
    // Code books for m and v ([256] fp32, ascending); undefined = bnb's
    // dynamic maps. Replaceable for loading another run's qmaps (SPECS §3.2)
    // and for showing that a linear map diverges.
    at::Tensor map1;
    at::Tensor map2;
};

class AdamW8bit final : public Optimizer
{
public:
    AdamW8bit(std::vector<at::Tensor> parameters, AdamW8bitOptions options = {});

    const std::vector<at::Tensor> &parameters() const override { return m_params; }
    void step(double lr) override;
    int64_t stateBytes() const override;
    // Keys per parameter i, bnb's names: "i.step" (int64 scalar), "i.state1",
    // "i.state2" (uint8 shaped like p, or fp32 for small parameters),
    // "i.absmax1", "i.absmax2" (fp32 [ceil(n/256)], 8-bit only); once:
    // "qmap1", "qmap2".
    StateDict stateDict() const override;
    void loadStateDict(const StateDict &state) override;

    // What stateBytes() adds for one parameter of `numel` elements, without
    // tensors (for the memory estimator): 8-bit codes plus two fp32 absmax per
    // block, or fp32 m and v below min8bitSize; plus the step counter. The
    // optimizer adds kCodeBookBytes once.
    static int64_t stateBytesFor(int64_t numel, const AdamW8bitOptions &options = {})
    {
        if (numel < options.min8bitSize)
            return 8 * numel + 8;
        const int64_t blocks = (numel + options.blocksize - 1) / options.blocksize;
        return 2 * numel + 8 * blocks + 8;
    }
    static constexpr int64_t kCodeBookBytes = 2 * 256 * 4;

    // Whether parameter i keeps 8-bit state (numel >= min8bitSize).
    bool is8bit(size_t index) const;
    const at::Tensor &map1() const { return m_map1; }
    const at::Tensor &map2() const { return m_map2; }

private:
    struct State
    {
        int64_t step = 0;
        at::Tensor state1; // uint8 codes (8-bit) or fp32 m
        at::Tensor state2; // uint8 codes (8-bit) or fp32 v
        at::Tensor absmax1;
        at::Tensor absmax2;
    };

    // Views of one run of whole blocks of a parameter and its state.
    struct Chunk
    {
        at::Tensor param, grad;      // fp32 [len]
        at::Tensor codes1, codes2;   // uint8 [len]
        at::Tensor absmax1, absmax2; // fp32 [blocks of the chunk]
    };

    void step8bit(const at::Tensor &p, const at::Tensor &grad, State &s, double lr);
    void step8bitChunk(Chunk &chunk, int64_t step, double lr);
    void step32bit(const at::Tensor &p, const at::Tensor &grad, State &s, double lr);

    std::vector<at::Tensor> m_params;
    std::vector<State> m_state;
    AdamW8bitOptions m_options;
    at::Tensor m_map1; // on the first parameter's device
    at::Tensor m_map2;
};

} // namespace headroom::optim
