#pragma once
// The twin trainer's pool of training samples (issue #15): --clips scenes rendered in float16,
// and when it rotates (scene_rotation.hpp) the window of the training seed stream that a step
// trains on, new scenes rendered into the oldest scenes' slots. Internal to tac_twin (ATen).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "tac/twin/scene_rotation.hpp"
#include "tac/twin/twin_dataset.hpp"

namespace tac::twin {

// The most scenes of the training stream a run may reach: a rotation past it (a refresh every step
// for millions of steps) is refused rather than wrapped around an int.
inline constexpr std::int64_t kMaxTrainingScenes = 10'000'000;

struct TrainingPoolOptions {
  std::uint64_t seed = 0;  // the training seed stream's (training_seeds)
  int clips = 1;           // scenes held at once
  int pairs_per_clip = 1;
  int gaps = 1, moves = 0;
  int refresh_scenes = 0, refresh_every = 0;  // SceneRotation (0, 0: still)
  int threads = 1;                            // render workers
};

using RenderProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

class TrainingPool {
 public:
  // The pool step `step` trains on (the first window for step 0), rendered. `forbidden` are
  // seeds it must never hold (the held-out scenes'): a stream that reached one is an internal error.
  TrainingPool(const TrainingPoolOptions& options, std::int64_t step, std::set<std::uint64_t> forbidden, const RenderProgressFn& progress = {});

  // The true motion of the first window's samples, from the poses alone (dataset_motion): what
  // PoseNet's units are computed from, whatever window a run starts in.
  static at::Tensor first_window_motion(const TrainingPoolOptions& options);

  // Brings the pool to the window of `step`, rendering each refresh's new scenes (`progress` per
  // refresh). Steps only go forward.
  void advance_to(std::int64_t step, const RenderProgressFn& progress = {});

  const TwinDataset& data() const { return data_; }
  std::int64_t size() const { return data_.size(); }
  int group() const { return options_.gaps + options_.moves; }
  // Every scene the pool has held since step 0: the stream's first first_scene(window) + clips seeds.
  std::vector<std::uint64_t> seeds_held() const;
  double refresh_seconds() const { return refresh_seconds_; }

 private:
  std::vector<std::uint64_t> window_seeds(std::int64_t r) const;  // slot order
  void refresh(const RenderProgressFn& progress);

  TrainingPoolOptions options_;
  SceneRotation rotation_;
  std::set<std::uint64_t> forbidden_;
  std::int64_t window_ = 0;
  TwinDataset data_;
  double refresh_seconds_ = 0;
};

}  // namespace tac::twin
