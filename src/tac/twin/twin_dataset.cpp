#include "tac/twin/twin_dataset.hpp"

#include <ATen/ATen.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "tac/core/error.hpp"
#include "tac/scorer/preprocess.hpp"
#include "tac/twin/twin_samples.hpp"

namespace tac::twin {
namespace {

std::uint64_t mix64(std::uint64_t x) {  // SplitMix64's finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void store(const std::vector<float>& values, at::Tensor& dst, std::int64_t row) {
  const std::size_t n = values.size();
  if (dst.scalar_type() == at::kHalf) {
    c10::Half* out = dst.data_ptr<c10::Half>() + row * static_cast<std::int64_t>(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = c10::Half(values[i]);
  } else {
    std::memcpy(dst.data_ptr<float>() + row * static_cast<std::int64_t>(n), values.data(), n * sizeof(float));
  }
}

}  // namespace

namespace {

void check_dataset_args(const std::vector<std::uint64_t>& scene_seeds, int pairs_per_clip, int gaps, int moves) {
  if (scene_seeds.empty() || pairs_per_clip < 1) fail(ErrorKind::usage, "twin data: need at least one scene and one pair per scene");
  if (gaps < 1 || gaps > 8) fail(ErrorKind::usage, "twin data: the frame gaps must be 1..8, got {}", gaps);
  if (moves < 0 || moves > 8) fail(ErrorKind::usage, "twin data: the random camera moves must be 0..8, got {}", moves);
  const int pairs_in_clip = synth::SceneOptions{}.frames / 2;
  if (pairs_per_clip > pairs_in_clip) fail(ErrorKind::usage, "twin data: {} pairs per scene, a scene has {}", pairs_per_clip, pairs_in_clip);
}

synth::Scene make_scene(std::uint64_t seed) {
  synth::SceneOptions o;
  o.seed = seed;
  return synth::Scene(o);
}

// One group of samples: the first frame and the poses its second views are seen from.
struct GroupPlan {
  int first = 0;
  std::vector<synth::EgoPose> views;
};

// Group j of `pairs_per_clip` from the scene of `scene_seed`: pair j lies in the j-th of
// pairs_per_clip equal stretches of the clip, at an offset drawn from the scene seed; its second
// views are the scene's next `gaps` frames, then `moves` moved poses (each first frame rendered
// once for all of them).
GroupPlan plan_group(const synth::Scene& scene, std::uint64_t scene_seed, int j, int pairs_per_clip, int gaps, int moves) {
  const synth::SceneOptions& base = scene.options();
  const int stretch = base.frames / 2 / pairs_per_clip;
  const int pair = j * stretch + static_cast<int>(mix64(scene_seed ^ (0x7a11ULL + static_cast<std::uint64_t>(j))) % static_cast<std::uint64_t>(stretch));
  GroupPlan plan;
  plan.first = std::min(2 * pair, base.frames - 1 - gaps);
  if (plan.first + gaps >= base.frames) fail(ErrorKind::internal, "twin dataset: pair {} has no {} frames after it", pair, gaps);
  const auto& poses = scene.poses();
  plan.views.assign(poses.begin() + plan.first + 1, poses.begin() + plan.first + gaps + 1);
  if (moves > 0) {
    const double dt = 1.0 / base.fps;
    std::vector<CameraMove> drawn;
    std::uint64_t state = mix64(scene_seed ^ (0x30e5ULL + static_cast<std::uint64_t>(j) * 0x100000001b3ULL));
    auto uniform = [&state] {  // [0, 1)
      state = mix64(state);
      return static_cast<double>(state >> 11) * 0x1.0p-53;
    };
    for (int m = 0; m < moves; ++m) {
      const double arc = uniform() * kMaxMoveSpeed * dt;
      drawn.push_back({arc, (2.0 * uniform() - 1.0) * kMaxMoveYawRate * dt});
    }
    for (const synth::EgoPose& v : moved_views(scene, plan.first, drawn)) plan.views.push_back(v);
  }
  return plan;
}

}  // namespace

TwinDataset render_dataset(const std::vector<std::uint64_t>& scene_seeds, int pairs_per_clip, int gaps, int moves, bool half, int threads,
                           const std::function<void(std::int64_t, std::int64_t)>& progress) {
  check_dataset_args(scene_seeds, pairs_per_clip, gaps, moves);
  const std::int64_t anchors = static_cast<std::int64_t>(scene_seeds.size()) * pairs_per_clip;
  const int group = gaps + moves;
  const std::int64_t n = anchors * group;
  const auto type = half ? at::kHalf : at::kFloat;
  TwinDataset d;
  d.seg = at::empty({n, 3, scorer::kNetHeight, scorer::kNetWidth}, at::TensorOptions().dtype(type));
  d.pose = at::empty({n, 12, scorer::kPoseHeight, scorer::kPoseWidth}, at::TensorOptions().dtype(type));
  d.labels = at::empty({n, scorer::kNetHeight, scorer::kNetWidth}, at::TensorOptions().dtype(at::kByte));
  d.motion = at::empty({n, 6}, at::TensorOptions().dtype(at::kFloat));

  std::vector<synth::Scene> scenes;
  scenes.reserve(scene_seeds.size());
  for (const std::uint64_t seed : scene_seeds) scenes.push_back(make_scene(seed));
  std::atomic<std::int64_t> next{0}, done{0};
  std::mutex report;
  std::exception_ptr error;
  auto work = [&] {
    try {
      for (std::int64_t a = next++; a < anchors; a = next++) {
        const std::size_t clip = static_cast<std::size_t>(a / pairs_per_clip);
        const GroupPlan plan = plan_group(scenes[clip], scene_seeds[clip], static_cast<int>(a % pairs_per_clip), pairs_per_clip, gaps, moves);
        const std::vector<TwinSample> samples = render_twin_views(scenes[clip], plan.first, plan.views);
        for (int g = 0; g < group; ++g) {
          const TwinSample& s = samples[static_cast<std::size_t>(g)];
          const std::int64_t i = a * group + g;
          store(s.seg_input, d.seg, i);
          store(s.pose_input, d.pose, i);
          std::memcpy(d.labels.data_ptr<std::uint8_t>() + i * static_cast<std::int64_t>(s.labels.size()), s.labels.data(), s.labels.size());
          float* m = d.motion.data_ptr<float>() + i * 6;
          for (int c = 0; c < 6; ++c) m[c] = static_cast<float>(s.motion[static_cast<std::size_t>(c)]);
        }
        const std::int64_t finished = ++done;
        if (progress) {
          const std::lock_guard lock(report);
          progress(finished, anchors);
        }
      }
    } catch (...) {
      const std::lock_guard lock(report);
      if (!error) error = std::current_exception();
      next = anchors;
    }
  };
  const int workers = std::max(1, std::min<int>(threads, static_cast<int>(anchors)));
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return d;
}

at::Tensor dataset_motion(const std::vector<std::uint64_t>& scene_seeds, int pairs_per_clip, int gaps, int moves) {
  check_dataset_args(scene_seeds, pairs_per_clip, gaps, moves);
  const int group = gaps + moves;
  at::Tensor motion = at::empty({static_cast<std::int64_t>(scene_seeds.size()) * pairs_per_clip * group, 6}, at::TensorOptions().dtype(at::kFloat));
  float* out = motion.data_ptr<float>();
  for (const std::uint64_t seed : scene_seeds) {
    const synth::Scene scene = make_scene(seed);
    for (int j = 0; j < pairs_per_clip; ++j) {
      const GroupPlan plan = plan_group(scene, seed, j, pairs_per_clip, gaps, moves);
      const synth::EgoPose& a = scene.poses()[static_cast<std::size_t>(plan.first)];
      for (const synth::EgoPose& b : plan.views) {  // as render_twin_views measures it
        const std::array<double, 6> m = synth::relative_motion(a, b);
        for (const double v : m) *out++ = static_cast<float>(v);
      }
    }
  }
  return motion;
}

void replace_scenes(TwinDataset& pool, std::int64_t first_row, const TwinDataset& scenes) {
  const std::int64_t n = scenes.size();
  if (first_row < 0 || first_row + n > pool.size()) fail(ErrorKind::internal, "twin pool: rows {}..{} of {}", first_row, first_row + n, pool.size());
  at::NoGradGuard no_grad;
  pool.seg.narrow(0, first_row, n).copy_(scenes.seg);
  pool.pose.narrow(0, first_row, n).copy_(scenes.pose);
  pool.labels.narrow(0, first_row, n).copy_(scenes.labels);
  pool.motion.narrow(0, first_row, n).copy_(scenes.motion);
}

std::vector<std::int64_t> spread_rows(std::int64_t size, std::int64_t count, std::int64_t stride) {
  if (stride < 1 || size < stride || count < 1) fail(ErrorKind::internal, "spread rows: {} of {} rows by {}", count, size, stride);
  const std::int64_t anchors = size / stride;
  const std::int64_t k = std::min(count, anchors);
  std::vector<std::int64_t> rows;
  for (std::int64_t i = 0; i < k; ++i) rows.push_back(i * anchors / k * stride);
  return rows;
}

std::vector<std::int64_t> pose_batch_rows(std::int64_t size, int group, int batch, PoseBatchFrom from,
                                          const std::function<std::uint64_t()>& next) {
  if (group < 1 || size < group || size % group != 0 || batch < 1)
    fail(ErrorKind::internal, "pose batch: a pool of {} rows is not groups of {} (batch {})", size, group, batch);
  const auto draw = [&](std::int64_t count) { return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(count)); };
  std::vector<std::int64_t> rows;
  while (static_cast<int>(rows.size()) < batch) {
    switch (from) {
      case PoseBatchFrom::consecutive:
        rows.push_back(draw(size / group) * group);
        break;
      case PoseBatchFrom::samples:
        rows.push_back(draw(size));
        break;
      case PoseBatchFrom::groups: {
        const std::int64_t a = draw(size / group);
        for (int g = 0; g < group && static_cast<int>(rows.size()) < batch; ++g) rows.push_back(a * group + g);
        break;
      }
    }
  }
  return rows;
}

}  // namespace tac::twin
