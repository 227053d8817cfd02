#pragma once
// `tac twin`'s arguments, shared by the verb (cmd_twin.cpp) and its training half
// (twin_train_cli.cpp, tac-scorer only).
#include <cstdint>
#include <string>
#include <vector>

namespace tac::cli {

struct TwinArgs {
  std::string out;
  std::uint64_t seed = 704;
  std::string calibrate;
  int samples = 8;
  int threads = 0;
  // --train
  bool train = false;
  double budget = 0;
  std::int64_t steps = 0;
  int clips = 8;
  int pairs = 48;
  int held_out_clips = 2;
  int held_out_pairs = 12;
  bool resume = false;
  bool json = false;
  bool no_cache = false;
  std::int64_t stop_after = 0;  // stop after this step with a checkpoint (continue with --resume)
  int seg_batch = 3, pose_batch = 8;
  std::string crop = "192x256";
  double seg_lr = 2e-3, pose_lr = 5e-4;
  int pose_gaps = 1;
  int pose_moves = 0;
  double pose_flow = 0;
  double weight_average = 0;  // --train: Polyak averaging decay (0: off)
  std::string pose_stem = "seeded";
  std::string pose_batchnorm = "batch";
  std::string pose_batch_from = "groups";
  std::string init_from;  // --train: another run's checkpoint to start from
  int eval_every = 0;
  int refresh_scenes = 0, refresh_every = 0;  // --train: rotate the pool's scenes (0: never)
  // The arguments that hand the same request to tac-scorer.
  std::vector<std::string> forwarded() const;
};

// Trains both twins and writes them to args.out (tac-scorer only).
void run_twin_training(const TwinArgs& args);

}  // namespace tac::cli
