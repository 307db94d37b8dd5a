// The autograd function behind checkpoint(); see Checkpointing.h. What the
// node saves: the input tensors (alive anyway as the previous block's output),
// one capsule with the function and the RNG states (a few KiB). Nothing that
// `fn` computes survives the forward.
#include "train/Checkpointing.h"

#include <ATen/Context.h>
#include <ATen/core/Generator.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <mutex>

namespace headroom::train {

namespace {

struct RngState
{
    at::Device device;
    at::Tensor state;
};

at::Generator generatorOf(const at::Device &device)
{
    return at::globalContext().defaultGenerator(device);
}

// CPU, plus every CUDA device an input lives on (as torch.utils.checkpoint).
std::vector<RngState> captureRng(const std::vector<at::Tensor> &inputs)
{
    std::vector<at::Device> devices{at::kCPU};
    for (const auto &t : inputs)
        if (t.defined() && t.is_cuda() &&
            std::find(devices.begin(), devices.end(), t.device()) == devices.end())
            devices.push_back(t.device());
    std::vector<RngState> states;
    for (const auto &device : devices) {
        auto gen = generatorOf(device);
        std::lock_guard<std::mutex> lock(gen.mutex());
        states.push_back({device, gen.get_state()});
    }
    return states;
}

void restoreRng(const std::vector<RngState> &states)
{
    for (const auto &s : states) {
        auto gen = generatorOf(s.device);
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(s.state);
    }
}

struct FnCapsule : torch::CustomClassHolder
{
    FnCapsule(CheckpointFn f, bool preserve) : fn(std::move(f)), preserveRng(preserve) {}
    CheckpointFn fn;
    bool preserveRng;
    std::vector<RngState> rng; // before the forward ran fn
};

struct CheckpointFunction : torch::autograd::Function<CheckpointFunction>
{
    // Runs with grad mode off (Function::apply): fn's intermediates are freed
    // on return.
    static at::Tensor forward(torch::autograd::AutogradContext *ctx, at::TensorList inputs,
                              const c10::IValue &capsule)
    {
        auto *held = static_cast<FnCapsule *>(capsule.toCapsule().get());
        std::vector<at::Tensor> in(inputs.begin(), inputs.end());
        if (held->preserveRng)
            held->rng = captureRng(in);
        ctx->save_for_backward(in);
        ctx->saved_data["capsule"] = capsule;
        return held->fn(in);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext *ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto capsule = ctx->saved_data.at("capsule").toCapsule();
        const auto *held = static_cast<const FnCapsule *>(capsule.get());
        const auto saved = ctx->get_saved_variables();

        std::vector<at::Tensor> detached; // same storage, fresh leaves
        for (size_t i = 0; i < saved.size(); ++i) {
            auto d = saved[i].detach();
            if (d.is_floating_point() || d.is_complex())
                d.requires_grad_(ctx->needs_input_grad(i));
            detached.push_back(d);
        }

        // Fork the RNG: replay the forward's draws, then give back the stream
        // exactly as it was so later random numbers are untouched.
        std::vector<RngState> current;
        if (held->preserveRng) {
            current = captureRng(detached);
            restoreRng(held->rng);
        }
        at::Tensor output;
        try {
            at::AutoGradMode enable(true);
            output = held->fn(detached);
        } catch (...) {
            if (held->preserveRng)
                restoreRng(current);
            throw;
        }
        if (held->preserveRng)
            restoreRng(current);

        if (output.requires_grad())
            torch::autograd::backward({output}, {grads[0]});

        torch::autograd::variable_list out;
        for (auto &d : detached)
            out.push_back(d.requires_grad() ? d.grad() : at::Tensor());
        out.emplace_back(); // the capsule
        return out;
    }
};

} // namespace

at::Tensor checkpoint(const CheckpointFn &fn, const std::vector<at::Tensor> &inputs,
                      bool preserveRngState)
{
    if (!at::GradMode::is_enabled())
        return fn(inputs);
    std::vector<at::Tensor> in = inputs;
    const bool anyGrad =
        std::any_of(in.begin(), in.end(), [](const at::Tensor &t) { return t.requires_grad(); });
    if (!anyGrad) {
        for (auto &t : in)
            if (t.defined() && t.is_floating_point()) {
                t = t.detach().requires_grad_(true); // an alias: no copy
                break;
            }
    }
    auto capsule = at::IValue::make_capsule(c10::make_intrusive<FnCapsule>(fn, preserveRngState));
    return CheckpointFunction::apply(at::TensorList(in), capsule);
}

at::Tensor checkpoint(const std::function<at::Tensor(const at::Tensor &)> &fn, const at::Tensor &x,
                      bool preserveRngState)
{
    return checkpoint([fn](const std::vector<at::Tensor> &in) { return fn(in[0]); },
                      std::vector<at::Tensor>{x}, preserveRngState);
}

} // namespace headroom::train
