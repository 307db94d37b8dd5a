// Blockwise 8-bit AdamW; see AdamW8bit.h. One parameter at a time, in chunks
// of whole blocks, every step an ATen op over [blocks, 256] views (the tail block padded with
// zeros, which change no absmax). tests/fixtures/gen_optim.py restates these
// ops one for one in PyTorch, so the states agree bit for bit.
#include "optim/AdamW8bit.h"

#include "common/Error.h"
#include "optim/AdamW8bitCuda.h"
#include "quant/Blockwise8bit.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace headroom::optim {

namespace {

std::string key(size_t index, const char *field)
{
    return std::to_string(index) + "." + field;
}

const at::Tensor &require(const StateDict &state, const std::string &name, at::IntArrayRef shape,
                          at::ScalarType dtype)
{
    auto it = state.find(name);
    if (it == state.end())
        throw Error("AdamW8bit state: missing tensor `" + name + "`");
    const auto &t = it->second;
    if (t.scalar_type() != dtype || t.sizes() != shape)
        throw Error("AdamW8bit state: tensor `" + name + "` has dtype " +
                    std::string(c10::toString(t.scalar_type())) + " and shape " +
                    c10::str(t.sizes()) + ", expected " + std::string(c10::toString(dtype)) +
                    " and shape " + c10::str(shape));
    return t;
}

// [n] -> [blocks, bs], zero padded.
at::Tensor blocked(const at::Tensor &flat, int64_t blocks, int64_t bs)
{
    return at::constant_pad_nd(flat, {0, blocks * bs - flat.numel()}).view({blocks, bs});
}

// The state's values in fp32, [blocks, bs]; the padding stays 0 (its gradient
// is 0 too), so it never raises a block's absmax.
at::Tensor dequantize(const at::Tensor &codes, const at::Tensor &absmax, const at::Tensor &map,
                      int64_t bs)
{
    auto values = map.index_select(0, codes.reshape(-1).to(at::kLong)); // [n]
    return blocked(values, absmax.numel(), bs) * absmax.view({-1, 1});  // [blocks, bs]
}

// Per-block absmax, then the nearest code of value/absmax (ties to the lower
// code, as bnb's reference), then the CUDA kernel's sign rule for the signed
// map: a code of the wrong sign moves one step toward the value's sign, so a
// tiny negative m never decodes to +0. An all-zero block keeps absmax 0.
void quantize(const at::Tensor &values, const at::Tensor &map, bool isSigned, at::Tensor &codes,
              at::Tensor &absmax, int64_t n)
{
    auto amax = std::get<0>(values.abs().max(/*dim=*/1));                  // [blocks]
    auto scaled = values / at::where(amax.eq(0), 1.0, amax).view({-1, 1}); // [blocks, bs]
    auto bounds = (map.slice(0, 0, -1) + map.slice(0, 1)) / 2;             // [255]
    auto q = at::bucketize(scaled, bounds, /*out_int32=*/false);           // int64 [blocks, bs]
    if (isSigned) {
        auto chosen = map.index_select(0, q.reshape(-1)).view_as(q);
        q = q + scaled.gt(0).logical_and(chosen.lt(0)).to(at::kLong) -
            scaled.lt(0).logical_and(chosen.ge(0)).to(at::kLong);
    }
    codes.copy_(q.reshape(-1).slice(0, 0, n).view(codes.sizes()));
    absmax.copy_(amax);
}

} // namespace

AdamW8bit::AdamW8bit(std::vector<at::Tensor> parameters, AdamW8bitOptions options)
    : m_params(std::move(parameters)), m_state(m_params.size()), m_options(std::move(options))
{
    for (size_t i = 0; i < m_params.size(); ++i)
        if (!m_params[i].defined() || m_params[i].scalar_type() != at::kFloat)
            throw Error("AdamW8bit: parameter " + std::to_string(i) +
                        " must be a fp32 tensor (fp32 master weights)");
    if (m_options.blocksize <= 0)
        throw Error("AdamW8bit: blocksize must be positive");
    auto device = m_params.empty() ? at::Device(at::kCPU) : m_params.front().device();
    m_map1 = (m_options.map1.defined() ? m_options.map1 : quant::createDynamicMap(true))
                 .to(device, at::kFloat);
    m_map2 = (m_options.map2.defined() ? m_options.map2 : quant::createDynamicMap(false))
                 .to(device, at::kFloat);
    if (m_map1.sizes() != at::IntArrayRef{256} || m_map2.sizes() != at::IntArrayRef{256})
        throw Error("AdamW8bit: the code books map1 and map2 must have 256 values");
}

