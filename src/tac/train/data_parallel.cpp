#include "tac/train/data_parallel.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>

#include <charconv>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "tac/core/error.hpp"
#include "tac/scorer/torch_device.hpp"

// What the linked libtorch offers: its CMake config defines USE_DISTRIBUTED (c10d at all),
// USE_C10D_GLOO and USE_C10D_NCCL on every target that links it (Debian's: Gloo only).
#ifdef USE_DISTRIBUTED
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace tac::train {
namespace {

constexpr int kMaxWorldSize = 1 << 16;

long long parse_integer(const char* name, const char* text, long long low, long long high) {
  const std::string_view s(text);
  long long value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    fail(ErrorKind::usage, "distributed: {}='{}' is not an integer", name, s);
  if (value < low || value > high) fail(ErrorKind::usage, "distributed: {}={} is outside {}..{}", name, value, low, high);
  return value;
}

std::string what_of(const std::exception& e) {
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) return c10->what_without_backtrace();
  return e.what();
}

}  // namespace

DistributedContext distributed_context_from(const std::function<const char*(const char*)>& getenv) {
  static constexpr const char* kNeeded[] = {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};
  const char* found = nullptr;
  for (const char* name : kNeeded)
    if (getenv(name)) found = name;
  DistributedContext c;
  if (!found) return c;  // not launched by torchrun or alike: one process
  for (const char* name : kNeeded)
    if (!getenv(name))
      fail(ErrorKind::usage, "distributed: {} is set but {} is not (a data-parallel run needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT)",
           found, name);
  c.world_size = static_cast<int>(parse_integer("WORLD_SIZE", getenv("WORLD_SIZE"), 1, kMaxWorldSize));
  c.rank = static_cast<int>(parse_integer("RANK", getenv("RANK"), 0, c.world_size - 1));
  c.local_rank = getenv("LOCAL_RANK") ? static_cast<int>(parse_integer("LOCAL_RANK", getenv("LOCAL_RANK"), 0, c.world_size - 1)) : c.rank;
  c.master_addr = getenv("MASTER_ADDR");
  if (c.master_addr.empty()) fail(ErrorKind::usage, "distributed: MASTER_ADDR is empty");
  c.master_port = static_cast<std::uint16_t>(parse_integer("MASTER_PORT", getenv("MASTER_PORT"), 1, std::numeric_limits<std::uint16_t>::max()));
  return c;
}

DistributedContext distributed_context_from_environment() {
  return distributed_context_from([](const char* name) { return std::getenv(name); });
}

Share share_of_rank(std::int64_t count, int rank, int world) {
  if (world < 1 || rank < 0 || rank >= world || count < 0) fail(ErrorKind::internal, "share_of_rank: rank {} of {}, {} items", rank, world, count);
  const auto at = [&](std::int64_t r) { return count * r / world; };
  return {at(rank), at(rank + 1)};
}

#ifdef USE_DISTRIBUTED
struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> processes;
};
#else
struct DataParallel::Group {};
#endif

