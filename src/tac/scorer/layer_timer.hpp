#pragma once
// Optional per-layer accounting for the scorer benchmark (torch-free): wall-clock and process
// CPU time per layer name.
#include <time.h>

#include <chrono>
#include <map>
#include <string>

namespace tac::scorer {

struct LayerTimes {
  struct Entry {
    double wall_ms = 0, cpu_ms = 0;
  };
  std::map<std::string, Entry> layers;
  void add(const std::string& name, double wall_ms, double cpu_ms) {
    Entry& e = layers[name];
    e.wall_ms += wall_ms;
    e.cpu_ms += cpu_ms;
  }
};

// Times a scope into `times` (no-op when times is null).
class ScopedLayerTimer {
 public:
  ScopedLayerTimer(LayerTimes* times, std::string name) : times_(times) {
    if (times_ == nullptr) return;
    name_ = std::move(name);
    start_ = std::chrono::steady_clock::now();
    cpu_start_ = cpu_ms();
  }
  ~ScopedLayerTimer() {
    if (times_ == nullptr) return;
    times_->add(name_, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count(),
                cpu_ms() - cpu_start_);
  }
  ScopedLayerTimer(const ScopedLayerTimer&) = delete;
  ScopedLayerTimer& operator=(const ScopedLayerTimer&) = delete;

 private:
  static double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
  }
  LayerTimes* times_;
  std::string name_;
  std::chrono::steady_clock::time_point start_;
  double cpu_start_ = 0;
};

}  // namespace tac::scorer
