#pragma once
// Adds the wall time of a scope to a named phase of the evaluation record (EvalRun::phase_seconds).
#include <chrono>
#include <map>
#include <string>
#include <utility>

#include "tac/core/stopwatch.hpp"

namespace tac::eval {

class PhaseScope {
 public:
  PhaseScope(std::map<std::string, double>& phases, std::string name)
      : phases_(phases), name_(std::move(name)), start_(std::chrono::steady_clock::now()) {}
  ~PhaseScope() { phases_[name_] += seconds_since(start_); }
  PhaseScope(const PhaseScope&) = delete;
  PhaseScope& operator=(const PhaseScope&) = delete;

 private:
  std::map<std::string, double>& phases_;
  std::string name_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tac::eval
