#pragma once
// `tac tune` (issue #13): fine-tune an hnerv95 archive against the scorer and ship it.
// Adam (grid_adam.hpp) on the latents of a run of pairs, and optionally on every decoder tensor,
// through the differentiable decoder with fake-quant onto the archive's own grids
// (hnerv95_torch_decoder.hpp) and the differentiable scorer (score_terms.hpp): the objective is
// DifferentiableScorer::terms(...).objective(). At the end the parameters are put on the grids,
// written as an hnerv95 archive (SUBMISSION_DIR/archive.zip, same layout and member name as the
// input), and that archive is inflated by the real torch-free codec: those frames are the ones
// scored (by the exact scorer, tac/scorer/scorer.hpp), before and after, so the SHA-256 the result
// reports is by construction that of what `tac inflate` writes for those pairs.
// Deterministic for a seed and a thread count; checkpoints (parameters, Adam moments, step) can
// be resumed, giving the same parameters as a run that never stopped.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "tac/scorer/device.hpp"
#include "tac/train/data_parallel.hpp"
#include "tac/train/hard_sample_mining.hpp"
#include "tac/train/lr_schedule.hpp"
#include "tac/train/phase_schedule.hpp"
#include "tac/train/score_terms.hpp"

namespace tac::train {

enum class TuneParameters { latents, all };

struct TuneProgress {
  std::int64_t step = 0, steps = 0;  // steps done so far, of `steps`
  double loss = 0;                   // the objective on this step's batch (surrogate in place of seg)
  double score = 0;                  // 100 * seg + sqrt(10 * pose) of the trainer's frames on that batch
  double samples_per_second = 0;
  double eta_seconds = 0;
  int rank = 0, world = 1;           // this process of a data-parallel run
  std::string phase;                 // the phase of this step ("" without a phase schedule)
  double lr_factor = 1;              // the lr schedule's factor at this step
};

struct TuneJob {
  std::filesystem::path archive;        // hnerv95: zip, directory or member file
  std::filesystem::path ground_truth;   // the original video
  std::filesystem::path segnet, posenet;
  std::filesystem::path out;            // submission directory: archive.zip is written here
  std::int64_t first_pair = 0, pairs = 1;
  std::int64_t steps = 20;
  std::int64_t batch = 0;               // pairs per step; 0: min(pairs, 2)
  double lr = 0.25;                     // latents, in grid steps per Adam step
  double weight_lr = -1;                // decoder tensors (train = all), in grid steps; < 0: lr / 5
  TuneParameters train = TuneParameters::latents;
  std::uint64_t seed = 0;               // the order pairs are visited in
  int threads = 0;                      // libtorch and inflate threads; 0: libtorch's default
  // Where the decoder and the differentiable scorer train (CPU default). The before/after scores
  // are always the exact scorer on the CPU: the leaderboard's axis, never mixed with CUDA's.
  scorer::Device device = scorer::Device::Cpu;
  SurrogateOptions surrogate;
  // Recipe mechanisms (docs/train.md "Recipes"; tune_recipe.hpp reads them from a file):
  LrSchedule lr_schedule;               // multiplies every lr by a factor of the step
  std::vector<TunePhase> phases;        // empty: `train` for every step; else what trains when
  HardSampleMining mining;              // per-pair weights in the objective
  bool pcgrad = false;                  // gradient surgery between the seg surrogate and pose parts
  // > 0: the objective also holds rate_weight * 25 * (estimated bytes of the trained parameters) /
  // original video bytes (rate_estimate.hpp); 1 weighs the estimate as the score weighs bytes.
  double rate_weight = 0;
  std::string recipe_sha256;            // the profile file's, kept in checkpoints ("": none)
  std::filesystem::path checkpoint;     // empty: none
  std::int64_t checkpoint_every = 10;
  bool resume = false;                  // continue from `checkpoint`
  bool evaluate = true;                 // score before and after (false: export only; tests)
  // Data-parallel over processes (data_parallel.hpp): each step's batch is split over the ranks and
  // their gradients summed; rank 0 alone writes checkpoints, the archive and evaluates (other
  // ranks return a result without archive_zip). Default: a single process.
  DistributedContext distributed;
  std::function<void(const TuneProgress&)> on_progress;
};

// Frames of the job's pairs as the real codec inflates an archive, scored by the exact scorer.
struct TuneEvaluation {
  double pose_distortion = 0, seg_distortion = 0;  // means over the pairs
  double distortion = 0;                           // 100 * seg + sqrt(10 * pose)
  std::uint64_t archive_bytes = 0;
  double rate_term = 0;                            // 25 * archive bytes / original video bytes
  std::string frames_sha256;                       // of the pairs' frames, in order, as inflated
};

struct TuneResult {
  std::string member;                 // the archive member tuned and written ("0.bin")
  std::string scorer;                 // "twin" or "real" or "unknown" (the SegNet file's identity)
  std::int64_t start_step = 0;        // 0, or where a resumed checkpoint stood
  std::int64_t steps = 0;
  double train_seconds = 0;
  std::filesystem::path archive_zip;
  std::uint64_t archive_bytes = 0;
  bool evaluated = false;
  TuneEvaluation before, after;       // when evaluated
  std::int64_t pcgrad_projections = 0;  // steps (of this invocation) whose two gradients conflicted
  // The rate estimate (rate_estimate.hpp) of every parameter the job trains, at the start of this
  // invocation and at the end, in bytes (reported whether or not the rate term is on).
  double rate_estimate_bytes_start = 0, rate_estimate_bytes_end = 0;
};

TuneResult run_tune(const TuneJob& job);

// The exported archive's frames for pairs [first, first + count), through the real codec's
// inflate: (2 * count) frames of contest size, in order. (Also what run_tune scores.)
std::vector<std::uint8_t> inflate_pairs(const std::filesystem::path& archive, std::int64_t first, std::int64_t count, int threads);

}  // namespace tac::train
