#pragma once
// The one worker pool of tac (zstd's lib/common/pool.h plays this part there).
//
// Each worker owns a queue and runs its jobs in submission order, so state that belongs to one
// worker (an upscaler, a decoder's scratch) needs no lock: give job k to worker k % size() and
// keep that worker's state in slot k % size(). Exceptions travel through the returned futures.
// The destructor finishes every queued job, then joins.
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tac {

// The thread count every verb means by `--threads N`: N when positive, all hardware threads for
// 0 (at least 1). Negative counts are usage errors.
int resolve_thread_count(int requested);

class WorkerPool {
 public:
  explicit WorkerPool(int workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()); }
  // Runs `job` on worker `worker` (0 <= worker < size()), after the jobs given to it before.
  std::future<void> submit_to(int worker, std::function<void()> job);

 private:
  struct Worker {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::packaged_task<void()>> jobs;
    bool stop = false;
    std::thread thread;
  };
  static void run(Worker& w);
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace tac
