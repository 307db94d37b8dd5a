// Data-parallel training across processes (internal to core/train): the
// launcher's environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT, as torchrun sets them; Slurm's SLURM_PROCID / SLURM_NTASKS /
// SLURM_LOCALID when RANK is absent), the rendezvous on a c10d TCPStore and
// a c10d process group (NCCL for CUDA devices when built with it, else
// Gloo), plus the few collectives the trainer needs.
// It deliberately is not a DistributedDataParallel: GradientBuckets and the
// trainer decide what to reduce and when; this file only moves numbers.
//
// Every collective has a bounded timeout (HEADROOM_DIST_TIMEOUT seconds,
// default 600): when a peer dies, Gloo sees its sockets close and the
// survivors throw TrainingError at their next collective instead of hanging.
#pragma once

#include "train/GradientBuckets.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/Types.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace headroom::train {

struct DistributedEnv
{
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    std::string masterAddr;
    int masterPort = 0;
    std::chrono::milliseconds timeout{600000};
    // HEADROOM_DIST_OVERLAP=0: reduce gradients after backward instead of
    // during it (for measuring what the overlap gains, or ruling it out).
    bool overlap = true;
};

// The launcher's environment; nullopt when it describes a single process.
// Throws Error naming the variable when it is inconsistent (RANK without
// WORLD_SIZE, RANK >= WORLD_SIZE, MASTER_PORT not a port, ...).
std::optional<DistributedEnv> distributedEnvFromEnvironment();

class Distributed : public GradientCollectives
{
public:
    // Rendezvous with the other processes and build the process group.
    // Throws TrainingError when a peer does not appear within the timeout.
    Distributed(const DistributedEnv &env, const at::Device &device);
    ~Distributed();
    Distributed(const Distributed &) = delete;
    Distributed &operator=(const Distributed &) = delete;

    int rank() const { return m_env.rank; }
    int worldSize() const { return m_env.worldSize; }
    const DistributedEnv &env() const { return m_env; }

    // Starts summing `flat` (one gradient bucket, fp32) across the processes
    // asynchronously; the returned function waits for the sum (TrainingError
    // when a peer died or did not answer within the timeout). Gloo reduces on
    // its own threads; NCCL on its stream, where `flat` lives; a CUDA tensor
    // without NCCL goes through a host copy.
    std::function<void()> startAllReduce(const at::Tensor &flat) override;
    // Sums a few numbers (counts, loss sums) across the processes, in fp64.
    std::vector<double> sumAcrossRanks(std::vector<double> values) override;
    // The largest of each across the processes (memory figures for reporting).
    std::vector<double> maxAcrossRanks(std::vector<double> values);

private:
    std::vector<double> reduceAcrossRanks(std::vector<double> values, c10d::ReduceOp op);
    [[noreturn]] void lostContact(const std::exception &e, const char *what) const;

    DistributedEnv m_env;
    at::Device m_device;
    struct Group;
    std::unique_ptr<Group> m_group;
};

} // namespace headroom::train
