// data_parallel.hpp: the torchrun environment's parsing (absent, complete, partial, invalid), the
// ranks' shares of a batch, and real collectives between two processes over c10d/Gloo on this
// machine — this test binary relaunched twice as ranks 0 and 1 — plus the bounded time-out when
// a peer never comes.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "support/free_port.hpp"
#include "support/run_command.hpp"
#include "tac/core/error.hpp"
#include "tac/train/data_parallel.hpp"

namespace {

using tac::train::DataParallel;
using tac::train::DistributedContext;

// --- the worker: this binary started with TAC_DATA_PARALLEL_WORKER=1 and torchrun's variables ---
// Sums, means and broadcasts tensors of uneven shapes whose values depend on the rank, checks
// every result against what the ranks' values imply, and exits 0 (or 1 naming the mismatch, or
// the error's exit code).
std::vector<at::Tensor> rank_tensors(int rank) {
  const double f = rank + 1;
  return {at::arange(6, at::kFloat).reshape({2, 3}) * f, (at::arange(5, at::kFloat) + 10) * f, at::full({1}, 0.5 * f)};
}

bool expect_all(const char* what, const std::vector<at::Tensor>& got, const std::vector<at::Tensor>& want) {
  for (std::size_t k = 0; k < got.size(); ++k)
    if (!at::equal(got[k], want[k])) {
      std::printf("%s: tensor %zu is %s, expected %s\n", what, k, at::str(got[k]).c_str(), at::str(want[k]).c_str());
      return false;
    }
  return true;
}

int run_worker() {
  try {
    DistributedContext context = tac::train::distributed_context_from_environment();
    if (const char* t = std::getenv("TAC_DATA_PARALLEL_TIMEOUT_S")) context.timeout = std::chrono::seconds(std::atoi(t));
    DataParallel dp(context);
    const int world = dp.world_size();
    const double ranks_sum = world * (world + 1) / 2.0;  // sum of (rank + 1)
    auto base = rank_tensors(0);
    auto sum = rank_tensors(dp.rank());
    dp.all_reduce_sum(sum);
    std::vector<at::Tensor> want;
    for (const auto& t : base) want.push_back(t * ranks_sum);
    bool ok = expect_all("sum", sum, want);
    auto mean = rank_tensors(dp.rank());
    dp.all_reduce_mean(mean);
    want.clear();
    for (const auto& t : base) want.push_back(t * ranks_sum / world);
    ok = expect_all("mean", mean, want) && ok;
    std::vector<at::Tensor> from_root = rank_tensors(dp.rank());
    dp.broadcast_from_root(from_root);
    ok = expect_all("broadcast", from_root, base) && ok;
    dp.barrier();
    std::printf("rank %d of %d: %s\n", dp.rank(), world, ok ? "ok" : "MISMATCH");
    return ok ? 0 : 1;
  } catch (const tac::Error& e) {
    std::printf("error: %s\n", e.what());
    return tac::exit_code(e.kind());
  }
}

// Runs before gtest's main when this binary is a worker.
const int worker_exit = [] {
  if (std::getenv("TAC_DATA_PARALLEL_WORKER")) {
    std::fflush(stdout);
    std::exit(run_worker());
  }
  return 0;
}();

using tac::test::free_port;

std::string worker_command(int rank, int world, int port, int timeout_s) {
  return "TAC_DATA_PARALLEL_WORKER=1 TAC_DATA_PARALLEL_TIMEOUT_S=" + std::to_string(timeout_s) + " RANK=" + std::to_string(rank) +
         " WORLD_SIZE=" + std::to_string(world) + " MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) + " /proc/" +
         std::to_string(::getpid()) + "/exe";
}

// --- the environment ---

using Env = std::map<std::string, std::string>;
DistributedContext parse(const Env& env) {
  return tac::train::distributed_context_from([&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

const Env kComplete = {{"RANK", "1"}, {"WORLD_SIZE", "3"}, {"MASTER_ADDR", "10.0.0.7"}, {"MASTER_PORT", "29500"}};

std::string usage_message(const Env& env) {
  const auto e = tac::test::error_of([&] { parse(env); });
  if (!e) return "(no error)";
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage) << e->what();
  return e->what();
}

}  // namespace

TEST(DistributedContext, AbsentEnvironmentIsOneProcess) {
  const auto c = parse({});
  EXPECT_EQ(c.rank, 0);
  EXPECT_EQ(c.world_size, 1);
  EXPECT_FALSE(c.distributed());
  // LOCAL_RANK alone (set by other launchers) does not make a distributed run.
  EXPECT_FALSE(parse({{"LOCAL_RANK", "0"}}).distributed());
}

TEST(DistributedContext, CompleteEnvironment) {
  auto c = parse(kComplete);
  EXPECT_TRUE(c.distributed());
  EXPECT_EQ(c.rank, 1);
  EXPECT_EQ(c.world_size, 3);
  EXPECT_EQ(c.local_rank, 1);  // defaults to RANK
  EXPECT_EQ(c.master_addr, "10.0.0.7");
  EXPECT_EQ(c.master_port, 29500);
  Env env = kComplete;
  env["LOCAL_RANK"] = "0";
  EXPECT_EQ(parse(env).local_rank, 0);
  env["WORLD_SIZE"] = "1";  // torchrun with one process: rank 0 of 1, nothing to connect
  env["RANK"] = "0";
  EXPECT_FALSE(parse(env).distributed());
}

TEST(DistributedContext, PartialOrInvalidEnvironmentNamesTheVariable) {
  Env env = kComplete;
  env.erase("MASTER_PORT");
  EXPECT_NE(usage_message(env).find("MASTER_PORT"), std::string::npos);
  EXPECT_NE(usage_message({{"RANK", "0"}}).find("WORLD_SIZE"), std::string::npos);
  env = kComplete;
  env["RANK"] = "3";  // RANK >= WORLD_SIZE
  EXPECT_NE(usage_message(env).find("RANK=3"), std::string::npos);
  env = kComplete;
  env["WORLD_SIZE"] = "two";
  EXPECT_NE(usage_message(env).find("WORLD_SIZE='two'"), std::string::npos);
  env = kComplete;
  env["RANK"] = "-1";
  EXPECT_NE(usage_message(env).find("RANK"), std::string::npos);
  env = kComplete;
  env["MASTER_PORT"] = "70000";
  EXPECT_NE(usage_message(env).find("MASTER_PORT=70000"), std::string::npos);
  env = kComplete;
  env["MASTER_PORT"] = "29500x";
  EXPECT_NE(usage_message(env).find("MASTER_PORT"), std::string::npos);
  env = kComplete;
  env["WORLD_SIZE"] = "0";
  EXPECT_NE(usage_message(env).find("WORLD_SIZE=0"), std::string::npos);
  env = kComplete;
  env["MASTER_ADDR"] = "";
  EXPECT_NE(usage_message(env).find("MASTER_ADDR"), std::string::npos);
  env = kComplete;
  env["LOCAL_RANK"] = "x";
  EXPECT_NE(usage_message(env).find("LOCAL_RANK"), std::string::npos);
}

TEST(DataParallel, SharesCoverTheBatchInOrderAndDifferByAtMostOne) {
  for (const int world : {1, 2, 3, 5})
    for (std::int64_t count = 0; count <= 7; ++count) {
      std::int64_t next = 0, smallest = count, largest = 0;
      for (int r = 0; r < world; ++r) {
        const auto s = tac::train::share_of_rank(count, r, world);
        EXPECT_EQ(s.begin, next) << count << " over " << world;
        next = s.end;
        smallest = std::min(smallest, s.size());
        largest = std::max(largest, s.size());
      }
      EXPECT_EQ(next, count);
      EXPECT_LE(largest - smallest, 1);
    }
}

TEST(DataParallel, OneProcessLeavesTensorsAlone) {
  DataParallel dp(DistributedContext{});
  EXPECT_TRUE(dp.is_root());
  auto t = rank_tensors(4);
  dp.all_reduce_sum(t);
  dp.all_reduce_mean(t);
  dp.broadcast_from_root(t);
  dp.barrier();
  EXPECT_TRUE(at::equal(t[1], rank_tensors(4)[1]));
}

TEST(DataParallel, TwoProcessesSumAverageAndBroadcastOverGloo) {
  const int port = free_port();
  const auto r = tac::test::run_command("(" + worker_command(1, 2, port, 60) + " & " + worker_command(0, 2, port, 60) +
                                        "; s=$?; wait $!; t=$?; echo \"status $s $t\")");
  EXPECT_NE(r.output.find("rank 0 of 2: ok"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rank 1 of 2: ok"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("status 0 0"), std::string::npos) << r.output;
}

TEST(DataParallel, APeerThatNeverComesIsABoundedNamedError) {
  const int port = free_port();
  const auto r = tac::test::run_command(worker_command(0, 2, port, 2));  // rank 1 never starts
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::io)) << r.output;
  EXPECT_NE(r.output.find("rank 0 of 2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(std::to_string(port)), std::string::npos) << r.output;
}
