// c10d process group for sharded evaluation (the only torch translation unit of the driver).
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1  // Debian's libtorch is built with Gloo; its headers need this to declare it
#endif
#include "tac/eval/distributed.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <charconv>
#include <cstdlib>

#include "tac/core/error.hpp"

namespace tac::eval {

namespace {

int env_int(const char* name, int fallback, int lo, int hi) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  int value = 0;
  const char* end = text + std::char_traits<char>::length(text);
  const auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end || value < lo || value > hi)
    fail(ErrorKind::usage, "environment variable {}='{}' must be an integer in [{}, {}]", name, text, lo, hi);
  return value;
}

class GlooCommunicator final : public Communicator {
 public:
  GlooCommunicator(const DistributedEnvironment& env, std::chrono::seconds timeout) : env_(env) {
    try {
      c10d::TCPStoreOptions store_options;
      store_options.port = static_cast<std::uint16_t>(env.master_port);
      store_options.isServer = env.rank == 0;
      store_options.numWorkers = static_cast<std::size_t>(env.world_size);
      store_options.waitWorkers = true;
      store_options.timeout = timeout;
      auto store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
      auto options = c10d::ProcessGroupGloo::Options::create();
      options->timeout = timeout;
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(env.master_addr));
      group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, options);
    } catch (const std::exception& e) {
      fail(ErrorKind::io, "distributed rendezvous at {}:{} failed (rank {} of {}): {}", env.master_addr, env.master_port, env.rank,
           env.world_size, first_line(e.what()));
    }
  }

  int rank() const override { return env_.rank; }
  int world_size() const override { return env_.world_size; }
  std::string backend() const override { return "gloo"; }

  std::vector<std::vector<std::uint8_t>> all_gather_bytes(std::span<const std::uint8_t> local) override {
    if (local.size() > kMaxGatherBytes)
      fail(ErrorKind::limit_exceeded, "rank {}: a {}-byte message exceeds the {}-byte all-gather limit", env_.rank,
           local.size(), kMaxGatherBytes);
    try {
      // Lengths first, then every buffer padded to the longest.
      const auto lengths = gather_tensor(at::full({1}, static_cast<std::int64_t>(local.size()), at::kLong));
      std::int64_t longest = 0;
      for (std::size_t r = 0; r < lengths.size(); ++r) {
        const auto n = lengths[r].item<std::int64_t>();
        if (n < 0 || static_cast<std::uint64_t>(n) > kMaxGatherBytes)
          fail(ErrorKind::limit_exceeded, "rank {} announced a {}-byte message (limit {})", r, n, kMaxGatherBytes);
        longest = std::max(longest, n);
      }
      at::Tensor mine = at::zeros({std::max<std::int64_t>(longest, 1)}, at::kByte);
      std::copy(local.begin(), local.end(), mine.data_ptr<std::uint8_t>());
      const auto all = gather_tensor(mine);
      std::vector<std::vector<std::uint8_t>> out;
      for (std::size_t r = 0; r < all.size(); ++r) {
        const auto n = static_cast<std::size_t>(lengths[r].item<std::int64_t>());
        const std::uint8_t* p = all[r].data_ptr<std::uint8_t>();
        out.emplace_back(p, p + n);
      }
      return out;
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      fail(ErrorKind::io, "distributed all_gather failed on rank {} of {}: {}", env_.rank, env_.world_size, first_line(e.what()));
    }
  }

 private:
  static std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

  std::vector<at::Tensor> gather_tensor(const at::Tensor& tensor) {
    std::vector<at::Tensor> inputs{tensor};
    std::vector<std::vector<at::Tensor>> outputs(1);
    for (int r = 0; r < env_.world_size; ++r) outputs[0].push_back(at::empty_like(tensor));
    group_->allgather(outputs, inputs)->wait();
    return outputs[0];
  }

  DistributedEnvironment env_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
};

}  // namespace

DistributedEnvironment distributed_environment_from_env() {
  DistributedEnvironment env;
  env.world_size = env_int("WORLD_SIZE", 1, 1, 65536);
  if (env.world_size == 1) return env;
  env.rank = env_int("RANK", -1, 0, env.world_size - 1);
  if (env.rank < 0) fail(ErrorKind::usage, "WORLD_SIZE={} is set but RANK is not", env.world_size);
  const char* addr = std::getenv("MASTER_ADDR");
  if (addr == nullptr || *addr == '\0') fail(ErrorKind::usage, "WORLD_SIZE={} is set but MASTER_ADDR is not", env.world_size);
  env.master_addr = addr;
  env.master_port = env_int("MASTER_PORT", -1, 1, 65535);
  if (env.master_port < 0) fail(ErrorKind::usage, "WORLD_SIZE={} is set but MASTER_PORT is not", env.world_size);
  return env;
}

std::unique_ptr<Communicator> connect(const DistributedEnvironment& env, std::chrono::seconds timeout) {
  if (env.world_size <= 1) return nullptr;
  return std::make_unique<GlooCommunicator>(env, timeout);
}

Shard contiguous_shard(std::int64_t total, int rank, int world) {
  if (world < 1 || rank < 0 || rank >= world || total < 0) fail(ErrorKind::internal, "bad shard request: rank {} of {}", rank, world);
  const std::int64_t base = total / world;
  const std::int64_t extra = total % world;
  Shard s;
  s.begin = rank * base + std::min<std::int64_t>(rank, extra);
  s.end = s.begin + base + (rank < extra ? 1 : 0);
  return s;
}

}  // namespace tac::eval
