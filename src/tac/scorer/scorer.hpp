#pragma once
// The contest scorer (SegNet + PoseNet, scorer_architecture.md §1–§4) behind a torch-free
// interface: callers pass uint8 RGB frame pairs and get the networks' outputs per sample.
// The implementation (scorer.cpp and the network files) is the only place that includes torch.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tac/scorer/device.hpp"

namespace tac::scorer {

struct ScorerOptions {
  std::filesystem::path segnet_weights;   // segnet.safetensors (real or twin)
  std::filesystem::path posenet_weights;  // posenet.safetensors (real or twin)
  Device device = Device::Cpu;
  int threads = 0;  // 0: leave libtorch's default
  int batch = 8;    // samples preprocessed together and per PoseNet forward (results do not depend on it)
};

// One evaluation sample: frames (2k, 2k+1), each uint8 RGB 874x1164x3, row-major.
struct FramePairView {
  const std::uint8_t* first = nullptr;   // t = 0
  const std::uint8_t* second = nullptr;  // t = 1
};

// Network outputs for a run of samples, appended in order.
struct SampleOutputs {
  static constexpr int kPoseOutputs = 12;
  static constexpr int kSegPixels = 384 * 512;
  std::vector<float> pose;               // samples x 12: PoseNet head output
  std::vector<std::uint8_t> seg_argmax;  // samples x 384 x 512: SegNet argmax class (first max)
  std::int64_t samples() const { return static_cast<std::int64_t>(pose.size() / kPoseOutputs); }
};

class Scorer {
 public:
  explicit Scorer(const ScorerOptions& options);
  ~Scorer();
  Scorer(const Scorer&) = delete;
  Scorer& operator=(const Scorer&) = delete;

  // Runs both networks on the pairs (GT or reconstruction) and appends their outputs.
  void run(std::span<const FramePairView> pairs, SampleOutputs& out);

  const ScorerOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Per-sample distortions (spec §4).
float pose_distortion(const float* gt12, const float* reconstruction12);           // MSE of the first 6
float seg_distortion(const std::uint8_t* gt_map, const std::uint8_t* reconstruction_map);  // fraction differing

}  // namespace tac::scorer
