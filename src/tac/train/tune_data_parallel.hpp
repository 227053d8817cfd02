#pragma once
// `tac tune` over processes (data_parallel.hpp): the glue between the training step and the
// process group. Every rank computes the batch a single process would use for the step, takes its
// contiguous share, and the ranks together produce the gradient of the whole batch's objective.
//
// The objective is not a plain mean: 100 * mean(seg) + sqrt(10 * mean(pose)). Averaging each
// rank's own objective gradient would be wrong (the square root of a share's mean is not the
// whole batch's), so the ranks first all-reduce the batch sums of the terms (three numbers) and
// each rank back-propagates the objective's first-order form at the whole batch's point:
//   (100 * sum_share(seg) + s * sum_share(pose)) / B,  s = d sqrt(10 p)/dp = 5 / sqrt(10 p),
// whose gradients summed over ranks are exactly the whole batch objective's (uneven shares too).
// In a single process everything here is the identity and the step is the original one.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "tac/train/data_parallel.hpp"
#include "tac/train/grid_adam.hpp"
#include "tac/train/score_terms.hpp"

namespace tac::train {

// This rank's share of the step's batch (all of it in a single process).
std::vector<std::int64_t> picks_of_rank(const std::vector<std::int64_t>& batch, const DataParallel& dp);

struct BatchObjective {
  at::Tensor to_backward;   // this rank's part (undefined when its share is empty)
  double loss = 0;          // the whole batch's objective (surrogate in place of seg)
  double true_distortion = 0;  // the whole batch's 100 * seg + sqrt(10 * pose)
};
// `share`: the terms of this rank's samples (none when its share is empty); `batch`: the whole
// batch's size.
BatchObjective batch_objective(const std::optional<ScoreTerms>& share, std::int64_t batch, DataParallel& dp);

// Sums the parameters' gradients over ranks (a missing gradient counts as zero): one collective.
void all_reduce_gradients(GridAdam& adam, DataParallel& dp);
// Runs `load_on_root` on rank 0 (a resume's checkpoint), then sends rank 0's parameters, Adam
// moments and step count to every rank. When rank 0's load fails, rank 0 rethrows its error and
// the other ranks fail too (usage, pointing at rank 0) instead of waiting for the time-out.
void broadcast_training_state(GridAdam& adam, DataParallel& dp, const std::function<void()>& load_on_root);
// Fails (ErrorKind::internal) on a rank whose parameters are not bit for bit rank 0's.
void check_same_parameters_as_root(const GridAdam& adam, DataParallel& dp);

}  // namespace tac::train
