#pragma once
// Where the score is sensitive (issue #13, `tac sensitivity`): for one reconstructed pair and its
// ground truth, |d objective / d pixel| per pixel (summed over R, G, B) for both frames, where the
// objective is the score's distortion part with the SegNet surrogate in place of the argmax
// (score_terms.hpp), summarized by screen region and by the ground truth's SegNet class.
#include <ATen/core/Tensor.h>

#include <array>
#include <vector>

#include "tac/train/score_terms.hpp"

namespace tac::train {

inline constexpr int kRegionRows = 3, kRegionCols = 3;  // the frame cut in a 3 x 3 grid

struct PixelSensitivity {
  at::Tensor gradient;  // (2, H, W, 3) d objective / d pixel value
  at::Tensor map;       // (2, H, W) sum over channels of |gradient|
  double objective = 0;         // 100 * surrogate + sqrt(10 * pose)
  double pose_distortion = 0;
  double seg_surrogate = 0;
  double seg_distortion = 0;    // true (argmax pixels differing)
  double total = 0;             // sum of the map (both frames)
  std::array<double, 2> frame_totals{};
  // Map sums per region (row-major 3 x 3, both frames) and, for the second frame (the one SegNet
  // sees), per ground-truth SegNet class at that pixel (the 384x512 argmax, nearest-mapped).
  std::array<double, kRegionRows * kRegionCols> region_totals{};
  std::array<double, 5> class_totals{};
};

// gt_pair and recon_pair: (1, 2, H, W, 3) float 0..255.
PixelSensitivity pixel_sensitivity(const DifferentiableScorer& scorer, const at::Tensor& gt_pair, const at::Tensor& recon_pair,
                                   const SurrogateOptions& options);

}  // namespace tac::train
