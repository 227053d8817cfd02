#pragma once
// How long operations (eval, inflate, compress, sweep) tell their caller how far they are, without
// owning the terminal: the library reports, the CLI draws (apps/tac/progress_bar.hpp). Modelled on
// llama.cpp's load_all_data(progress_callback).
//
// The callback is called on the thread that runs the operation, never concurrently, once at the
// start of a stage (done = 0) and after each step; it should be cheap (a bar redraws at most a few
// times a second). It returns nothing: to cancel, throw from it. The operation lets the exception
// through like any error, and since tac writes its outputs atomically nothing half-written is left.
#include <cstdint>
#include <functional>
#include <string_view>

namespace tac {

struct Progress {
  std::string_view stage;  // what is running, e.g. "eval", "inflate 0.mkv", "compress", "sweep"
  std::int64_t done = 0;   // units done so far in this stage
  std::int64_t total = 0;  // units in this stage; 0 when not known in advance
  std::string_view unit;   // "samples", "frames", "points"
};

using ProgressCallback = std::function<void(const Progress&)>;

// Calls `callback` when there is one.
inline void report_progress(const ProgressCallback& callback, std::string_view stage, std::int64_t done,
                            std::int64_t total, std::string_view unit) {
  if (callback) callback(Progress{stage, done, total, unit});
}

}  // namespace tac
