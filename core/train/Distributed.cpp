// Process groups on c10d; see Distributed.h. Gloo's own headers are not in
// the torch wheel, so gloo_shim/ declares the types ProcessGroupGloo.hpp
// names (the implementation is LibTorch's). CUDA devices use NCCL when the
// build found nccl.h (HEADROOM_HAVE_NCCL), else Gloo through host copies.
#include "train/Distributed.h"

#include "common/Error.h"
#include "train/Trainer.h"

#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef HEADROOM_HAVE_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <limits>

namespace headroom::train {

namespace {

std::optional<std::string> variable(const char *name)
{
    const char *value = std::getenv(name);
    if (!value || !*value)
        return std::nullopt;
    return std::string(value);
}

int64_t integerVariable(const char *name, const std::string &text, int64_t low, int64_t high)
{
    size_t used = 0;
    long long value = 0;
    try {
        value = std::stoll(text, &used);
    } catch (const std::exception &) {
        used = 0;
    }
    if (used != text.size() || value < low || value > high)
        throw Error(std::string("environment variable ") + name + "=`" + text +
                    "` must be an integer from " + std::to_string(low) + " to " +
                    std::to_string(high));
    return value;
}

} // namespace

std::optional<DistributedEnv> distributedEnvFromEnvironment()
{
    // torchrun's names first; Slurm's when a job step starts the processes itself.
    const char *rankName = "RANK", *worldName = "WORLD_SIZE", *localName = "LOCAL_RANK";
    if (!variable("RANK") && !variable("WORLD_SIZE") && variable("SLURM_PROCID") &&
        variable("SLURM_NTASKS")) {
        rankName = "SLURM_PROCID";
        worldName = "SLURM_NTASKS";
        localName = "SLURM_LOCALID";
    }
    const auto rank = variable(rankName), world = variable(worldName);
    if (!rank && !world)
        return std::nullopt;
    if (!world)
        throw Error(std::string("environment variable ") + rankName + " is set but " + worldName +
                    " is not; set both (or neither, for one process)");
    DistributedEnv env;
    env.worldSize = static_cast<int>(integerVariable(worldName, *world, 1, 1 << 16));
    if (!rank) {
        if (env.worldSize == 1)
            return std::nullopt;
        throw Error(std::string("environment variable ") + worldName + " is set but " + rankName +
                    " is not; set both (or neither, for one process)");
    }
    env.rank = static_cast<int>(integerVariable(rankName, *rank, 0, env.worldSize - 1));
    if (env.worldSize == 1)
        return std::nullopt;
    const auto local = variable(localName);
    env.localRank =
        local ? static_cast<int>(integerVariable(localName, *local, 0, 1 << 16)) : env.rank;
    const auto addr = variable("MASTER_ADDR"), port = variable("MASTER_PORT");
    if (!addr)
        throw Error(std::string(worldName) + "=" + *world +
                    " needs environment variable MASTER_ADDR (the host of rank 0)");
    if (!port)
        throw Error(std::string(worldName) + "=" + *world +
                    " needs environment variable MASTER_PORT (a free TCP port on rank 0's host)");
    env.masterAddr = *addr;
    env.masterPort = static_cast<int>(integerVariable("MASTER_PORT", *port, 1, 65535));
    if (const auto timeout = variable("HEADROOM_DIST_TIMEOUT"))
        env.timeout = std::chrono::seconds(
            integerVariable("HEADROOM_DIST_TIMEOUT", *timeout, 1, 7 * 24 * 3600));
    if (const auto overlap = variable("HEADROOM_DIST_OVERLAP"))
        env.overlap = integerVariable("HEADROOM_DIST_OVERLAP", *overlap, 0, 1) == 1;
    return env;
}

struct Distributed::Group
{
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::Backend> backend;
    bool onDevice = false; // NCCL: reduces tensors where they are (CUDA)
};

namespace {

bool isLoopback(const std::string &host)
{
    return host == "localhost" || host.starts_with("127.") || host == "::1";
}

std::string timeoutText(std::chrono::milliseconds timeout)
{
    return std::to_string(timeout.count() / 1000) + " s";
}

} // namespace

Distributed::Distributed(const DistributedEnv &env, const at::Device &device)
    : m_env(env), m_device(device), m_group(std::make_unique<Group>())
{
    const std::string where =
        "rank " + std::to_string(env.rank) + " of " + std::to_string(env.worldSize) + ": ";
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(env.masterPort);
        options.isServer = env.rank == 0;
        options.numWorkers = static_cast<size_t>(env.worldSize);
        options.waitWorkers = true;
        options.timeout = env.timeout;
        m_group->store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, options);
#ifdef HEADROOM_HAVE_NCCL
        if (device.is_cuda()) {
            c10::cuda::set_device(device.index());
            auto nccl = c10d::ProcessGroupNCCL::Options::create();
            nccl->timeout = env.timeout;
            m_group->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(m_group->store, env.rank,
                                                                           env.worldSize, nccl);
            m_group->onDevice = true;
            return;
        }
#endif

