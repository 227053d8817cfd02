#include "tac/twin/posenet_flow_head.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>

#include "tac/core/error.hpp"
#include "tac/twin/ground_flow.hpp"

namespace tac::twin {

at::Tensor ground_flow_targets(const at::Tensor& motion, int rows, int cols) {
  const at::Tensor m = motion.to(at::kDouble).contiguous();
  const std::int64_t b = m.size(0);
  at::Tensor out = at::empty({b, 2, rows, cols}, at::kFloat);
  const double* src = m.data_ptr<double>();
  float* dst = out.data_ptr<float>();
  const synth::Camera camera;  // every twin scene is shot by the default camera (render_dataset)
  for (std::int64_t i = 0; i < b; ++i) {
    std::array<double, 6> one{};
    std::copy_n(src + i * 6, 6, one.begin());
    const std::vector<float> flow = ground_flow(camera, one, rows, cols);
    std::copy(flow.begin(), flow.end(), dst + i * 2 * rows * cols);
  }
  return out;
}

PoseFlowHead::PoseFlowHead(std::uint64_t seed) {
  levels_ = {{1, 128, kPoseInputRows / 8, kPoseInputCols / 8}, {2, 256, kPoseInputRows / 16, kPoseInputCols / 16}};
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed ^ 0xF10Dull);
  for (const Level& l : levels_) {
    const std::string key = fmt::format("flow.{}", l.stage);
    tensors_[key + ".weight"] = at::randn({2, l.channels, 1, 1}, generator, at::TensorOptions().dtype(at::kFloat)) / std::sqrt(static_cast<double>(l.channels));
    tensors_[key + ".bias"] = at::zeros({2}, at::kFloat);
  }
}

void PoseFlowHead::set_scale(const at::Tensor& motions) {
  for (Level& l : levels_) {
    const double rms = ground_flow_targets(motions, l.rows, l.cols).pow(2).mean().sqrt().item<double>();
    l.scale = rms > 1e-6 ? rms : 1.0;  // a pool without motion: plain pixels
  }
}

at::Tensor PoseFlowHead::loss(const std::vector<at::Tensor>& stage_outputs, const at::Tensor& motion) const {
  at::Tensor total;
  for (const Level& l : levels_) {
    if (static_cast<int>(stage_outputs.size()) <= l.stage) fail(ErrorKind::internal, "flow head: no stage {} output", l.stage);
    const at::Tensor& x = stage_outputs[static_cast<std::size_t>(l.stage)];
    if (x.size(1) != l.channels || x.size(2) != l.rows || x.size(3) != l.cols)
      fail(ErrorKind::internal, "flow head: stage {} output is {}x{}x{}, expected {}x{}x{}", l.stage, x.size(1), x.size(2), x.size(3), l.channels, l.rows, l.cols);
    const std::string key = fmt::format("flow.{}", l.stage);
    const at::Tensor predicted = at::conv2d(x, tensors_.at(key + ".weight"), tensors_.at(key + ".bias"));
    const at::Tensor target = ground_flow_targets(motion, l.rows, l.cols);
    const at::Tensor term = at::smooth_l1_loss(predicted.contiguous() / l.scale, target / l.scale, at::Reduction::Mean, 1.0);
    total = total.defined() ? total + term : term;
  }
  return total / static_cast<double>(levels_.size());
}

}  // namespace tac::twin