bool AdamW8bit::is8bit(size_t index) const
{
    return m_params.at(index).numel() >= m_options.min8bitSize;
}

void AdamW8bit::step(double lr)
{
    c10::NoGradGuard noGrad;
    for (size_t i = 0; i < m_params.size(); ++i) {
        const auto &p = m_params[i];
        if (!p.grad().defined())
            continue;
        auto &s = m_state[i];
        if (!s.state1.defined()) {
            if (is8bit(i)) {
                const int64_t blocks = (p.numel() + m_options.blocksize - 1) / m_options.blocksize;
                // Zero codes as bnb: with absmax 0 every code decodes to 0.
                s.state1 = at::zeros(p.sizes(), p.options().dtype(at::kByte));
                s.state2 = at::zeros(p.sizes(), p.options().dtype(at::kByte));
                s.absmax1 = at::zeros({blocks}, p.options());
                s.absmax2 = at::zeros({blocks}, p.options());
            } else {
                s.state1 = at::zeros_like(p, at::MemoryFormat::Contiguous);
                s.state2 = at::zeros_like(p, at::MemoryFormat::Contiguous);
            }
        }
        s.step += 1;
        auto grad = p.grad().to(at::kFloat);
        if (is8bit(i))
            step8bit(p, grad, s, lr);
        else
            step32bit(p, grad, s, lr);
    }
}

// SPECS §3.4, the CUDA blockwise kernel's order: moments, Adam step, then decay.
// Runs over chunks of kChunkBlocks blocks so the fp32 temporaries (moments,
// codes, the update) stay a few MiB however large the parameter: the 8-bit
// states must also keep the optimizer step's peak low. Blocks are
// independent, so chunking changes no value.
void AdamW8bit::step8bit(const at::Tensor &p, const at::Tensor &grad, State &s, double lr)
{
    // CUDA dispatch: the whole update in one kernel (AdamW8bitCuda.cu); the
    // chunked ATen path below is the fallback and the reference.
    if (adamW8bitCudaSupports(p, m_options)) {
        AdamW8bitCudaState state{s.state1, s.state2, s.absmax1, s.absmax2, m_map1, m_map2};
        adamW8bitStepCuda(p, grad.contiguous(), state, s.step, lr, m_options);
        return;
    }

    constexpr int64_t kChunkBlocks = 1024;
    const int64_t n = p.numel();
    const int64_t bs = m_options.blocksize;
    const int64_t blocks = s.absmax1.numel();
    auto flatParam = p.detach().view(-1);
    auto flatGrad = grad.reshape(-1);
    auto codes1 = s.state1.view(-1), codes2 = s.state2.view(-1);
    for (int64_t first = 0; first < blocks; first += kChunkBlocks) {
        const int64_t last = std::min(blocks, first + kChunkBlocks);
        const int64_t begin = first * bs, end = std::min(n, last * bs);
        Chunk chunk{flatParam.slice(0, begin, end),  flatGrad.slice(0, begin, end),
                    codes1.slice(0, begin, end),     codes2.slice(0, begin, end),
                    s.absmax1.slice(0, first, last), s.absmax2.slice(0, first, last)};
        step8bitChunk(chunk, s.step, lr);
    }
}

void AdamW8bit::step8bitChunk(Chunk &c, int64_t step, double lr)
{
    const auto &o = m_options;
    const int64_t n = c.param.numel();
    const int64_t bs = o.blocksize;
    const int64_t blocks = c.absmax1.numel();
    const auto &map1 = m_map1, &map2 = m_map2;

    auto g = blocked(c.grad, blocks, bs); // [blocks, bs]
    auto bad = g.isfinite().logical_not();
    g = at::where(bad, 0.0, g);
    auto m = dequantize(c.codes1, c.absmax1, map1, bs).mul(o.beta1).add(g, 1.0 - o.beta1);
    auto v = dequantize(c.codes2, c.absmax2, map2, bs).mul(o.beta2).addcmul(g, g, 1.0 - o.beta2);
    m = at::where(bad, 0.0, m);
    v = at::where(bad, 0.0, v);

    const double c1 = 1.0 - std::pow(o.beta1, static_cast<double>(step));
    const double c2 = std::sqrt(1.0 - std::pow(o.beta2, static_cast<double>(step)));
    const double stepSize = -lr * c2 / c1;
    auto old = blocked(c.param, blocks, bs);
    auto updated = old.add(m / (v.sqrt() + o.eps * c2), stepSize);
    if (o.weightDecay > 0.0)
        updated = updated.mul(1.0 - lr * o.weightDecay);
    updated = at::where(bad, old, updated);
    c.param.copy_(updated.reshape(-1).slice(0, 0, n));

    quantize(m, map1, /*isSigned=*/true, c.codes1, c.absmax1, n);
    quantize(v, map2, /*isSigned=*/false, c.codes2, c.absmax2, n);
}