        auto gloo = c10d::ProcessGroupGloo::Options::create(env.timeout);
        // One process per machine: loopback; otherwise this host's address
        // (GLOO_SOCKET_IFNAME picks an interface, as in PyTorch).
        if (const char *interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
            gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
        else if (isLoopback(env.masterAddr))
            gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        else
            gloo->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        m_group->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(m_group->store, env.rank,
                                                                       env.worldSize, gloo);
    } catch (const c10::Error &e) {
        throw TrainingError(where + "cannot join the other processes at " + env.masterAddr + ":" +
                            std::to_string(env.masterPort) + " within " + timeoutText(env.timeout) +
                            ": " + e.what_without_backtrace());
    } catch (const std::exception &e) {
        throw TrainingError(where + "cannot join the other processes at " + env.masterAddr + ":" +
                            std::to_string(env.masterPort) + ": " + e.what());
    }
}

Distributed::~Distributed() = default;

void Distributed::lostContact(const std::exception &e, const char *what) const
{
    const auto *c10 = dynamic_cast<const c10::Error *>(&e);
    throw TrainingError("rank " + std::to_string(m_env.rank) + " of " +
                        std::to_string(m_env.worldSize) +
                        ": lost contact with the other training processes while reducing " + what +
                        " (a process died or did not answer within " + timeoutText(m_env.timeout) +
                        "): " + (c10 ? c10->what_without_backtrace() : e.what()));
}

std::function<void()> Distributed::startAllReduce(const at::Tensor &flat)
{
    at::NoGradGuard noGrad;
    auto wire = m_group->onDevice ? flat : flat.to(at::kCPU); // the same tensor on the CPU
    std::vector<at::Tensor> io{wire};
    c10::intrusive_ptr<c10d::Work> work;
    try {
        work = m_group->backend->allreduce(io);
    } catch (const std::exception &e) {
        lostContact(e, "gradients");
    }
    return [this, work, wire, flat] {
        try {
            work->wait(m_env.timeout);
        } catch (const std::exception &e) {
            lostContact(e, "gradients");
        }
        if (!wire.is_same(flat))
            flat.copy_(wire);
    };
}

std::vector<double> Distributed::sumAcrossRanks(std::vector<double> values)
{
    return reduceAcrossRanks(std::move(values), c10d::ReduceOp::SUM);
}

std::vector<double> Distributed::maxAcrossRanks(std::vector<double> values)
{
    return reduceAcrossRanks(std::move(values), c10d::ReduceOp::MAX);
}

std::vector<double> Distributed::reduceAcrossRanks(std::vector<double> values, c10d::ReduceOp op)
{
    auto tensor = at::tensor(values, at::TensorOptions().dtype(at::kDouble)); // host
    auto wire = m_group->onDevice ? tensor.to(m_device) : tensor;
    std::vector<at::Tensor> io{wire};
    c10d::AllreduceOptions options;
    options.reduceOp = op;
    try {
        m_group->backend->allreduce(io, options)->wait(m_env.timeout);
    } catch (const std::exception &e) {
        lostContact(e, "the step's counts");
    }
    if (!wire.is_same(tensor))
        tensor.copy_(wire);
    auto access = tensor.accessor<double, 1>();
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = access[static_cast<int64_t>(i)];
    return values;
}

} // namespace headroom::train
