#include "tac/train/tune_data_parallel.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <exception>

#include "tac/core/error.hpp"

namespace tac::train {

std::vector<std::int64_t> picks_of_rank(const std::vector<std::int64_t>& batch, const DataParallel& dp) {
  const Share share = share_of_rank(static_cast<std::int64_t>(batch.size()), dp.rank(), dp.world_size());
  return {batch.begin() + share.begin, batch.begin() + share.end};
}

BatchObjective batch_objective(const std::optional<ScoreTerms>& share, std::int64_t batch, DataParallel& dp) {
  if (dp.world_size() == 1) {  // the single-process step, unchanged
    if (!share) fail(ErrorKind::internal, "tune: a single process with an empty batch");
    const at::Tensor loss = share->objective();
    return {loss, loss.item<double>(), share->true_distortion()};
  }
  const c10::NoGradGuard no_grad;
  std::vector<at::Tensor> sums{at::zeros({3}, at::kDouble)};
  if (share)
    sums[0] = at::stack({share->seg_surrogate.to(at::kDouble).sum(), share->pose_distortion.to(at::kDouble).sum(),
                         share->seg_distortion.to(at::kDouble).sum()});
  dp.all_reduce_sum(sums);
  const double n = static_cast<double>(batch);
  const double seg = sums[0][0].item<double>() / n, pose = sums[0][1].item<double>() / n, true_seg = sums[0][2].item<double>() / n;
  BatchObjective out;
  // As ScoreTerms::objective: the pose mean clamped at 1e-30 (zero slope below it).
  out.loss = 100.0 * seg + std::sqrt(10.0 * std::max(pose, 1e-30));
  out.true_distortion = 100.0 * true_seg + std::sqrt(10.0 * pose);
  if (share) {
    const double slope = pose > 1e-30 ? 5.0 / std::sqrt(10.0 * pose) : 0.0;
    const c10::AutoGradMode with_grad(true);
    out.to_backward = (100.0 * share->seg_surrogate.sum() + slope * share->pose_distortion.sum()) / n;
  }
  return out;
}

void all_reduce_gradients(GridAdam& adam, DataParallel& dp) {
  if (dp.world_size() == 1) return;
  std::vector<at::Tensor> grads;
  for (auto& p : adam.params) {
    at::Tensor& g = p.value.mutable_grad();
    if (!g.defined()) g = at::zeros_like(p.value);
    grads.push_back(g);  // shares the gradient's storage: the reduction lands in place
  }
  dp.all_reduce_sum(grads);
}

void broadcast_training_state(GridAdam& adam, DataParallel& dp, const std::function<void()>& load_on_root) {
  std::exception_ptr failed;
  if (dp.is_root()) try {
      load_on_root();
    } catch (const Error&) {
      failed = std::current_exception();
    }
  if (dp.world_size() > 1) {
    // First whether rank 0 stands, and its step count (-1: it failed), then the tensors.
    std::vector<at::Tensor> step{at::full({1}, failed ? std::int64_t{-1} : adam.steps_taken, at::kLong)};
    dp.broadcast_from_root(step);
    const auto root_step = step[0][0].item<std::int64_t>();
    if (root_step < 0 && !dp.is_root())
      fail(ErrorKind::usage, "tune: rank {} stops: rank 0 could not start (its checkpoint; see rank 0's error)", dp.rank());
    if (root_step >= 0) {
      std::vector<at::Tensor> state;
      for (auto& p : adam.params) state.insert(state.end(), {p.value, p.m, p.v});
      dp.broadcast_from_root(state);
      adam.steps_taken = root_step;
    }
  }
  if (failed) std::rethrow_exception(failed);
}

void check_same_parameters_as_root(const GridAdam& adam, DataParallel& dp) {
  if (dp.world_size() == 1) return;
  std::vector<at::Tensor> mine, roots;
  for (const auto& p : adam.params) {
    mine.push_back(p.value.detach());
    roots.push_back(p.value.detach().clone());
  }
  dp.broadcast_from_root(roots);
  for (std::size_t k = 0; k < mine.size(); ++k)
    if (!at::equal(mine[k], roots[k]))
      fail(ErrorKind::internal, "tune: rank {}'s '{}' differs from rank 0's after training (max |difference| {})", dp.rank(),
           adam.params[k].name, (mine[k] - roots[k]).abs().max().item<double>());
}

}  // namespace tac::train
