// The twin trainer's checkpoint as a curriculum stage's start: PoseNet's head is carried from the
// units the checkpoint trained in into the next stage's pool units, so the same metres and radians
// come out; a checkpoint without recorded units, or with broken ones, is refused naming the file.
#include "tac/twin/twin_checkpoint.hpp"

#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/serialize.h>

#include <cmath>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"

namespace {

using tac::twin::TrainingNetworks;

at::Tensor units(std::initializer_list<float> values) { return at::tensor(std::vector<float>(values), at::TensorOptions().dtype(at::kFloat)); }

// PoseNet's six motion outputs in metres and radians, for the units `nets` trains in.
at::Tensor motion_out(const TrainingNetworks& nets, const at::Tensor& x) {
  at::NoGradGuard no_grad;
  return tac::scorer::nn::posenet_forward_train(nets.pose.params, x).narrow(1, 0, 6) * nets.units.scale + nets.units.mean;
}

void save(const std::filesystem::path& path, TrainingNetworks& nets) {
  torch::optim::AdamW seg_opt(std::vector<at::Tensor>{nets.seg.tensors.begin()->second}, torch::optim::AdamWOptions(1e-3));
  torch::optim::AdamW pose_opt(std::vector<at::Tensor>{nets.pose.tensors.begin()->second}, torch::optim::AdamWOptions(1e-3));
  tac::twin::save_checkpoint(path, "test", 7, nets, seg_opt, pose_opt);
}

void expect_refused(const std::filesystem::path& path, TrainingNetworks& nets) {
  try {
    tac::twin::init_from_checkpoint(path, nets);
    ADD_FAILURE() << "accepted " << path;
  } catch (const tac::Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.filename().string()), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(TwinCheckpoint, AStageStartGivesTheSameMotionInItsOwnUnits) {
  tac::test::TempDir dir("twin-checkpoint-units");
  TrainingNetworks from = tac::twin::load_training_init(704);
  {  // a head that is not at zero, trained in one pool's units
    at::NoGradGuard no_grad;
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(11);
    from.pose.tensors.at("hydra.final_layer.pose.weight").normal_(0.0, 0.05, g);
    from.pose.tensors.at("hydra.final_layer.pose.bias").normal_(0.0, 0.5, g);
  }
  from.units.mean = units({0.9f, 0.01f, 0.0f, 0.0f, 0.0f, -0.002f});
  from.units.scale = units({0.4f, 0.03f, 0.001f, 0.001f, 0.001f, 0.004f});
  const auto path = dir.path / "stage1.pt";
  save(path, from);

  TrainingNetworks to = tac::twin::load_training_init(999);  // other weights, overwritten
  to.units.mean = units({0.6f, -0.02f, 0.0f, 0.0f, 0.0f, 0.001f});
  to.units.scale = units({0.2f, 0.05f, 0.002f, 0.001f, 0.0005f, 0.003f});
  tac::twin::init_from_checkpoint(path, to);
  const at::Tensor x = at::randn({2, 12, 192, 256}, at::make_generator<at::CPUGeneratorImpl>(5));
  const at::Tensor expected = motion_out(from, x), got = motion_out(to, x);
  EXPECT_TRUE(at::allclose(got, expected, 1e-4, 1e-6)) << (got - expected).abs().max().item<double>();
  // Not the identity: the standardized outputs differ where the units do.
  at::NoGradGuard no_grad;
  EXPECT_FALSE(at::allclose(tac::scorer::nn::posenet_forward_train(to.pose.params, x).narrow(1, 0, 6),
                            tac::scorer::nn::posenet_forward_train(from.pose.params, x).narrow(1, 0, 6)));
  // Everything else is the checkpoint's.
  for (const auto& [key, t] : from.pose.tensors) {
    if (key.starts_with("hydra.final_layer.pose.")) continue;
    EXPECT_TRUE(at::equal(to.pose.tensors.at(key), t)) << key;
  }
  for (const auto& [key, t] : from.seg.tensors) EXPECT_TRUE(at::equal(to.seg.tensors.at(key), t)) << key;
}

TEST(TwinCheckpoint, AStageStartNeedsRecordedUnits) {
  tac::test::TempDir dir("twin-checkpoint-refused");
  TrainingNetworks nets = tac::twin::load_training_init(704);
  nets.units.mean = units({0, 0, 0, 0, 0, 0});
  nets.units.scale = units({1, 1, 1, 1, 1, 1});
  auto write = [&](const std::string& name, bool with_units, float scale) {
    torch::serialize::OutputArchive archive;
    archive.write("fingerprint", c10::IValue(std::string("test")));
    if (with_units) {
      archive.write("pose_units.mean", at::zeros({6}));
      archive.write("pose_units.scale", at::full({6}, scale));
    }
    const auto path = dir.path / name;
    archive.save_to(path.string());
    return path;
  };
  expect_refused(write("older.pt", false, 1.0f), nets);     // made before units were recorded
  expect_refused(write("zero-scale.pt", true, 0.0f), nets);  // units no pool can have
  expect_refused(write("nan-scale.pt", true, std::nanf("")), nets);
  expect_refused(dir.path / "none.pt", nets);
  // A checkpoint without its units is never written.
  TrainingNetworks unset = tac::twin::load_training_init(704);
  EXPECT_THROW(save(dir.path / "unset.pt", unset), tac::Error);
}
