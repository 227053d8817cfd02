#include "tac/eval/progress_bar.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace tac::eval {

ProgressBar::ProgressBar(std::string label, std::int64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled && total > 0), start_(std::chrono::steady_clock::now()) {
  last_draw_ = start_ - std::chrono::seconds(1);
  draw(true);
}

ProgressBar::~ProgressBar() { finish(); }

bool ProgressBar::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void ProgressBar::advance(std::int64_t done_delta) {
  done_ += done_delta;
  draw(false);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  draw(true);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

void ProgressBar::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done_ / total_);
  const std::string bar = std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(kWidth - filled), '.');
  std::string eta = "--:--";
  if (rate > 0 && done_ < total_) {
    const auto left = static_cast<long>(static_cast<double>(total_ - done_) / rate + 0.5);
    eta = fmt::format("{:02}:{:02}", left / 60, left % 60);
  } else if (done_ >= total_) {
    const auto took = static_cast<long>(elapsed + 0.5);
    eta = fmt::format("{:02}:{:02}", took / 60, took % 60);
  }
  std::fprintf(stderr, "\r%s [%s] %lld/%lld  %.2f samples/s  %s %s\033[K", label_.c_str(), bar.c_str(),
               static_cast<long long>(done_), static_cast<long long>(total_), rate, done_ >= total_ ? "took" : "ETA",
               eta.c_str());
  std::fflush(stderr);
}

}  // namespace tac::eval
