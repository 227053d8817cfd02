// Scorer: preprocessing shared by both networks, then the folded SegNet and PoseNet (§1–§4).
#include "tac/scorer/scorer.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>

#include "tac/core/error.hpp"
#include "tac/scorer/posenet.hpp"
#include "tac/scorer/preprocess.hpp"
#include "tac/scorer/seg_argmax.hpp"
#include "tac/scorer/segnet.hpp"
#include "tac/scorer/torch_device.hpp"

namespace tac::scorer {

namespace {
constexpr int kClasses = 5;
}  // namespace

struct Scorer::Impl {
  ScorerOptions options;
  c10::Device device;
  std::unique_ptr<nn::SegNetFolded> segnet;
  std::unique_ptr<nn::PoseNetFolded> posenet;
  int batch = 1;

  explicit Impl(const ScorerOptions& o) : options(o), device(to_torch_device(o.device)) {
    if (o.threads > 0) at::set_num_threads(o.threads);
    if (device.is_cpu()) nn::keep_freed_memory_mapped();
    c10::InferenceMode guard;
    segnet = std::make_unique<nn::SegNetFolded>(nn::load_segnet(o.segnet_weights), device);
    posenet = std::make_unique<nn::PoseNetFolded>(nn::load_posenet(o.posenet_weights), device);
    batch = std::max(1, o.batch);
  }
};

Scorer::Scorer(const ScorerOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Scorer::~Scorer() = default;
const ScorerOptions& Scorer::options() const { return impl_->options; }

void Scorer::run(std::span<const FramePairView> pairs, SampleOutputs& out) {
  c10::InferenceMode guard;
  const auto n = static_cast<std::int64_t>(pairs.size());
  for (const FramePairView& p : pairs) {
    if (p.first == nullptr || p.second == nullptr) fail(ErrorKind::internal, "scorer: a frame pair has a null frame");
  }
  for (std::int64_t begin = 0; begin < n; begin += impl_->batch) {
    const std::int64_t b = std::min<std::int64_t>(impl_->batch, n - begin);
    const auto cpu = at::TensorOptions().dtype(at::kFloat);
    at::Tensor seg_in = at::empty({b, 3, kNetHeight, kNetWidth}, cpu);
    at::Tensor pose_in = at::empty({b, 12, kPoseHeight, kPoseWidth}, cpu);
    at::Tensor scratch = at::empty({b, kSegInputFloats}, cpu);
    float* seg_ptr = seg_in.data_ptr<float>();
    float* pose_ptr = pose_in.data_ptr<float>();
    float* scratch_ptr = scratch.data_ptr<float>();
    at::parallel_for(0, b, 1, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) {
        const FramePairView& p = pairs[static_cast<std::size_t>(begin + i)];
        preprocess_pair(p.first, p.second, seg_ptr + i * kSegInputFloats, pose_ptr + i * kPoseInputFloats,
                        scratch_ptr + i * kSegInputFloats);
      }
    });
    const at::Tensor pose = impl_->posenet->forward(pose_in.to(impl_->device)).to(at::kCPU).contiguous();
    const float* pose_values = pose.data_ptr<float>();
    out.pose.insert(out.pose.end(), pose_values, pose_values + b * SampleOutputs::kPoseOutputs);

    // SegNet one frame at a time: its large activations are memory-bound and a batch only
    // spills the caches (measured in bench/scorer_bench); PoseNet runs on the whole batch.
    const std::size_t old = out.seg_argmax.size();
    out.seg_argmax.resize(old + static_cast<std::size_t>(b) * SampleOutputs::kSegPixels);
    for (std::int64_t i = 0; i < b; ++i) {
      const at::Tensor logits = impl_->segnet->forward(seg_in.narrow(0, i, 1).to(impl_->device))
                                    .to(at::kCPU)
                                    .contiguous(at::MemoryFormat::ChannelsLast);
      seg_argmax_nhwc(logits.data_ptr<float>(), SampleOutputs::kSegPixels, kClasses,
                      out.seg_argmax.data() + old + static_cast<std::size_t>(i) * SampleOutputs::kSegPixels);
    }
  }
}

float pose_distortion(const float* gt12, const float* reconstruction12) {
  // mean over the first 6 outputs of the squared difference (float32, like upstream's MSE).
  float sum = 0.0f;
  for (int j = 0; j < 6; ++j) {
    const float d = gt12[j] - reconstruction12[j];
    sum += d * d;
  }
  return sum / 6.0f;
}

float seg_distortion(const std::uint8_t* gt_map, const std::uint8_t* reconstruction_map) {
  std::int64_t differing = 0;
  for (int i = 0; i < SampleOutputs::kSegPixels; ++i) differing += gt_map[i] != reconstruction_map[i] ? 1 : 0;
  return static_cast<float>(differing) / static_cast<float>(SampleOutputs::kSegPixels);
}

}  // namespace tac::scorer
