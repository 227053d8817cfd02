#include "tac/twin/twin_checkpoint.hpp"

#include <ATen/ATen.h>
#include <torch/serialize.h>

#include "tac/core/error.hpp"

namespace tac::twin {
namespace {

namespace nn = scorer::nn;

torch::serialize::InputArchive read_checkpoint(const std::filesystem::path& path, const char* what, std::string& print) {
  if (!std::filesystem::exists(path)) fail(ErrorKind::usage, "{}: no checkpoint at {}", what, path.string());
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string());
  } catch (const std::exception& e) {
    fail(ErrorKind::corrupt_input, "{}: not a readable twin training checkpoint ({})", path.string(), e.what());
  }
  c10::IValue stored;
  if (!archive.try_read("fingerprint", stored) || !stored.isString())
    fail(ErrorKind::corrupt_input, "{}: not a twin training checkpoint (no fingerprint)", path.string());
  print = stored.toStringRef();
  return archive;
}

// The networks' tensors and the flow head's (required when resuming; when starting another stage,
// taken if both have one), and when resuming the weight averages, from a checkpoint.
void restore_networks(torch::serialize::InputArchive& archive, const std::filesystem::path& path, TrainingNetworks& nets, bool resuming) {
  at::NoGradGuard no_grad;
  auto restore = [&](const std::string& prefix, nn::KeyedTensors& tensors, bool required) {
    at::Tensor probe;
    if (!required && !tensors.empty() && !archive.try_read(prefix + tensors.begin()->first, probe)) return;  // none of this part
    for (auto& [key, t] : tensors) {
      at::Tensor value;
      if (!archive.try_read(prefix + key, value)) fail(ErrorKind::corrupt_input, "{}: '{}{}' is missing", path.string(), prefix, key);
      if (!value.sizes().equals(t.sizes())) fail(ErrorKind::corrupt_input, "{}: '{}{}' has the wrong shape", path.string(), prefix, key);
      t.copy_(value);
    }
  };
  restore("segnet.", nets.seg.tensors, true);
  restore("posenet.", nets.pose.tensors, true);
  if (nets.flow) restore("posenet_flow.", nets.flow->tensors(), resuming);
  // Averages only when resuming: another stage starts its own.
  if (resuming && nets.seg_average) restore("average.segnet.", nets.seg_average->tensors(), true);
  if (resuming && nets.pose_average) restore("average.posenet.", nets.pose_average->tensors(), true);
}

// The units a checkpoint's PoseNet head trained in (both undefined if it does not record them).
void read_units(torch::serialize::InputArchive& archive, const std::filesystem::path& path, at::Tensor& mean, at::Tensor& scale) {
  const bool has_mean = archive.try_read("pose_units.mean", mean), has_scale = archive.try_read("pose_units.scale", scale);
  if (has_mean != has_scale || (has_mean && (mean.numel() != 6 || scale.numel() != 6 || !mean.isfinite().all().item<bool>() ||
                                   !(scale.gt(0) & scale.isfinite()).all().item<bool>())))
    fail(ErrorKind::corrupt_input, "{}: PoseNet's units ('pose_units.mean', 'pose_units.scale') are incomplete or invalid", path.string());
  if (has_mean) {
    mean = mean.to(at::kFloat).reshape({6});
    scale = scale.to(at::kFloat).reshape({6});
  }
}

}  // namespace

TrainingNetworks load_training_init(std::uint64_t seed) {
  return {scorer::load_segnet_twin(scorer::make_twin(scorer::Network::SegNet, seed)),
          scorer::load_posenet_twin(scorer::make_twin(scorer::Network::PoseNet, seed))};
}