// SPECS §3.4's 32-bit path (bnb's optimizer_update_32bit): decay first, then
// the Adam step; NaN/Inf elements as on the 8-bit path.
void AdamW8bit::step32bit(const at::Tensor &p, const at::Tensor &grad, State &s, double lr)
{
    const auto &o = m_options;
    auto g = grad.reshape(p.sizes());
    auto bad = g.isfinite().logical_not();
    g = at::where(bad, 0.0, g);
    auto m = s.state1.mul(o.beta1).add(g, 1.0 - o.beta1);
    auto v = s.state2.mul(o.beta2).addcmul(g, g, 1.0 - o.beta2);
    s.state1.copy_(at::where(bad, 0.0, m));
    s.state2.copy_(at::where(bad, 0.0, v));

    const double c1 = 1.0 - std::pow(o.beta1, static_cast<double>(s.step));
    const double c2 = std::sqrt(1.0 - std::pow(o.beta2, static_cast<double>(s.step)));
    const double stepSize = -lr * c2 / c1;
    auto old = p.detach();
    auto updated = o.weightDecay > 0.0 ? old.mul(1.0 - lr * o.weightDecay) : old.clone();
    updated.add_(s.state1 / (s.state2.sqrt() + o.eps * c2), stepSize);
    old.copy_(at::where(bad, old, updated));
}

int64_t AdamW8bit::stateBytes() const
{
    int64_t bytes = m_map1.nbytes() + m_map2.nbytes();
    for (const auto &s : m_state) {
        if (!s.state1.defined())
            continue;
        bytes += static_cast<int64_t>(sizeof(int64_t)) + s.state1.nbytes() + s.state2.nbytes();
        if (s.absmax1.defined())
            bytes += s.absmax1.nbytes() + s.absmax2.nbytes();
    }
    return bytes;
}

StateDict AdamW8bit::stateDict() const
{
    StateDict out{{"qmap1", m_map1.clone()}, {"qmap2", m_map2.clone()}};
    for (size_t i = 0; i < m_state.size(); ++i) {
        const auto &s = m_state[i];
        if (!s.state1.defined())
            continue;
        out[key(i, "step")] = at::scalar_tensor(s.step, at::kLong);
        out[key(i, "state1")] = s.state1.clone();
        out[key(i, "state2")] = s.state2.clone();
        if (s.absmax1.defined()) {
            out[key(i, "absmax1")] = s.absmax1.clone();
            out[key(i, "absmax2")] = s.absmax2.clone();
        }
    }
    return out;
}

void AdamW8bit::loadStateDict(const StateDict &state)
{
    // The saved code books win over ours (SPECS §3.2: load, never regenerate).
    auto map1 = require(state, "qmap1", {256}, at::kFloat).to(m_map1.device()).clone();
    auto map2 = require(state, "qmap2", {256}, at::kFloat).to(m_map2.device()).clone();
    std::vector<State> loaded(m_params.size());
    for (size_t i = 0; i < m_params.size(); ++i) {
        const auto &p = m_params[i];
        if (!state.count(key(i, "step")))
            continue; // never stepped
        auto &s = loaded[i];
        s.step = require(state, key(i, "step"), {}, at::kLong).item<int64_t>();
        const auto dtype = is8bit(i) ? at::kByte : at::kFloat;
        s.state1 = require(state, key(i, "state1"), p.sizes(), dtype).to(p.device()).clone();
        s.state2 = require(state, key(i, "state2"), p.sizes(), dtype).to(p.device()).clone();
        if (is8bit(i)) {
            const int64_t blocks = (p.numel() + m_options.blocksize - 1) / m_options.blocksize;
            s.absmax1 =
                require(state, key(i, "absmax1"), {blocks}, at::kFloat).to(p.device()).clone();
            s.absmax2 =
                require(state, key(i, "absmax2"), {blocks}, at::kFloat).to(p.device()).clone();
        }
    }
    m_map1 = map1;
    m_map2 = map2;
    m_state = std::move(loaded);
}

} // namespace headroom::optim
