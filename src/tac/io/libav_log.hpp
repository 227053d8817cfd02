#pragma once
// libav prints nothing of its own in tac: its log lines go through one process-wide router that
// drops them, except that error-level lines are handed to the LogCapture they belong to, so the
// caller can turn them into one clear tac::Error. A line belongs to a capture when it is logged on
// a thread inside a ThreadLogScope of it, or by an AVCodecContext whose `opaque` is the capture
// (libav copies `opaque` into its frame-threading worker contexts).
#include <mutex>
#include <string>
#include <vector>

namespace tac::io::libav {

class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  void add(std::string line);
  std::vector<std::string> lines() const;
  bool empty() const;
  // The captured lines joined with "; " (at most a few, trimmed), or "" when none.
  std::string summary() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Installs the router (idempotent, thread-safe). Decoders call it before touching libav.
void install_log_router();

// Routes error lines logged by the current thread to `capture` while in scope.
class ThreadLogScope {
 public:
  explicit ThreadLogScope(LogCapture* capture);
  ~ThreadLogScope();
  ThreadLogScope(const ThreadLogScope&) = delete;
  ThreadLogScope& operator=(const ThreadLogScope&) = delete;

 private:
  LogCapture* previous_;
};

// av_strerror as a std::string.
std::string error_text(int averror);

}  // namespace tac::io::libav
