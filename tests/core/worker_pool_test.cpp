#include "tac/core/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tac/core/error.hpp"

namespace {

TEST(ResolveThreadCount, ZeroMeansAllHardwareThreadsPositiveIsKept) {
  EXPECT_EQ(tac::resolve_thread_count(3), 3);
  EXPECT_EQ(tac::resolve_thread_count(0), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  try {
    tac::resolve_thread_count(-1);
    FAIL() << "negative thread count accepted";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage);
  }
}

TEST(WorkerPool, JobsOfOneWorkerRunInOrderOnOneThread) {
  tac::WorkerPool pool(3);
  ASSERT_EQ(pool.size(), 3);
  std::vector<std::vector<int>> seen(3);           // written only by the owning worker
  std::vector<std::thread::id> owner(3);
  std::vector<std::future<void>> done;
  for (int k = 0; k < 300; ++k) {
    const int w = k % 3;
    done.push_back(pool.submit_to(w, [&, w, k] {
      if (seen[w].empty()) owner[w] = std::this_thread::get_id();
      EXPECT_EQ(owner[w], std::this_thread::get_id());
      seen[w].push_back(k);
    }));
  }
  for (auto& f : done) f.get();
  for (int w = 0; w < 3; ++w) {
    ASSERT_EQ(seen[w].size(), 100u);
    for (std::size_t i = 0; i < seen[w].size(); ++i) EXPECT_EQ(seen[w][i], static_cast<int>(3 * i) + w);
  }
  EXPECT_NE(owner[0], owner[1]);
}

TEST(WorkerPool, ExceptionsTravelThroughTheFutureAndTheWorkerGoesOn) {
  tac::WorkerPool pool(1);
  auto bad = pool.submit_to(0, [] { throw std::runtime_error("boom"); });
  std::atomic<int> ran{0};
  auto good = pool.submit_to(0, [&] { ++ran; });
  EXPECT_THROW(bad.get(), std::runtime_error);
  good.get();
  EXPECT_EQ(ran.load(), 1);
}

TEST(WorkerPool, DestructorFinishesQueuedJobs) {
  std::atomic<int> ran{0};
  {
    tac::WorkerPool pool(2);
    for (int k = 0; k < 50; ++k) (void)pool.submit_to(k % 2, [&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 50);
}

TEST(WorkerPool, RefusesBadWorkerIndexAndEmptyPool) {
  tac::WorkerPool pool(2);
  EXPECT_THROW(pool.submit_to(2, [] {}), tac::Error);
  EXPECT_THROW(pool.submit_to(-1, [] {}), tac::Error);
  EXPECT_THROW(tac::WorkerPool(0), tac::Error);
}

}  // namespace
