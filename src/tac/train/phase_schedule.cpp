#include "tac/train/phase_schedule.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tac/core/error.hpp"

namespace tac::train {

void validate(const std::vector<TunePhase>& phases, std::string_view where) {
  for (std::size_t i = 0; i < phases.size(); ++i) {
    const auto& p = phases[i];
    const auto label = fmt::format("phase {} ('{}')", i, p.name);
    if (i == 0 && p.begin != 0) fail(ErrorKind::usage, "{}: {} begins at step {}: the first phase must begin at 0", where, label, p.begin);
    if (i > 0) {
      const auto& prev = phases[i - 1];
      if (!prev.end) fail(ErrorKind::usage, "{}: phase {} has no end but is not the last phase", where, i - 1);
      if (p.begin < *prev.end)
        fail(ErrorKind::usage, "{}: {} begins at step {}, inside or before phase {} ({}..{}): phases must be in order without overlap", where,
             label, p.begin, i - 1, prev.begin, *prev.end);
      if (p.begin > *prev.end)
        fail(ErrorKind::usage, "{}: {} begins at step {}, leaving steps {}..{} in no phase", where, label, p.begin, *prev.end, p.begin);
    }
    if (p.end && *p.end <= p.begin) fail(ErrorKind::usage, "{}: {} ends at step {}, not after its begin {}", where, label, *p.end, p.begin);
    if (p.train.empty()) fail(ErrorKind::usage, "{}: {} trains nothing (train = [] )", where, label);
    for (const auto& t : p.train)
      if (t.empty()) fail(ErrorKind::usage, "{}: {} has an empty name in train", where, label);
    if (!(p.latent_lr_scale > 0) || !(p.weight_lr_scale > 0))
      fail(ErrorKind::usage, "{}: {} lr scales must be positive (freeze by leaving a group out of train)", where, label);
  }
}

bool glob_match(std::string_view pattern, std::string_view name) {
  // Iterative matcher with one backtrack point (the last `*`): linear in practice, no recursion.
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p, ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

const TunePhase* phase_at(const std::vector<TunePhase>& phases, std::int64_t step) {
  for (const auto& p : phases)
    if (step >= p.begin && (!p.end || step < *p.end)) return &p;
  return nullptr;
}

bool trains_latents(const TunePhase& phase) {
  for (const auto& t : phase.train)
    if (t == "latents") return true;
  return false;
}

bool trains_weight(const TunePhase& phase, std::string_view tensor_name) {
  for (const auto& t : phase.train)
    if (t == "decoder" || (t != "latents" && glob_match(t, tensor_name))) return true;
  return false;
}

std::string describe(const std::vector<TunePhase>& phases) {
  std::string out;
  for (const auto& p : phases) {
    out += fmt::format("[{} {}..{} train={} latent_lr_scale={:.17g} weight_lr_scale={:.17g}]", p.name, p.begin,
                       p.end ? std::to_string(*p.end) : std::string("end"), fmt::join(p.train, ","), p.latent_lr_scale, p.weight_lr_scale);
  }
  return out;
}

}  // namespace tac::train
