// AdamW on ATen's fused kernel; see AdamW.h. The kernel wants one device and
// one dtype per call, so parameters are grouped by both. The step counter is
// incremented here (as torch.optim does) before the kernel reads it.
#include "optim/AdamW.h"

#include "common/Error.h"

#include <c10/core/GradMode.h>

#include <string>
#include <utility>

namespace headroom::optim {

namespace {

std::string key(size_t index, const char *field)
{
    return std::to_string(index) + "." + field;
}

const at::Tensor &require(const StateDict &state, const std::string &name, const at::Tensor &like,
                          at::ScalarType dtype)
{
    auto it = state.find(name);
    if (it == state.end())
        throw Error("AdamW state: missing tensor `" + name + "`");
    const auto &t = it->second;
    if (t.scalar_type() != dtype || (like.defined() && t.sizes() != like.sizes()))
        throw Error("AdamW state: tensor `" + name + "` has dtype " +
                    std::string(c10::toString(t.scalar_type())) + " and shape " +
                    c10::str(t.sizes()) + ", expected " + std::string(c10::toString(dtype)) +
                    (like.defined() ? " and shape " + c10::str(like.sizes()) : std::string()));
    return t;
}

} // namespace

AdamW::AdamW(std::vector<at::Tensor> parameters, AdamWOptions options)
    : m_params(std::move(parameters)), m_state(m_params.size()), m_options(options)
{
    for (size_t i = 0; i < m_params.size(); ++i)
        if (!m_params[i].defined() || !at::isFloatingType(m_params[i].scalar_type()))
            throw Error("AdamW: parameter " + std::to_string(i) + " is not a floating tensor");
}

void AdamW::step(double lr)
{
    c10::NoGradGuard noGrad;
    struct Group
    {
        std::vector<at::Tensor> params, grads, expAvgs, expAvgSqs, steps;
    };
    std::map<std::pair<std::string, at::ScalarType>, Group> groups;
    for (size_t i = 0; i < m_params.size(); ++i) {
        const auto &p = m_params[i];
        const auto &g = p.grad();
        if (!g.defined())
            continue;
        auto &s = m_state[i];
        if (!s.step.defined()) {
            s.step = at::zeros({}, p.options().dtype(at::kFloat));
            s.expAvg = at::zeros_like(p, at::MemoryFormat::Preserve);
            s.expAvgSq = at::zeros_like(p, at::MemoryFormat::Preserve);
        }
        auto &group = groups[{p.device().str(), p.scalar_type()}];
        group.params.push_back(p);
        group.grads.push_back(g.scalar_type() == p.scalar_type() ? g : g.to(p.scalar_type()));
        group.expAvgs.push_back(s.expAvg);
        group.expAvgSqs.push_back(s.expAvgSq);
        group.steps.push_back(s.step);
    }
    for (auto &[where, g] : groups) {
        at::_foreach_add_(g.steps, 1.0);
        at::_fused_adamw_(g.params, g.grads, g.expAvgs, g.expAvgSqs, /*max_exp_avg_sqs=*/{},
                          g.steps, lr, m_options.beta1, m_options.beta2, m_options.weightDecay,
                          m_options.eps, /*amsgrad=*/false, /*maximize=*/false);
    }
}

int64_t AdamW::stateBytes() const
{
    int64_t bytes = 0;
    for (const auto &s : m_state)
        if (s.step.defined())
            bytes += s.step.nbytes() + s.expAvg.nbytes() + s.expAvgSq.nbytes();
    return bytes;
}

StateDict AdamW::stateDict() const
{
    StateDict out;
    for (size_t i = 0; i < m_state.size(); ++i) {
        const auto &s = m_state[i];
        if (!s.step.defined())
            continue;
        out[key(i, "step")] = s.step.clone();
        out[key(i, "exp_avg")] = s.expAvg.clone();
        out[key(i, "exp_avg_sq")] = s.expAvgSq.clone();
    }
    return out;
}

void AdamW::loadStateDict(const StateDict &state)
{
    std::vector<State> loaded(m_params.size());
    for (size_t i = 0; i < m_params.size(); ++i) {
        const auto &p = m_params[i];
        if (!state.count(key(i, "step")))
            continue; // never stepped
        auto to = p.options().dtype(at::kFloat);
        loaded[i].step = require(state, key(i, "step"), {}, at::kFloat).reshape({}).to(to).clone();
        loaded[i].expAvg =
            require(state, key(i, "exp_avg"), p, p.scalar_type()).to(p.device()).clone();
        loaded[i].expAvgSq =
            require(state, key(i, "exp_avg_sq"), p, p.scalar_type()).to(p.device()).clone();
    }
    m_state = std::move(loaded);
}

} // namespace headroom::optim
