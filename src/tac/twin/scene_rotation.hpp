#pragma once
// Which training scenes the twin trainer's pool holds at each step when it rotates them (issue
// #15): the pool has `slots` scenes; every `every` steps the `per_refresh` oldest are replaced by
// the next ones of the training seed stream. After r refreshes the pool holds the stream's scenes
// r * per_refresh .. r * per_refresh + slots - 1, scene i in slot i mod slots — a window sliding
// along the stream, so the pool at any step is a pure function of the step (a resumed run renders
// the window of its step). Memory stays that of `slots` scenes while the scenes seen grow with the
// steps. Torch-free.
#include <cstdint>

#include "tac/core/error.hpp"

namespace tac::twin {

class SceneRotation {
 public:
  // No rotation when per_refresh or every is 0 (the pool is the first `slots` scenes throughout).
  SceneRotation(int slots, int per_refresh, int every) : slots_(slots), per_refresh_(per_refresh), every_(every) {
    if (slots < 1) fail(ErrorKind::usage, "scene rotation: the pool needs at least one scene (--clips)");
    if (per_refresh < 0 || every < 0 || (per_refresh == 0) != (every == 0))
      fail(ErrorKind::usage, "--refresh-scenes and --refresh-every go together (got {} and {})", per_refresh, every);
    if (per_refresh > slots) fail(ErrorKind::usage, "--refresh-scenes {}: the pool holds {} scenes (--clips)", per_refresh, slots);
  }
  bool active() const { return per_refresh_ > 0; }
  int slots() const { return slots_; }
  int per_refresh() const { return per_refresh_; }
  // Refreshes made before step `step` runs (the pool step `step` trains on is window
  // refreshes_by(step)).
  std::int64_t refreshes_by(std::int64_t step) const { return active() && step > 0 ? step / every_ : 0; }
  // The first stream index of window r; the window is [first_scene(r), first_scene(r) + slots).
  std::int64_t first_scene(std::int64_t r) const { return r * per_refresh_; }
  // The stream index of the scene slot `slot` holds in window r.
  std::int64_t scene_in_slot(int slot, std::int64_t r) const {
    const std::int64_t first = first_scene(r);
    const std::int64_t k = slots_;
    return first + ((slot - first) % k + k) % k;
  }
  // The slot stream index i lives in.
  int slot_of(std::int64_t scene) const { return static_cast<int>(scene % slots_); }

 private:
  int slots_, per_refresh_, every_;
};

}  // namespace tac::twin
