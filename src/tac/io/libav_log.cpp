#include "tac/io/libav_log.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
}

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <unordered_set>

namespace tac::io::libav {
namespace {

constexpr std::size_t kMaxLines = 16;  // a damaged stream can log thousands of lines

thread_local LogCapture* t_capture = nullptr;

// Live captures, so an AVCodecContext::opaque set by someone else is never taken for one.
std::mutex& live_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::unordered_set<const LogCapture*>& live_captures() {
  static std::unordered_set<const LogCapture*> set;
  return set;
}

void router(void* avcl, int level, const char* format, va_list args) {
  if (level > AV_LOG_ERROR) return;
  LogCapture* capture = t_capture;
  if (capture == nullptr && avcl != nullptr) {
    const AVClass* cls = *static_cast<const AVClass* const*>(avcl);
    if (cls == avcodec_get_class()) {
      auto* candidate = static_cast<LogCapture*>(static_cast<AVCodecContext*>(avcl)->opaque);
      std::lock_guard lock(live_mutex());
      if (live_captures().count(candidate) != 0) capture = candidate;
    }
  }
  if (capture == nullptr) return;
  char line[512];
  int print_prefix = 0;  // no "[hevc @ 0x...]" prefix: the message names the file instead
  av_log_format_line2(avcl, level, format, args, line, sizeof line, &print_prefix);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '.')) text.pop_back();
  if (!text.empty()) capture->add(std::move(text));
}

}  // namespace

LogCapture::LogCapture() {
  std::lock_guard lock(live_mutex());
  live_captures().insert(this);
}

LogCapture::~LogCapture() {
  std::lock_guard lock(live_mutex());
  live_captures().erase(this);
}

void LogCapture::add(std::string line) {
  std::lock_guard lock(mutex_);
  if (lines_.size() < kMaxLines && std::find(lines_.begin(), lines_.end(), line) == lines_.end())
    lines_.push_back(std::move(line));
}

std::vector<std::string> LogCapture::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

bool LogCapture::empty() const {
  std::lock_guard lock(mutex_);
  return lines_.empty();
}

std::string LogCapture::summary() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (std::size_t i = 0; i < lines_.size() && i < 3; ++i) {
    if (!out.empty()) out += "; ";
    out += lines_[i];
  }
  return out;
}

void LogCapture::clear() {
  std::lock_guard lock(mutex_);
  lines_.clear();
}

void install_log_router() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_ERROR);
    av_log_set_callback(router);
  });
}

ThreadLogScope::ThreadLogScope(LogCapture* capture) : previous_(t_capture) { t_capture = capture; }
ThreadLogScope::~ThreadLogScope() { t_capture = previous_; }

std::string error_text(int averror) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(averror, text, sizeof text) < 0) std::snprintf(text, sizeof text, "libav error %d", averror);
  return text;
}

}  // namespace tac::io::libav
