#pragma once
// Sharded evaluation across processes through libtorch's own distributed layer (c10d, Gloo).
// Ranks come from the variables torchrun sets: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT.
// Torch-free header: the c10d code lives in distributed.cpp.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tac::eval {

// Largest message one rank may send in an all-gather (a sanity cap on what the others allocate).
inline constexpr std::size_t kMaxGatherBytes = std::size_t{1} << 30;

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  virtual std::string backend() const = 0;  // "gloo"
  // Every rank passes its bytes (lengths may differ, at most kMaxGatherBytes); every rank gets all
  // of them, by rank.
  virtual std::vector<std::vector<std::uint8_t>> all_gather_bytes(std::span<const std::uint8_t> local) = 0;
};

struct DistributedEnvironment {
  int rank = 0;
  int world_size = 1;
  std::string master_addr;
  int master_port = 0;
};

// Reads RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT. Absent WORLD_SIZE (or 1) means one process.
// Malformed values throw tac::Error (usage).
DistributedEnvironment distributed_environment_from_env();

// Joins the process group (TCPStore rendezvous at MASTER_ADDR:MASTER_PORT, then Gloo).
// `timeout` bounds the rendezvous and every collective.
std::unique_ptr<Communicator> connect(const DistributedEnvironment& env, std::chrono::seconds timeout);

// Samples [begin, end) of `total` that rank `rank` of `world` scores: contiguous shards, the
// first (total % world) ranks one sample longer. Contiguous keeps each rank's decode short.
struct Shard {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};
Shard contiguous_shard(std::int64_t total, int rank, int world);

}  // namespace tac::eval
