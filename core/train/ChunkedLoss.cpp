// The autograd function behind chunkedCausalLmLoss; see ChunkedLoss.h.
// What the node saves: the hidden states (an input, already alive in the
// graph: no new bytes), the flat indices of the target positions [N] and their
// targets [N], the head function and the handles of the head tensors; with a
// frozen head also dL/dhidden [B·T, H]. No logits. Positions without a target
// are never sent through the head.
#include "train/ChunkedLoss.h"

#include "common/Error.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>

namespace headroom::train {

namespace {

struct HeadCapsule : torch::CustomClassHolder
{
    HeadCapsule(LmHead h, std::vector<at::Tensor> t) : head(std::move(h)), tensors(std::move(t)) {}
    LmHead head;
    std::vector<at::Tensor> tensors; // the very tensors `head` reads (same TensorImpl)
};

// labels [B, T] -> targets [B·T]: shifted left by one, -100 appended per row.
at::Tensor shiftedTargets(const at::Tensor &labels)
{
    auto pad = at::full({labels.size(0), 1}, kIgnoreIndex, labels.options());
    return at::cat({labels.slice(1, 1), pad}, 1).reshape(-1);
}

// acc (fp32) += g (compute dtype), a block of rows at a time: ATen's mixed-
// dtype add_ on the CPU first casts its whole operand to fp32, a second
// [V, H] fp32 tensor beside the accumulator.
void accumulateInFp32(at::Tensor &acc, const at::Tensor &g)
{
    if (acc.dim() == 0 || acc.scalar_type() == g.scalar_type()) {
        acc.add_(g);
        return;
    }
    const int64_t rows = acc.size(0);
    const int64_t perRow = std::max<int64_t>(1, acc.numel() / std::max<int64_t>(1, rows));
    const int64_t block = std::max<int64_t>(1, (int64_t{1} << 18) / perRow);
    for (int64_t r = 0; r < rows; r += block) {
        const int64_t n = std::min(block, rows - r);
        acc.narrow(0, r, n).add_(g.narrow(0, r, n));
    }
}

struct ChunkedLossFunction : torch::autograd::Function<ChunkedLossFunction>
{
    // hidden [B, T, H]; positions [N] flat indices into B·T; targets [N].
    // Runs with grad mode off (Function::apply), so each chunk's logits are
    // freed before the next one is computed. When only the hidden states need
    // a gradient (a frozen head: LoRA, or QLoRA's quantized base), that
    // gradient is computed here, chunk by chunk while the logits exist, and
    // kept ([B·T, H], the size of the hidden states) until backward scales it:
    // recomputing the head's matmul in backward would cost as much as the
    // forward's (a 151,936-row head on Qwen2).
    static at::Tensor forward(torch::autograd::AutogradContext *ctx, const at::Tensor &hidden,
                              at::TensorList headTensors, const c10::IValue &capsule,
                              const at::Tensor &positions, const at::Tensor &targets,
                              int64_t chunkTokens)
    {
        const auto &head = static_cast<const HeadCapsule *>(capsule.toCapsule().get())->head;
        const bool headTrained = std::any_of(headTensors.begin(), headTensors.end(),
                                             [](const at::Tensor &t) { return t.requires_grad(); });
        const bool gradientNow = hidden.requires_grad() && !headTrained;
        ctx->saved_data["capsule"] = capsule;
        ctx->saved_data["positions"] = positions;
        ctx->saved_data["targets"] = targets;
        ctx->saved_data["chunk"] = chunkTokens;
        ctx->saved_data["gradient_now"] = gradientNow;

        auto flat = hidden.reshape({-1, hidden.size(-1)}); // [B·T, H], a view when contiguous
        auto sum = at::zeros({}, hidden.options().dtype(at::kFloat));
        at::Tensor gradFlat;
        if (gradientNow)
            gradFlat = at::zeros_like(flat, at::MemoryFormat::Contiguous); // [B·T, H]
        const int64_t n = positions.numel();
        for (int64_t start = 0; start < n; start += chunkTokens) {
            const int64_t len = std::min(chunkTokens, n - start);
            auto index = positions.narrow(0, start, len);
            auto rows = flat.index_select(0, index); // [c, H]
            auto chunkTargets = targets.narrow(0, start, len);
            if (!gradientNow) {
                auto logits = head(rows).to(at::kFloat); // [c, V] fp32
                sum += at::cross_entropy_loss(logits, chunkTargets, {}, at::Reduction::Sum,
                                              kIgnoreIndex);
                continue;
            }
            auto leaf = rows.detach().requires_grad_(true);
            at::Tensor logits;
            {
                at::AutoGradMode enable(true);
                logits = head(leaf); // [c, V], graph through the head only
            }
            // Σ CE = -Σ log p[target]; d/d logits = softmax - onehot(target).
            auto t = chunkTargets.unsqueeze(1);                       // [c, 1]
            auto p = at::log_softmax(logits.detach(), 1, at::kFloat); // [c, V] fp32
            sum -= p.gather(1, t).sum();
            p.exp_();
            p.scatter_(1, t, p.gather(1, t) - 1.0);
            auto gradLogits = p.to(logits.scalar_type());
            p = at::Tensor(); // the fp32 buffer goes before the head's backward
            auto g = torch::autograd::grad({logits}, {leaf}, {gradLogits}, /*retain_graph=*/false,
                                           /*create_graph=*/false, /*allow_unused=*/true);
            gradFlat.index_copy_(0, index, g[0].to(gradFlat.scalar_type()));
        }
        ctx->save_for_backward({hidden, gradFlat});
        return sum; // []
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext *ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto &hidden = saved[0];
        if (ctx->saved_data.at("gradient_now").toBool()) {
            // dL/dhidden was computed in forward for a loss gradient of 1.
            const auto *held =
                static_cast<const HeadCapsule *>(ctx->saved_data.at("capsule").toCapsule().get());
            torch::autograd::variable_list out{saved[1].mul(grads[0]).view(hidden.sizes())};
            out.resize(1 + held->tensors.size() + 4); // frozen head, capsule, ...: no gradient
            return out;
        }
        const auto capsule = ctx->saved_data.at("capsule").toCapsule();
        const auto *held = static_cast<const HeadCapsule *>(capsule.get());
        const auto positions = ctx->saved_data.at("positions").toTensor();
        const auto targets = ctx->saved_data.at("targets").toTensor();
        const int64_t chunkTokens = ctx->saved_data.at("chunk").toInt();
        const auto gradSum = grads[0].to(at::kFloat); // []

        const size_t headCount = held->tensors.size();
        const bool wantHidden = ctx->needs_input_grad(0);
        std::vector<bool> wantHead(headCount);
        for (size_t i = 0; i < headCount; ++i)
            wantHead[i] = ctx->needs_input_grad(1 + i) && held->tensors[i].requires_grad();

        auto flat = hidden.reshape({-1, hidden.size(-1)}); // [B·T, H]
        at::Tensor gradFlat;
        if (wantHidden)
            gradFlat = at::zeros_like(flat, at::MemoryFormat::Contiguous); // [B·T, H]
        std::vector<at::Tensor> gradHead(headCount); // accumulated in fp32 across chunks

        const int64_t n = positions.numel();
        for (int64_t start = 0; start < n; start += chunkTokens) {
            const int64_t len = std::min(chunkTokens, n - start);
            auto index = positions.narrow(0, start, len);
            auto rows = flat.index_select(0, index).detach().requires_grad_(wantHidden); // [c, H]
            at::Tensor logits;
            {
                at::AutoGradMode enable(true);
                logits = held->head(rows); // [c, V], graph through the head only
            }
            // d(Σ CE)/d logits = softmax(logits32) - onehot(target), times the incoming grad.
            at::Tensor gradLogits;
            {
                at::NoGradGuard noGrad;
                auto t = targets.narrow(0, start, len).unsqueeze(1);     // [c, 1]
                auto p = at::softmax(logits.detach().to(at::kFloat), 1); // [c, V] fp32
                p.scatter_(1, t, p.gather(1, t) - 1.0);
                p.mul_(gradSum);
                gradLogits = p.to(logits.scalar_type());
            }
            std::vector<at::Tensor> wrt;
            if (wantHidden)
                wrt.push_back(rows);
            for (size_t i = 0; i < headCount; ++i)
                if (wantHead[i])
                    wrt.push_back(held->tensors[i]);
            if (wrt.empty() || !logits.requires_grad())
                continue;
            auto g = torch::autograd::grad({logits}, wrt, {gradLogits}, /*retain_graph=*/false,
                                           /*create_graph=*/false, /*allow_unused=*/true);
            size_t k = 0;
            if (wantHidden)
                gradFlat.index_copy_(0, index, g[k++].to(gradFlat.scalar_type()));
            for (size_t i = 0; i < headCount; ++i) {
                if (!wantHead[i])
                    continue;
                auto &gi = g[k++];
                if (!gi.defined())
                    continue;
                if (gradHead[i].defined())
                    accumulateInFp32(gradHead[i], gi);
                else
                    gradHead[i] = gi.to(at::kFloat);
            }
        }

        torch::autograd::variable_list out;
        out.push_back(wantHidden ? gradFlat.view(hidden.sizes()) : at::Tensor());
        for (size_t i = 0; i < headCount; ++i)
            out.push_back(gradHead[i].defined() ? gradHead[i].to(held->tensors[i].scalar_type())
                                                : at::Tensor());
        out.resize(out.size() + 4); // capsule, positions, targets, chunk: no gradient
        return out;
    }
};

void checkLabels(const at::Tensor &labels, int64_t batch, int64_t tokens)
{
    if (labels.dim() != 2 || labels.size(0) != batch || labels.size(1) != tokens)
        throw Error("causal-LM loss: labels must be [B, T] = [" + std::to_string(batch) + ", " +
                    std::to_string(tokens) + "] like the hidden states, got " +
                    std::to_string(labels.dim()) + " dimensions");
    if (labels.scalar_type() != at::kLong)
        throw Error("causal-LM loss: labels must be int64");
}

} // namespace

int64_t countTargetTokens(const at::Tensor &labels)
{
    return shiftedTargets(labels).ne(kIgnoreIndex).sum().item<int64_t>();
}

LossSum chunkedCausalLmLoss(const at::Tensor &hidden, const at::Tensor &labels, const LmHead &head,
                            const std::vector<at::Tensor> &headTensors,
                            const ChunkedLossOptions &options)
{
    if (hidden.dim() != 3)
        throw Error("causal-LM loss: hidden states must be [B, T, H]");
    checkLabels(labels, hidden.size(0), hidden.size(1));
    if (options.chunkTokens < 1)
        throw Error("causal-LM loss: chunkTokens must be at least 1");

    auto targets = shiftedTargets(labels.to(hidden.device()));      // [B·T]
    auto positions = targets.ne(kIgnoreIndex).nonzero().squeeze(1); // [N]
    auto kept = targets.index_select(0, positions);                 // [N]
    auto capsule = at::IValue::make_capsule(c10::make_intrusive<HeadCapsule>(head, headTensors));
    LossSum result;
    result.targetTokens = positions.numel();
    result.sum = ChunkedLossFunction::apply(hidden, at::TensorList(headTensors), capsule, positions,
                                            kept, options.chunkTokens);
    return result;
}

LossSum fullCausalLmLoss(const at::Tensor &logits, const at::Tensor &labels)
{
    if (logits.dim() != 3)
        throw Error("causal-LM loss: logits must be [B, T, V]");
    checkLabels(labels, logits.size(0), logits.size(1));
    auto targets = shiftedTargets(labels.to(logits.device())); // [B·T]
    LossSum result;
    result.targetTokens = targets.ne(kIgnoreIndex).sum().item<int64_t>();
    result.sum = at::cross_entropy_loss(logits.to(at::kFloat).reshape({-1, logits.size(-1)}),
                                        targets, {}, at::Reduction::Sum, kIgnoreIndex);
    return result;
}

} // namespace headroom::train
