#pragma once
// A one-line progress bar on stderr (samples, samples/s, ETA), redrawn at most 10 times a second.
// Silent when disabled (stderr not a terminal, or a non-zero rank).
#include <chrono>
#include <cstdint>
#include <string>

namespace tac::eval {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::int64_t total, bool enabled);
  ~ProgressBar();
  void advance(std::int64_t done_delta);
  void finish();
  // True when stderr is a terminal.
  static bool stderr_is_terminal();

 private:
  void draw(bool force);
  std::string label_;
  std::int64_t total_ = 0;
  std::int64_t done_ = 0;
  bool enabled_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace tac::eval
