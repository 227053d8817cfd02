#pragma once
// The one progress bar of the CLI, drawn on stderr for every long verb (eval, inflate, compress,
// sweep, demo) from the library's tac::Progress reports (core/progress.hpp). One line per stage:
// with a known total `[####....] done/total  rate unit/s  ETA`, else `done unit  rate unit/s`.
// Redrawn at most 10 times a second; silent when disabled (stderr not a terminal, --no-progress,
// or a rank other than 0).
#include <chrono>
#include <cstdint>
#include <string>

#include "tac/core/progress.hpp"

namespace tac::cli {

class ProgressBar {
 public:
  // `label` names the line (e.g. "tac eval"); empty: the reported stage names it.
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // The callback to hand to the library; valid while the bar lives.
  ProgressCallback callback();
  void update(const Progress& progress);
  // Prints `line` (plus a newline) on stderr above the bar, then redraws the bar.
  void print_line(const std::string& line);
  // Final draw and newline of the current stage.
  void finish();

  bool enabled() const { return enabled_; }
  // True when stderr is a terminal.
  static bool stderr_is_terminal();

 private:
  void draw(bool force);
  std::string label_;
  bool enabled_ = false;
  bool drawn_ = false;  // a line of the current stage is on screen
  std::string stage_;
  std::string unit_;
  std::int64_t done_ = 0;
  std::int64_t total_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace tac::cli