DataParallel::DataParallel(const DistributedContext& context, scorer::Device device) : context_(context) {
  if (!context_.distributed()) return;
  if (device == scorer::Device::Cuda) (void)scorer::to_torch_device(device);  // fails clearly where CUDA is absent
  const auto where = [&] { return fmt::format("rank {} of {}, rendezvous {}:{}", context_.rank, context_.world_size, context_.master_addr, context_.master_port); };
#ifndef USE_DISTRIBUTED
  fail(ErrorKind::usage, "distributed ({}): this libtorch was built without c10d (USE_DISTRIBUTED)", where());
#else
  group_ = std::make_unique<Group>();
  try {
    c10d::TCPStoreOptions store;
    store.port = context_.master_port;
    store.isServer = context_.rank == 0;
    store.numWorkers = static_cast<std::size_t>(context_.world_size);
    store.waitWorkers = true;
    store.timeout = context_.timeout;
    group_->store = c10::make_intrusive<c10d::TCPStore>(context_.master_addr, store);
  } catch (const std::exception& e) {
    fail(ErrorKind::io, "distributed ({}): the rendezvous failed within {} s: {}", where(), context_.timeout.count(), what_of(e));
  }
  try {
    if (device == scorer::Device::Cuda) {
#ifdef USE_C10D_NCCL
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = context_.timeout;
      group_->processes = c10::make_intrusive<c10d::ProcessGroupNCCL>(group_->store, context_.rank, context_.world_size, options);
#else
      fail(ErrorKind::usage, "distributed ({}): CUDA needs a libtorch built with NCCL (USE_C10D_NCCL); this one is not", where());
#endif
    } else {
#ifdef USE_C10D_GLOO
      auto options = c10d::ProcessGroupGloo::Options::create(context_.timeout);
      // torch.distributed's choice of interface: GLOO_SOCKET_IFNAME if given; the loopback when
      // the rendezvous is on this machine; else the address this machine's hostname resolves to.
      if (const char* name = std::getenv("GLOO_SOCKET_IFNAME"); name && *name)
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
      else if (context_.master_addr == "localhost" || context_.master_addr.rfind("127.", 0) == 0)
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      group_->processes = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, context_.rank, context_.world_size, options);
#else
      fail(ErrorKind::usage, "distributed ({}): this libtorch was built without Gloo (USE_C10D_GLOO)", where());
#endif
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail(ErrorKind::io, "distributed ({}): connecting the process group failed: {}", where(), what_of(e));
  }
#endif
}

DataParallel::~DataParallel() = default;

void DataParallel::collective(std::vector<at::Tensor>& tensors, Op op, const char* what) {
  if (!group_ || tensors.empty()) return;
#ifdef USE_DISTRIBUTED
  const c10::NoGradGuard no_grad;  // broadcast writes into leaves that require grad
  std::vector<at::Tensor> flat_parts;
  for (const auto& t : tensors) {
    if (!t.defined()) fail(ErrorKind::internal, "distributed {}: an undefined tensor", what);
    if (t.scalar_type() != tensors.front().scalar_type() || t.device() != tensors.front().device())
      fail(ErrorKind::internal, "distributed {}: tensors of different dtypes or devices", what);
    flat_parts.push_back(t.reshape(-1));
  }
  std::vector<at::Tensor> buffer{at::cat(flat_parts)};  // one collective for all of them
  try {
    c10::intrusive_ptr<c10d::Work> work;
    if (op == Op::sum) {
      work = group_->processes->allreduce(buffer);
    } else {
      c10d::BroadcastOptions options;
      options.rootRank = 0;
      work = group_->processes->broadcast(buffer, options);
    }
    work->wait(context_.timeout);
  } catch (const std::exception& e) {
    fail(ErrorKind::io, "distributed {} (rank {} of {}, rendezvous {}:{}): {}", what, context_.rank, context_.world_size, context_.master_addr,
         context_.master_port, what_of(e));
  }
  std::int64_t offset = 0;
  for (auto& t : tensors) {
    t.copy_(buffer.front().narrow(0, offset, t.numel()).view(t.sizes()));
    offset += t.numel();
  }
#else
  (void)op;
  (void)what;
#endif
}

void DataParallel::all_reduce_sum(std::vector<at::Tensor>& tensors) { collective(tensors, Op::sum, "all-reduce"); }

void DataParallel::all_reduce_mean(std::vector<at::Tensor>& tensors) {
  collective(tensors, Op::sum, "all-reduce");
  if (!group_) return;
  const c10::NoGradGuard no_grad;
  for (auto& t : tensors) {
    if (!at::isFloatingType(t.scalar_type())) fail(ErrorKind::internal, "distributed all-reduce mean of a non-floating tensor");
    t.div_(static_cast<double>(context_.world_size));
  }
}

void DataParallel::broadcast_from_root(std::vector<at::Tensor>& tensors) { collective(tensors, Op::broadcast, "broadcast"); }

void DataParallel::barrier() {
  if (!group_) return;
#ifdef USE_DISTRIBUTED
  try {
    group_->processes->barrier()->wait(context_.timeout);
  } catch (const std::exception& e) {
    fail(ErrorKind::io, "distributed barrier (rank {} of {}, rendezvous {}:{}): {}", context_.rank, context_.world_size, context_.master_addr,
         context_.master_port, what_of(e));
  }
#endif
}

}  // namespace tac::train
