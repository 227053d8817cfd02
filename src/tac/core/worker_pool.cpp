#include "tac/core/worker_pool.hpp"

#include <algorithm>

#include "tac/core/error.hpp"

namespace tac {

int resolve_thread_count(int requested) {
  if (requested < 0) fail(ErrorKind::usage, "--threads must be 0 (all hardware threads) or positive, not {}", requested);
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

WorkerPool::WorkerPool(int workers) {
  if (workers < 1) fail(ErrorKind::internal, "WorkerPool needs at least one worker, got {}", workers);
  workers_.reserve(static_cast<std::size_t>(workers));
  for (int i = 0; i < workers; ++i) {
    auto w = std::make_unique<Worker>();
    w->thread = std::thread([p = w.get()] { run(*p); });
    workers_.push_back(std::move(w));
  }
}

WorkerPool::~WorkerPool() {
  for (auto& w : workers_) {
    {
      std::lock_guard lock(w->mutex);
      w->stop = true;
    }
    w->wake.notify_one();
  }
  for (auto& w : workers_) w->thread.join();
}

std::future<void> WorkerPool::submit_to(int worker, std::function<void()> job) {
  if (worker < 0 || worker >= size()) fail(ErrorKind::internal, "worker {} of a pool of {}", worker, size());
  Worker& w = *workers_[static_cast<std::size_t>(worker)];
  std::packaged_task<void()> task(std::move(job));
  auto future = task.get_future();
  {
    std::lock_guard lock(w.mutex);
    w.jobs.push_back(std::move(task));
  }
  w.wake.notify_one();
  return future;
}

void WorkerPool::run(Worker& w) {
  for (;;) {
    std::packaged_task<void()> task;
    {
      std::unique_lock lock(w.mutex);
      w.wake.wait(lock, [&] { return w.stop || !w.jobs.empty(); });
      if (w.jobs.empty()) return;  // stopping, and every queued job is done
      task = std::move(w.jobs.front());
      w.jobs.pop_front();
    }
    task();  // an exception is stored in the future
  }
}

}  // namespace tac
