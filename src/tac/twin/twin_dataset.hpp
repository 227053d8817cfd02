#pragma once
// Internal to tac_twin (torch): a set of rendered twin samples held as tensors.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "tac/twin/pose_batch_from.hpp"

namespace tac::twin {

struct TwinDataset {
  at::Tensor seg;     // (N, 3, 384, 512) SegNet inputs (float32, or float16 for a training pool)
  at::Tensor pose;    // (N, 12, 192, 256) PoseNet inputs
  at::Tensor labels;  // (N, 384, 512) uint8 classes of the second frame
  at::Tensor motion;  // (N, 6) float32 true motion
  std::int64_t size() const { return motion.defined() ? motion.size(0) : 0; }
};

// Renders `pairs_per_clip` pairs from each scene seed (1200 frames at 20 fps, vehicles on): pair
// j of P lies in the j-th of P equal stretches of the clip, at an offset drawn from the scene seed.
// With `gaps` > 1 each pair's first frame (2k) is also paired with the frames after its second:
// `gaps` samples per pair, gaps 1..gaps, stored consecutively (sample (c * P + j) * gaps + g - 1);
// 1 gives the contest's pairs (frames 2k, 2k + 1) only. With `moves` > 0 the first frame is also
// paired with `moves` views from its pose moved by random car motions (render_twin_moves; arcs of
// 0..kMaxMoveSpeed * dt metres turning up to kMaxMoveYawRate * dt either way, drawn from the scene
// seed), stored after the gaps: groups of gaps + moves samples.
// `half` stores the inputs as float16 (a training pool; half the memory). `threads` render workers.
inline constexpr double kMaxMoveSpeed = 32.0;    // m/s: above the scenes' fastest cruise (24 m/s + 20 %)
// rad/s: the scenes' sharpest curve. Session 9 drew up to 0.6: a sharper turn than any held-out
// pair shifts the whole picture and swamps the forward motion in the frames' difference.
inline constexpr double kMaxMoveYawRate = 0.35;
TwinDataset render_dataset(const std::vector<std::uint64_t>& scene_seeds, int pairs_per_clip, int gaps, int moves, bool half, int threads,
                           const std::function<void(std::int64_t done, std::int64_t total)>& progress = {});
// The true motion of every sample render_dataset would make from these arguments, (N, 6) float32
// in the same order, without rendering a frame (the poses alone): a pool's motion statistics
// before, or without, rendering it.
at::Tensor dataset_motion(const std::vector<std::uint64_t>& scene_seeds, int pairs_per_clip, int gaps, int moves);

// Overwrites `pool`'s rows first_row.. with `scenes`' (same sample layout; converted to the pool's
// types): new scenes in a rotating pool's slots.
void replace_scenes(TwinDataset& pool, std::int64_t first_row, const TwinDataset& scenes);


// Up to `count` rows spread evenly over a pool of `size` rows, taking only every `stride`-th row
// (stride = a group's size: each group's consecutive pair). Calibration and the training-pairs
// measurement draw their rows so, many scenes rather than the first few.
std::vector<std::int64_t> spread_rows(std::int64_t size, std::int64_t count, std::int64_t stride = 1);

// The rows of one PoseNet batch of `batch` rows from a pool of `size` rows; `next` gives the random
// draws (each a uniform 64-bit value).
std::vector<std::int64_t> pose_batch_rows(std::int64_t size, int group, int batch, PoseBatchFrom from,
                                          const std::function<std::uint64_t()>& next);

}  // namespace tac::twin
