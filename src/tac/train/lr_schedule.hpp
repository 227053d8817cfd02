#pragma once
// Learning-rate schedules of `tac tune` recipes (docs/train.md "Recipes"): a factor that
// multiplies every learning rate, a pure function of the step (0-based) and the run's total steps,
// so a resumed run follows the same curve as one that never stopped.
//   warm-up (any kind): step < w          -> (step + 1) / w
//   constant:                             -> 1
//   cosine:  p = (step - w) / max(1, N - w - 1) in [0, 1]
//                                         -> floor + (1 - floor) * (1 + cos(pi * p)) / 2
//   step:                                 -> gamma ^ floor((step - w) / every)
#include <cstdint>
#include <string>
#include <string_view>

namespace tac::train {

enum class LrScheduleKind { constant, cosine, step };

struct LrSchedule {
  LrScheduleKind kind = LrScheduleKind::constant;
  std::int64_t warmup_steps = 0;  // linear ramp over the first steps (all kinds)
  double floor = 0.0;             // cosine: the factor at the last step, in [0, 1]
  std::int64_t every = 1;         // step: decay every this many steps (>= 1)
  double gamma = 0.5;             // step: the factor per decay, in (0, 1]
};

// Throws usage naming what is wrong (`where` prefixes the message, e.g. the recipe file).
void validate(const LrSchedule& schedule, std::string_view where);
// The factor at `step` of a run of `total_steps` steps (0 <= step < total_steps).
double lr_factor(const LrSchedule& schedule, std::int64_t step, std::int64_t total_steps);

std::string_view lr_schedule_kind_name(LrScheduleKind kind);
// A canonical text of every field (checkpoint settings, tune.json).
std::string describe(const LrSchedule& schedule);

}  // namespace tac::train
