#include "progress_bar.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace tac::cli {

namespace {

std::string minutes_seconds(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

}  // namespace

ProgressBar::ProgressBar(std::string label, bool enabled) : label_(std::move(label)), enabled_(enabled) {}

ProgressBar::~ProgressBar() { finish(); }

bool ProgressBar::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

ProgressCallback ProgressBar::callback() {
  if (!enabled_) return {};
  return [this](const Progress& p) { update(p); };
}

void ProgressBar::update(const Progress& p) {
  if (!enabled_) return;
  const bool new_stage = p.stage != stage_ || p.done < done_;
  if (new_stage) {
    finish();
    stage_ = std::string(p.stage);
    start_ = std::chrono::steady_clock::now();
  }
  unit_ = std::string(p.unit);
  done_ = p.done;
  total_ = p.total;
  draw(new_stage || (total_ > 0 && done_ >= total_));
}

void ProgressBar::print_line(const std::string& line) {
  if (enabled_ && drawn_) std::fputs("\r\033[K", stderr);
  std::fprintf(stderr, "%s\n", line.c_str());
  if (enabled_ && drawn_) draw(true);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!enabled_ || !drawn_) return;
  draw(true);
  std::fputc('\n', stderr);
  std::fflush(stderr);
  drawn_ = false;
  stage_.clear();
  done_ = 0;
}

void ProgressBar::draw(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const std::string& name = label_.empty() ? stage_ : label_;
  std::string text;
  if (total_ > 0) {
    constexpr int kWidth = 30;
    const auto filled = static_cast<std::size_t>(kWidth * std::min(done_, total_) / total_);
    const std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
    std::string eta = "--:--";
    if (rate > 0 && done_ < total_) eta = minutes_seconds(static_cast<double>(total_ - done_) / rate);
    else if (done_ >= total_) eta = minutes_seconds(elapsed);
    text = fmt::format("{} [{}] {}/{}  {:.2f} {}/s  {} {}", name, bar, done_, total_, rate, unit_,
                       done_ >= total_ ? "took" : "ETA", eta);
  } else {
    text = fmt::format("{} {} {}  {:.2f} {}/s  {}", name, done_, unit_, rate, unit_, minutes_seconds(elapsed));
  }
  std::fprintf(stderr, "\r%s\033[K", text.c_str());
  std::fflush(stderr);
}

}  // namespace tac::cli
