// Forward and backward of the LoRA branch; see LoraFunction.h.
#include "lora/LoraFunction.h"

#include "lora/HashedDropout.h"

#include <torch/csrc/autograd/custom_function.h>

namespace headroom::lora {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The dtype the adapter's matmuls run in: the activations' when they are
// bf16 or fp16 (as under torch.autocast: the products accumulate in fp32,
// and A and B stay fp32 as the optimizer's master copy), else the adapter's.
at::ScalarType computeType(const at::Tensor &x, const at::Tensor &a)
{
    const auto type = x.scalar_type();
    return type == at::kBFloat16 || type == at::kHalf ? type : a.scalar_type();
}

// dropout(x) in `type`, [N, in].
at::Tensor droppedInput(const at::Tensor &x2, double p, uint64_t seed, at::ScalarType type)
{
    if (p == 0.0)
        return x2.to(type);
    return hashedDropout(x2, p, seed, type);
}

struct LoraFunction : torch::autograd::Function<LoraFunction>
{
    // x [..., in], baseOutput [..., out]; returns [..., out] in baseOutput's dtype.
    static at::Tensor forward(AutogradContext *ctx, const at::Tensor &x,
                              const at::Tensor &baseOutput, const at::Tensor &a,
                              const at::Tensor &b, double scaling, double p, int64_t seed)
    {
        const auto type = computeType(x, a);
        auto x2 = x.reshape({-1, x.size(-1)}); // [N, in]
        auto h = at::mm(droppedInput(x2, p, static_cast<uint64_t>(seed), type),
                        a.to(type).t());                                       // [N, r]
        auto base2 = baseOutput.reshape({-1, baseOutput.size(-1)});            // [N, out]
        auto sum = at::addmm(base2.to(type), h, b.to(type).t(), 1.0, scaling); // [N, out]
        ctx->save_for_backward({x, h, a, b});
        ctx->saved_data["scaling"] = scaling;
        ctx->saved_data["p"] = p;
        ctx->saved_data["seed"] = seed;
        return sum.to(baseOutput.scalar_type()).view(baseOutput.sizes());
    }

    static variable_list backward(AutogradContext *ctx, variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &h = saved[1], &a = saved[2], &b = saved[3];
        const double scaling = ctx->saved_data["scaling"].toDouble();
        const double p = ctx->saved_data["p"].toDouble();
        const auto seed = static_cast<uint64_t>(ctx->saved_data["seed"].toInt());
        const auto type = h.scalar_type();
        const auto &gradOut = grads[0];                            // [..., out]
        auto g = gradOut.reshape({-1, gradOut.size(-1)}).to(type); // [N, out]

        at::Tensor gradX, gradA, gradB;
        if (ctx->needs_input_grad(3))
            gradB = at::mm(g.t(), h).mul_(scaling).to(b.scalar_type()); // [out, r]
        if (ctx->needs_input_grad(0) || ctx->needs_input_grad(2)) {
            auto gh = at::mm(g, b.to(type)).mul_(scaling); // [N, r]
            if (ctx->needs_input_grad(2)) {
                auto x2 = x.reshape({-1, x.size(-1)});
                gradA =
                    at::mm(gh.t(), droppedInput(x2, p, seed, type)).to(a.scalar_type()); // [r, in]
            }
            if (ctx->needs_input_grad(0)) {
                auto gx = at::mm(gh, a.to(type)); // [N, in]
                if (p > 0.0) {
                    if (gx.scalar_type() != at::kBFloat16)
                        gx = gx.to(at::kFloat);
                    gx = gx.contiguous();
                    hashedDropoutInPlace(gx, p, seed);
                }
                gradX = gx.to(x.scalar_type()).view(x.sizes());
            }
        }
        at::Tensor gradBase = ctx->needs_input_grad(1) ? gradOut : at::Tensor();
        return {gradX, gradBase, gradA, gradB, at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

} // namespace

at::Tensor loraAdd(const at::Tensor &baseOutput, const at::Tensor &x, const at::Tensor &a,
                   const at::Tensor &b, double scaling, double dropout)
{
    const uint64_t seed = dropout > 0.0 ? drawDropoutSeed() : 0;
    return LoraFunction::apply(x, baseOutput, a, b, scaling, dropout, static_cast<int64_t>(seed));
}

} // namespace headroom::lora
