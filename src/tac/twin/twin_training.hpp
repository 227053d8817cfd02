#pragma once
// `tac twin --train`: the twin scorer networks trained for the task on procedural driving frames
// (issue #15). SegNet learns the renderer's per-pixel classes through the contest's 384x512 input
// path; PoseNet's first six outputs learn the pair's true camera motion. Both start from the
// seeded twin initialization (make_twin) and end with calibrated BatchNorm statistics, in the
// exact upstream layout. Torch-free interface; the work runs on libtorch in tac_twin.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tac/scorer/twin_weights.hpp"
#include "tac/twin/pose_batch_from.hpp"
#include "tac/twin/seed_streams.hpp"  // training_seeds, held_out_seeds

namespace tac::twin {

struct TwinTrainingOptions {
  std::uint64_t seed = 704;      // the twins' initialization and every data seed
  int clips = 8;                 // training scenes (distinct seeds)
  int pairs_per_clip = 48;       // frame pairs rendered from each scene (spread over its 60 s)
  int held_out_clips = 2;        // evaluation scenes, seeds never trained on
  int held_out_pairs = 12;       // pairs per evaluation scene
  std::int64_t steps = 0;        // stop after this many steps (0: no step limit)
  double budget_seconds = 0;     // stop once training has run this long (0: no time limit)
  int seg_batch = 3;             // SegNet crops per step
  int seg_crop_height = 192;     // SegNet trains on crops of its 384x512 input (same scale)
  int seg_crop_width = 256;
  int pose_batch = 8;            // PoseNet pairs per step (full 192x256 inputs)
  // Each training pair's first frame is also paired with the frames after its second: gaps
  // 1..pose_gaps, and a PoseNet batch holds all of a first frame's pairs. The same first frame
  // with different motions: only the difference between the two frames tells them apart, so
  // PoseNet must read the motion rather than recognise the scene (which it otherwise memorizes).
  // Held-out pairs are always consecutive frames, as the contest pairs them.
  int pose_gaps = 1;
  // Each training pair's first frame is also paired with this many views from its pose moved by
  // random car motions (arcs up to 32 m/s, turning up to 0.6 rad/s; render_dataset): motions
  // independent of the scene, so the motion cannot be guessed from which scene a frame shows. The
  // group (gaps, then moves) stays together in a PoseNet batch.
  int pose_moves = 0;
  // PoseNet's first convolution starts with half its filters seeing the change between the two
  // frames (their weights on the second frame's channels the negative of those on the first's),
  // instead of the seeded initialization's random mixture of both (start_stem_on_change).
  bool pose_change_stem = false;
  // PoseNet's BatchNorm while training: false normalizes with each batch's statistics (PyTorch's
  // model.train()); true with running statistics measured on the pool (calibrate, as at the end)
  // and re-measured every 25 steps, so it trains on exactly the function it is measured and used
  // as. A batch holds few first frames (a group shares one), so its statistics are the scene's:
  // normalizing by them removes what the batch's samples have in common, their scale of motion
  // among it, and the network learns motion relative to its batch, which is lost in eval mode.
  bool pose_running_bn = false;
  // How a PoseNet batch is drawn (pose_batch_from.hpp): whole groups; single samples of any group
  // (a batch of as many first frames as samples, so batch statistics are not one scene's); or
  // only consecutive pairs (each group's gap-1 sample), the kind of pair held out and scored —
  // the second stage of a curriculum: frame gaps first teach the coarse size of the motion, then
  // consecutive pairs the precision they need (with init_from).
  PoseBatchFrom pose_batch_from = PoseBatchFrom::groups;
  // Start from the networks of another run's checkpoint (weights, BatchNorm buffers, the flow
  // head if both have one) with fresh optimizers and schedule: the next stage of a curriculum.
  // Its pool may differ from this run's (more scenes, other gaps): PoseNet's head, which works in
  // its pool's standardized units while training, is carried over into this pool's units
  // (the checkpoint records them). Empty: the seeded initialization.
  std::filesystem::path init_from;
  // Weight of the flow supervision (PoseFlowHead): a training-only head on PoseNet's stride-8 and
  // stride-16 features learns where the road moved between the frames, added to the motion loss
  // with this weight. 0: off.
  double pose_flow = 0;
  // Polyak averaging (weight_average.hpp): the evaluations while training and the exported twin
  // use an exponential moving average of each network's weights with this decay (e.g. 0.995: the
  // last ~200 steps) instead of the last step's. 0: off. Training itself is unchanged.
  double weight_average = 0;
  // Rotating the pool (scene_rotation.hpp): every refresh_every steps the refresh_scenes oldest
  // scenes of the pool are replaced by new ones, the next seeds of the training stream, so the
  // scenes trained on grow with the steps while memory stays that of --clips scenes. PoseNet's
  // units are the first pool's. 0 and 0: the same --clips scenes throughout.
  int refresh_scenes = 0;
  int refresh_every = 0;
  int eval_every = 0;            // measure the held-out PoseNet R² every N steps (0: only at the end)
  double seg_lr = 2e-3;
  double pose_lr = 5e-4;          // 2e-3 left PoseNet at the constant prediction (docs/twin.md)
  int calibration_samples = 32;  // BatchNorm statistics measured at the end on full-size inputs
  int threads = 0;               // libtorch intra-op threads (0: libtorch's default)
  std::filesystem::path checkpoint;  // empty: none
  int checkpoint_every = 50;     // steps
  bool resume = false;           // continue from `checkpoint`
  // Stop as an interrupted run would, right after saving the checkpoint of this step: no
  // calibration, no evaluation, twins left empty (tests of resuming). 0: never.
  std::int64_t interrupt_after = 0;
  bool measure_before = true;    // also measure the seeded initialization (TwinTrainingResult::before)
};

// What a twin sees on held-out frames.
struct TwinAccuracy {
  std::int64_t samples = 0;
  double pixel_accuracy = 0;          // SegNet argmax == label, over all pixels
  std::array<double, 5> iou{};        // per class (0 where absent)
  std::array<bool, 5> present{};      // class occurs in the labels
  double mean_iou = 0;                // over the classes present
  double pose_r2 = 0;                 // pooled: 1 - sum of squared errors / total variance, six components
  std::array<double, 6> pose_r2_component{};  // per component (0 for a component without variance)
  nlohmann::json to_json() const;
};

struct TwinTrainingProgress {
  std::int64_t step = 0;
  std::int64_t total_steps = 0;  // planned (an estimate under a time budget)
  double seg_loss = 0, pose_loss = 0;
  double flow_loss = 0;           // PoseNet's flow supervision (0 when off), not part of pose_loss
  double seg_batch_accuracy = 0;  // on this step's crops
  bool has_held_out_pose_r2 = false;  // measured at this step (TwinTrainingOptions::eval_every)
  double held_out_pose_r2 = 0;
  double seg_seconds = 0, pose_seconds = 0;  // this step's forward + backward + update per network
  double elapsed_seconds = 0, eta_seconds = 0, samples_per_second = 0;
  std::string phase;  // "render", "train", "calibrate", "evaluate"
};

struct TwinTrainingResult {
  scorer::TwinNetwork segnet, posenet;
  std::int64_t steps = 0;
  std::int64_t resumed_from = 0;  // step the run resumed at (0: fresh)
  bool interrupted = false;       // stopped by TwinTrainingOptions::interrupt_after
  double train_seconds = 0;       // optimization only (this run)
  double render_seconds = 0;
  double refresh_seconds = 0;     // rendering new scenes into a rotating pool (inside train_seconds)
  std::vector<double> seg_loss_curve, pose_loss_curve, flow_loss_curve;  // per step of this run (flow: when on)
  std::vector<std::pair<std::int64_t, double>> held_out_pose_r2_curve;  // (step, R²) every eval_every steps
  TwinAccuracy before;  // the seeded initialization (calibrated), on the held-out frames
  TwinAccuracy after;
  // The trained twin on training pairs (as many as are held out, spread over the pool): beside
  // `after`, it tells under- from over-fitting.
  TwinAccuracy train_fit;
  std::vector<std::uint64_t> train_seeds, held_out_seeds;  // train: every scene the pool held
  std::string recipe;  // the options that shaped the training (the checkpoint fingerprint)
  nlohmann::json summary() const;  // what kTwinTrainingKey holds
};

using TwinProgressFn = std::function<void(const TwinTrainingProgress&)>;

// Trains both twins. Deterministic for a seed, options and thread count when stopped by `steps`
// (a time budget stops wherever the clock says). Throws tac::Error on bad options or a checkpoint
// that belongs to other options.
TwinTrainingResult train_twins(const TwinTrainingOptions& options, const TwinProgressFn& progress = {});

// Where `tac twin --train` installs a trained twin and `tac demo` looks for one:
// $TAC_CACHE_DIR/twin, else $XDG_CACHE_HOME/tac/twin, else ~/.cache/tac/twin (empty if none is set).
std::filesystem::path default_twin_dir();


}  // namespace tac::twin
