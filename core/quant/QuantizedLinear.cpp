// The custom autograd function behind QuantizedLinear; see QuantizedLinear.h.
// What the node saves, exactly: one capsule holding a copy of the
// QuantizedWeight struct (tensor handles that share storage with the layer's
// packed weight, absmax and nested state: no new bytes) and whether a bias was
// given. grad_input = grad_output @ W needs no input activation, so x is not
// saved either.
#include "quant/QuantizedLinear.h"

#include "quant/Nf4Cuda.h"

#include <torch/csrc/autograd/custom_function.h>

#include <optional>

namespace headroom::quant {

namespace {

struct WeightCapsule : torch::CustomClassHolder
{
    explicit WeightCapsule(QuantizedWeight w) : weight(std::move(w)) {}
    QuantizedWeight weight;
};

const QuantizedWeight &weightOf(const torch::autograd::AutogradContext *ctx)
{
    auto capsule = ctx->saved_data.at("weight").toCapsule();
    return static_cast<const WeightCapsule *>(capsule.get())->weight;
}

struct QuantizedLinearFunction : torch::autograd::Function<QuantizedLinearFunction>
{
    // x [..., in], bias [out] or undefined -> [..., out]. Runs without grad
    // mode (Function::apply disables it), so the temporary dequantized weight
    // is freed on return.
    static at::Tensor forward(torch::autograd::AutogradContext *ctx, const at::Tensor &x,
                              const std::optional<at::Tensor> &bias, const QuantizedWeight &weight)
    {
        ctx->saved_data["weight"] =
            at::IValue::make_capsule(c10::make_intrusive<WeightCapsule>(weight));
        ctx->saved_data["has_bias"] = bias.has_value();
        // CUDA dispatch: one input row (token-by-token generation) goes through
        // the dequantize-GEMV of Nf4Cuda.cu, which never materialises W.
        if (const auto *nf4 = std::get_if<Nf4Weight>(&weight);
            nf4 && x.dim() >= 1 && x.numel() == x.size(-1) && x.is_cuda() &&
            nf4CudaSupports(*nf4, x.scalar_type()))
            return nf4GemvCuda(x, *nf4, bias ? *bias : at::Tensor());

        auto w = dequantize(weight, x.scalar_type()); // [out, in]
        if (!bias)
            return at::linear(x, w);
        return at::linear(x, w, bias->to(x.scalar_type()));
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext *ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto &gradOut = grads[0]; // [..., out]
        at::Tensor gradInput, gradBias;
        if (ctx->needs_input_grad(0)) {
            auto w = dequantize(weightOf(ctx), gradOut.scalar_type()); // [out, in], transient
            gradInput = at::matmul(gradOut, w);                        // [..., in]
        }
        if (ctx->saved_data.at("has_bias").toBool() && ctx->needs_input_grad(1))
            gradBias = gradOut.reshape({-1, gradOut.size(-1)}).sum(0); // [out]
        return {gradInput, gradBias, at::Tensor()};
    }
};

} // namespace

at::Tensor dequantize(const QuantizedWeight &weight, at::ScalarType dtype)
{
    if (const auto *nf4 = std::get_if<Nf4Weight>(&weight))
        return dequantizeNf4(*nf4, dtype);
    return dequantizeInt8(std::get<Int8Weight>(weight), dtype);
}

int64_t quantizedBytes(const QuantizedWeight &weight)
{
    return std::visit([](const auto &w) { return w.bytes(); }, weight);
}

at::Tensor quantizedLinear(const at::Tensor &x, const QuantizedWeight &weight,
                           const at::Tensor &bias)
{
    // An undefined tensor cannot be an autograd input: no bias is nullopt.
    std::optional<at::Tensor> b;
    if (bias.defined())
        b = bias;
    return QuantizedLinearFunction::apply(x, b, weight);
}

at::Tensor QuantizedLinear::forward(const at::Tensor &x) const
{
    return quantizedLinear(x, weight, bias);
}

int64_t QuantizedLinear::bytes() const
{
    return quantizedBytes(weight) + (bias.defined() ? bias.nbytes() : 0);
}

} // namespace headroom::quant
