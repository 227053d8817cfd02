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

// The networks' tensors (and the flow head's, when both have one) from a checkpoint.
void restore_networks(torch::serialize::InputArchive& archive, const std::filesystem::path& path, TrainingNetworks& nets, bool flow_required) {
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
  if (nets.flow) restore("posenet_flow.", nets.flow->tensors(), flow_required);
}

// The options that make the training pool, as a fingerprint spells them.
std::string pool_options(const std::string& print) {
  std::string out;
  for (const char* name : {"seed=", "clips=", "pairs=", "max_gap=", "moves="}) {
    const std::size_t at = print.find(std::string(" ") + name);
    out += at == std::string::npos ? std::string(" ") + name + "?" : print.substr(at, print.find(' ', at + 1) - at);
  }
  return out;
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
  for (const auto& [key, t] : nets.seg.tensors) archive.write("segnet." + key, t.detach());
  for (const auto& [key, t] : nets.pose.tensors) archive.write("posenet." + key, t.detach());
  if (nets.flow)
    for (const auto& [key, t] : nets.flow->tensors()) archive.write("posenet_flow." + key, t.detach());
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
  restore_networks(archive, path, nets, /*flow_required=*/true);
  torch::serialize::InputArchive seg_state, pose_state;
  archive.read("segnet_optimizer", seg_state);
  archive.read("posenet_optimizer", pose_state);
  seg_opt.load(seg_state);
  pose_opt.load(pose_state);
  return step.toInt();
}

void init_from_checkpoint(const std::filesystem::path& path, const std::string& print, TrainingNetworks& nets) {
  std::string stored;
  torch::serialize::InputArchive archive = read_checkpoint(path, "--init-from", stored);
  if (pool_options(stored) != pool_options(print))
    fail(ErrorKind::usage, "{}: trained on another pool ({}; this run:{}); PoseNet's head works in its pool's units", path.string(),
         pool_options(stored).substr(1), pool_options(print));
  restore_networks(archive, path, nets, /*flow_required=*/false);
}

}  // namespace tac::twin
