#include "tac/train/lr_schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tac/core/error.hpp"

namespace tac::train {

void validate(const LrSchedule& s, std::string_view where) {
  if (s.warmup_steps < 0) fail(ErrorKind::usage, "{}: lr_schedule.warmup_steps must not be negative, got {}", where, s.warmup_steps);
  if (!(s.floor >= 0.0 && s.floor <= 1.0)) fail(ErrorKind::usage, "{}: lr_schedule.floor must be in [0, 1], got {}", where, s.floor);
  if (s.every < 1) fail(ErrorKind::usage, "{}: lr_schedule.every must be at least 1, got {}", where, s.every);
  if (!(s.gamma > 0.0 && s.gamma <= 1.0)) fail(ErrorKind::usage, "{}: lr_schedule.gamma must be in (0, 1], got {}", where, s.gamma);
}

double lr_factor(const LrSchedule& s, std::int64_t step, std::int64_t total_steps) {
  if (step < s.warmup_steps) return static_cast<double>(step + 1) / static_cast<double>(s.warmup_steps);
  const std::int64_t after = step - s.warmup_steps;
  switch (s.kind) {
    case LrScheduleKind::constant:
      return 1.0;
    case LrScheduleKind::cosine: {
      const double span = static_cast<double>(std::max<std::int64_t>(1, total_steps - s.warmup_steps - 1));
      const double p = std::min(1.0, static_cast<double>(after) / span);
      return s.floor + (1.0 - s.floor) * 0.5 * (1.0 + std::cos(std::numbers::pi * p));
    }
    case LrScheduleKind::step:
      return std::pow(s.gamma, static_cast<double>(after / s.every));
  }
  return 1.0;
}

std::string_view lr_schedule_kind_name(LrScheduleKind kind) {
  switch (kind) {
    case LrScheduleKind::constant: return "constant";
    case LrScheduleKind::cosine: return "cosine";
    case LrScheduleKind::step: return "step";
  }
  return "?";
}

std::string describe(const LrSchedule& s) {
  return fmt::format("{} warmup={} floor={:.17g} every={} gamma={:.17g}", lr_schedule_kind_name(s.kind), s.warmup_steps, s.floor, s.every,
                     s.gamma);
}

}  // namespace tac::train
