// Data-parallel training across processes (internal to core/train): the
// launcher's environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT, as torchrun sets them; Slurm's SLURM_PROCID / SLURM_NTASKS /
// SLURM_LOCALID when RANK is absent), the rendezvous on a c10d TCPStore and
// a c10d process group (NCCL for CUDA devices when built with it, else
// Gloo), plus the few collectives the trainer needs.
// It deliberately is not a DistributedDataParallel: the trainer decides what
// to reduce and when; this file only moves numbers between processes.
//
// Every collective has a bounded timeout (HEADROOM_DIST_TIMEOUT seconds,
// default 600): when a peer dies, Gloo sees its sockets close and the
// survivors throw TrainingError at their next collective instead of hanging.
#pragma once

#include <ATen/ATen.h>

#include <chrono>
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
};

// The launcher's environment; nullopt when it describes a single process.
// Throws Error naming the variable when it is inconsistent (RANK without
// WORLD_SIZE, RANK >= WORLD_SIZE, MASTER_PORT not a port, ...).
std::optional<DistributedEnv> distributedEnvFromEnvironment();

class Distributed
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

    // Sums every tensor across the processes in place: flattened into fp32
    // buckets of about kBucketBytes, one all-reduce per bucket. The tensors
    // must be fp32, contiguous and have the same shapes on every rank.
    void allReduceSum(const std::vector<at::Tensor> &tensors);
    // Sums a few numbers (counts, loss sums) across the processes, in fp64.
    std::vector<double> sumAcrossRanks(std::vector<double> values);

    static constexpr int64_t kBucketBytes = 25 << 20; // DDP's default bucket size

private:
    void allReduceFlat(at::Tensor &flat, const char *what);

    DistributedEnv m_env;
    at::Device m_device;
    struct Group;
    std::unique_ptr<Group> m_group;
};

} // namespace headroom::train
