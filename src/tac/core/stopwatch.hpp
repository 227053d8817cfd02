#pragma once
// Wall-clock timing for stage statistics and progress (steady clock, seconds as double).
#include <chrono>

namespace tac {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace tac