void save_checkpoint(const std::filesystem::path& path, const std::string& print, std::int64_t step, TrainingNetworks& nets,
                     torch::optim::AdamW& seg_opt, torch::optim::AdamW& pose_opt) {
  torch::serialize::OutputArchive archive;
  archive.write("fingerprint", c10::IValue(print));
  archive.write("step", c10::IValue(step));
  if (!nets.units.mean.defined() || !nets.units.scale.defined()) fail(ErrorKind::internal, "checkpoint: PoseNet's units are not set");
  archive.write("pose_units.mean", nets.units.mean.detach());
  archive.write("pose_units.scale", nets.units.scale.detach());
  for (const auto& [key, t] : nets.seg.tensors) archive.write("segnet." + key, t.detach());
  for (const auto& [key, t] : nets.pose.tensors) archive.write("posenet." + key, t.detach());
  if (nets.flow)
    for (const auto& [key, t] : nets.flow->tensors()) archive.write("posenet_flow." + key, t.detach());
  if (nets.seg_average)
    for (const auto& [key, t] : nets.seg_average->tensors()) archive.write("average.segnet." + key, t);
  if (nets.pose_average)
    for (const auto& [key, t] : nets.pose_average->tensors()) archive.write("average.posenet." + key, t);
  torch::serialize::OutputArchive seg_state, pose_state;
  seg_opt.save(seg_state);
  pose_opt.save(pose_state);
  archive.write("segnet_optimizer", seg_state);
  archive.write("posenet_optimizer", pose_state);
  const auto temp = std::filesystem::path(path.string() + ".partial");
  archive.save_to(temp.string());
  std::filesystem::rename(temp, path);  // a reader never sees half a checkpoint
}

std::int64_t load_checkpoint(const std::filesystem::path& path, const std::string& print, TrainingNetworks& nets, torch::optim::AdamW& seg_opt,
                             torch::optim::AdamW& pose_opt) {
  std::string stored;
  torch::serialize::InputArchive archive = read_checkpoint(path, "--resume", stored);
  if (stored != print) fail(ErrorKind::usage, "{}: made with other options ({}); this run is ({})", path.string(), stored, print);
  c10::IValue step;
  archive.read("step", step);
  restore_networks(archive, path, nets, /*resuming=*/true);
  at::Tensor mean, scale;
  read_units(archive, path, mean, scale);
  if (mean.defined() && nets.units.mean.defined() && !(mean.allclose(nets.units.mean) && scale.allclose(nets.units.scale)))
    fail(ErrorKind::usage, "{}: its PoseNet units are not this run's pool's (same options, other data?)", path.string());
  torch::serialize::InputArchive seg_state, pose_state;
  archive.read("segnet_optimizer", seg_state);
  archive.read("posenet_optimizer", pose_state);
  seg_opt.load(seg_state);
  pose_opt.load(pose_state);
  return step.toInt();
}

void init_from_checkpoint(const std::filesystem::path& path, TrainingNetworks& nets) {
  std::string stored;
  torch::serialize::InputArchive archive = read_checkpoint(path, "--init-from", stored);
  at::Tensor from_mean, from_scale;
  read_units(archive, path, from_mean, from_scale);
  if (!from_mean.defined())
    fail(ErrorKind::usage, "{}: the checkpoint does not record the units PoseNet's head trained in (made by an older tac); it cannot start another stage",
         path.string());
  if (!nets.units.mean.defined() || !nets.units.scale.defined()) fail(ErrorKind::internal, "--init-from: this run's PoseNet units are not set");
  restore_networks(archive, path, nets, /*resuming=*/false);
  // The same motion out: s_from * (W x + b) + m_from = s * (W' x + b') + m, so
  // W' = W * s_from / s and b' = (b * s_from + m_from - m) / s, row by row.
  at::NoGradGuard no_grad;
  const at::Tensor ratio = from_scale / nets.units.scale;
  at::Tensor weight = nets.pose.tensors.at("hydra.final_layer.pose.weight").narrow(0, 0, 6);
  at::Tensor bias = nets.pose.tensors.at("hydra.final_layer.pose.bias").narrow(0, 0, 6);
  weight.mul_(ratio.unsqueeze(1));
  bias.copy_((bias * from_scale + from_mean - nets.units.mean) / nets.units.scale);
}

}  // namespace tac::twin
