// Grid Adam and `tac tune` checkpoints without the networks: the first step moves every parameter
// by lr grid steps against its gradient's sign; a checkpoint restores values, moments and the step
// bit for bit (with each parameter's own step count and extra state); a frozen parameter waits; other
// settings, other shapes and damaged files are refused.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/train/grid_adam.hpp"
#include "tac/train/tune_checkpoint.hpp"

namespace {

tac::train::GridAdam make_adam(std::int64_t rows) {
  tac::train::GridAdam adam;
  adam.add("latents", at::arange(rows * 3, at::kFloat).view({rows, 3}), at::tensor({0.5f, 0.25f, 2.0f}).view({1, 3}), 0.3);
  adam.add("w", at::ones({4}), at::scalar_tensor(0.01f, at::kFloat), 0.1);
  return adam;
}

void take_step(tac::train::GridAdam& adam, float sign) {
  for (auto& p : adam.params) p.value.mutable_grad() = at::full_like(p.value, sign) * (at::arange(p.value.numel(), at::kFloat).view_as(p.value) + 1);
  adam.step();
}

}  // namespace

TEST(GridAdam, FirstStepMovesEachParameterLrGridStepsAgainstItsGradient) {
  auto adam = make_adam(2);
  const at::Tensor before = adam.params[0].value.clone(), w_before = adam.params[1].value.clone();
  take_step(adam, 1.0f);
  const at::Tensor moved = (before - adam.params[0].value) / at::tensor({0.5f, 0.25f, 2.0f}).view({1, 3});
  EXPECT_TRUE(at::allclose(moved, at::full_like(moved, 0.3), 1e-5, 1e-6)) << moved;
  EXPECT_TRUE(at::allclose((w_before - adam.params[1].value) / 0.01, at::full({4}, 0.1), 1e-4, 1e-6));
  EXPECT_EQ(adam.steps_taken, 1);
  EXPECT_EQ(adam.params[0].value.grad().abs().sum().item<float>(), 0.0f);  // cleared
}

TEST(TuneCheckpoint, RestoresValuesMomentsAndStepBitForBit) {
  const tac::test::TempDir dir("tune_ckpt");
  const tac::train::CheckpointSettings settings{{"lr", "0.3"}, {"pairs", "0:2"}};
  auto adam = make_adam(2);
  take_step(adam, 1.0f);
  take_step(adam, -0.5f);
  tac::train::save_checkpoint(dir.path / "a.ckpt", adam, settings);

  auto fresh = make_adam(2);
  tac::train::load_checkpoint(dir.path / "a.ckpt", fresh, settings);
  EXPECT_EQ(fresh.steps_taken, 2);
  for (std::size_t i = 0; i < adam.params.size(); ++i) {
    EXPECT_TRUE(at::equal(fresh.params[i].value, adam.params[i].value));
    EXPECT_TRUE(at::equal(fresh.params[i].m, adam.params[i].m));
    EXPECT_TRUE(at::equal(fresh.params[i].v, adam.params[i].v));
  }
  // Continuing both gives the same parameters.
  take_step(adam, 2.0f);
  take_step(fresh, 2.0f);
  EXPECT_TRUE(at::equal(fresh.params[0].value, adam.params[0].value));

  auto other = make_adam(2);
  auto e = tac::test::error_of([&] { tac::train::load_checkpoint(dir.path / "a.ckpt", other, {{"lr", "0.5"}, {"pairs", "0:2"}}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
  auto bigger = make_adam(3);  // another shape
  e = tac::test::error_of([&] { tac::train::load_checkpoint(dir.path / "a.ckpt", bigger, settings); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::corrupt_input);
  // A truncated file.
  std::ifstream in(dir.path / "a.ckpt", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir.path / "cut.ckpt", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  e = tac::test::error_of([&] { tac::train::load_checkpoint(dir.path / "cut.ckpt", other, settings); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::corrupt_input);
}

// Phase schedules freeze with an lr scale of 0: the value, the moments and the parameter's own step
// count stay put, and its first real update later is a full, bias-corrected step (lr grid steps).
TEST(GridAdam, AFrozenParameterWaitsAndItsFirstUpdateIsAFullStep) {
  auto adam = make_adam(2);
  const at::Tensor w_before = adam.params[1].value.clone();
  for (int k = 0; k < 3; ++k) {
    for (auto& p : adam.params) p.value.mutable_grad() = at::ones_like(p.value);
    adam.step({0.5, 0.0});
  }
  EXPECT_EQ(adam.steps_taken, 3);
  EXPECT_EQ(adam.params[0].steps, 3);
  EXPECT_EQ(adam.params[1].steps, 0);
  EXPECT_TRUE(at::equal(adam.params[1].value, w_before));
  EXPECT_EQ(adam.params[1].m.abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(adam.params[1].value.grad().abs().sum().item<float>(), 0.0f);  // cleared all the same
  adam.params[1].value.mutable_grad() = at::ones_like(adam.params[1].value);
  adam.step({0.0, 2.0});
  EXPECT_TRUE(at::allclose((w_before - adam.params[1].value) / 0.01, at::full({4}, 0.2), 1e-4, 1e-6));  // 0.1 * 2 grid steps
  EXPECT_EQ(adam.params[1].steps, 1);
}

// Each parameter's step count and extra run state (hard-sample mining's running losses) survive a
// checkpoint; another length of state is refused.
TEST(TuneCheckpoint, RestoresPerParameterStepsAndExtraState) {
  const tac::test::TempDir dir("tune_ckpt_state");
  auto adam = make_adam(2);
  for (auto& p : adam.params) p.value.mutable_grad() = at::ones_like(p.value);
  adam.step({1.0, 0.0});
  std::vector<float> running{1.5f, -1.0f, 0.25f};
  tac::train::save_checkpoint(dir.path / "s.ckpt", adam, {}, {{"mining", &running}});
  auto fresh = make_adam(2);
  std::vector<float> restored(3, 0.0f);
  tac::train::load_checkpoint(dir.path / "s.ckpt", fresh, {}, {{"mining", &restored}});
  EXPECT_EQ(restored, running);
  EXPECT_EQ(fresh.params[0].steps, 1);
  EXPECT_EQ(fresh.params[1].steps, 0);
  std::vector<float> longer(4, 0.0f);
  const auto e = tac::test::error_of([&] { tac::train::load_checkpoint(dir.path / "s.ckpt", fresh, {}, {{"mining", &longer}}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::corrupt_input);
}
