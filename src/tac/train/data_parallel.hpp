#pragma once
// Data-parallel training over processes (issue #13, "scale past one machine") through c10d, the
// engine torch.distributed uses: Gloo on CPU, NCCL on CUDA (only when the linked libtorch was built
// with it, USE_C10D_NCCL). Configured like torchrun configures a worker: RANK, WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT (and LOCAL_RANK, the GPU index on a machine). Rank 0 hosts the
// rendezvous (a c10d TCPStore on MASTER_PORT); every collective is bounded by a time-out, and every
// failure is a tac::Error naming the rank, the peer address and what was being done.
// The c10d headers stay in data_parallel.cpp.
#include <ATen/core/Tensor.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tac/scorer/device.hpp"

namespace tac::train {

struct DistributedContext {
  int rank = 0, world_size = 1;
  int local_rank = 0;        // LOCAL_RANK (default: RANK): which GPU of this machine
  std::string master_addr;   // rank 0's address (empty in a single process)
  std::uint16_t master_port = 0;
  std::chrono::seconds timeout{300};  // rendezvous and each collective
  bool distributed() const { return world_size > 1; }
};

// From environment variables, looked up through `getenv` (tests pass their own):
// none of RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set -> a single process (rank 0 of 1); some
// set -> all four are needed. Throws ErrorKind::usage naming the variable that is missing or bad
// (not an integer, RANK outside 0..WORLD_SIZE-1, port outside 1..65535, ...).
DistributedContext distributed_context_from(const std::function<const char*(const char*)>& getenv);
DistributedContext distributed_context_from_environment();  // std::getenv

// A process group of the context's world (nothing to connect in a single process: every
// operation is then the identity). `device` picks the backend: Gloo for CPU tensors, NCCL for CUDA.
class DataParallel {
 public:
  explicit DataParallel(const DistributedContext& context, scorer::Device device = scorer::Device::Cpu);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return context_.rank; }
  int world_size() const { return context_.world_size; }
  bool is_root() const { return context_.rank == 0; }

  // Element-wise sum (or mean) over ranks, in place. The tensors are flattened into one buffer so
  // that all of them cost one collective; they must share a dtype and a device.
  void all_reduce_sum(std::vector<at::Tensor>& tensors);
  void all_reduce_mean(std::vector<at::Tensor>& tensors);
  // Rank 0's values into every rank's tensors, in place (one collective).
  void broadcast_from_root(std::vector<at::Tensor>& tensors);
  void barrier();

 private:
  struct Group;
  enum class Op { sum, broadcast };
  void collective(std::vector<at::Tensor>& tensors, Op op, const char* what);
  DistributedContext context_;
  std::unique_ptr<Group> group_;
};

// Contiguous shares of `count` items over `world` ranks, sizes differing by at most one:
// rank r takes [begin, end).
struct Share {
  std::int64_t begin = 0, end = 0;
  std::int64_t size() const { return end - begin; }
};
Share share_of_rank(std::int64_t count, int rank, int world);

}  // namespace tac::train
