#include "tac/twin/training_pool.hpp"

#include <ATen/ATen.h>

#include <chrono>

#include "tac/core/error.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/twin/seed_streams.hpp"

namespace tac::twin {
namespace {

// The training stream's first `end` seeds, at most kMaxTrainingScenes.
std::vector<std::uint64_t> stream_until(std::uint64_t seed, std::int64_t end) {
  if (end > kMaxTrainingScenes)
    fail(ErrorKind::limit_exceeded, "twin training: the rotating pool would reach scene {} of the training stream (limit {}); refresh fewer scenes or less often",
         end, kMaxTrainingScenes);
  return training_seeds(seed, static_cast<int>(end));
}

}  // namespace

TrainingPool::TrainingPool(const TrainingPoolOptions& options, std::int64_t step, std::set<std::uint64_t> forbidden,
                           const RenderProgressFn& progress)
    : options_(options),
      rotation_(options.clips, options.refresh_scenes, options.refresh_every),
      forbidden_(std::move(forbidden)),
      window_(rotation_.refreshes_by(step)) {
  const std::vector<std::uint64_t> seeds = window_seeds(window_);
  for (const std::uint64_t seed : seeds)  // the promise is "never trained on"
    if (forbidden_.count(seed)) fail(ErrorKind::internal, "training seed {} is also a held-out seed", seed);
  data_ = render_dataset(seeds, options_.pairs_per_clip, options_.gaps, options_.moves, /*half=*/true, options_.threads, progress);
}

at::Tensor TrainingPool::first_window_motion(const TrainingPoolOptions& options) {
  return dataset_motion(training_seeds(options.seed, options.clips), options.pairs_per_clip, options.gaps, options.moves);
}

std::vector<std::uint64_t> TrainingPool::window_seeds(std::int64_t r) const {
  const std::vector<std::uint64_t> stream = stream_until(options_.seed, rotation_.first_scene(r) + options_.clips);
  std::vector<std::uint64_t> out;
  for (int slot = 0; slot < options_.clips; ++slot) out.push_back(stream[static_cast<std::size_t>(rotation_.scene_in_slot(slot, r))]);
  return out;
}

std::vector<std::uint64_t> TrainingPool::seeds_held() const {
  return stream_until(options_.seed, rotation_.first_scene(window_) + options_.clips);
}

void TrainingPool::advance_to(std::int64_t step, const RenderProgressFn& progress) {
  while (window_ < rotation_.refreshes_by(step)) refresh(progress);
}

void TrainingPool::refresh(const RenderProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  ++window_;
  const std::int64_t end = rotation_.first_scene(window_) + options_.clips;
  const std::vector<std::uint64_t> stream = stream_until(options_.seed, end);
  const std::vector<std::uint64_t> fresh(stream.end() - options_.refresh_scenes, stream.end());
  for (const std::uint64_t seed : fresh)
    if (forbidden_.count(seed)) fail(ErrorKind::internal, "training seed {} is also a held-out seed", seed);
  const TwinDataset scenes = render_dataset(fresh, options_.pairs_per_clip, options_.gaps, options_.moves, /*half=*/true, options_.threads, progress);
  const std::int64_t rows = static_cast<std::int64_t>(options_.pairs_per_clip) * group();
  for (int k = 0; k < options_.refresh_scenes; ++k) {  // each into the slot of the scene it replaces
    const std::int64_t from = k * rows;
    replace_scenes(data_, rotation_.slot_of(end - options_.refresh_scenes + k) * rows,
                   {scenes.seg.narrow(0, from, rows), scenes.pose.narrow(0, from, rows), scenes.labels.narrow(0, from, rows),
                    scenes.motion.narrow(0, from, rows)});
  }
  refresh_seconds_ += seconds_since(start);
}

}  // namespace tac::twin
