#include "tac/twin/twin_training.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/optim/adamw.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <optional>
#include <random>
#include <thread>

#include "tac/core/error.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/scorer/posenet.hpp"
#include "tac/scorer/preprocess.hpp"
#include "tac/scorer/segnet.hpp"
#include "tac/scorer/torch_weights.hpp"
#include "tac/scorer/twin_params.hpp"
#include "tac/twin/twin_accuracy.hpp"
#include "tac/twin/posenet_change_stem.hpp"
#include "tac/twin/posenet_flow_head.hpp"
#include "tac/twin/pose_units.hpp"
#include "tac/twin/seed_streams.hpp"
#include "tac/twin/twin_checkpoint.hpp"
#include "tac/twin/twin_dataset.hpp"
#include "tac/twin/training_pool.hpp"

namespace tac::twin {
namespace {

namespace nn = scorer::nn;

bool is_buffer(const std::string& key) {
  return key.ends_with(".running_mean") || key.ends_with(".running_var") || key == "_mean" || key == "_std";
}

std::vector<std::string> trainable_keys(const nn::KeyedTensors& tensors) {
  std::vector<std::string> out;
  for (const auto& [key, t] : tensors)
    if (!is_buffer(key)) out.push_back(key);
  return out;
}

std::vector<at::Tensor> trainable(nn::KeyedTensors& tensors) {
  std::vector<at::Tensor> out;
  for (const std::string& key : trainable_keys(tensors)) out.push_back(tensors.at(key).requires_grad_(true));
  return out;
}

// Learning rate at `step` of `total`: a linear warm-up over the first tenth (at most 20 steps),
// then a cosine from 1 to 0.05.
double lr_factor(std::int64_t step, std::int64_t total) {
  const double warm_steps = static_cast<double>(std::clamp<std::int64_t>(total / 10, 1, 20));
  const double warm = std::min(1.0, static_cast<double>(step + 1) / warm_steps);
  const double t = total > 1 ? std::min(1.0, static_cast<double>(step) / static_cast<double>(total - 1)) : 1.0;
  return warm * (0.05 + 0.95 * 0.5 * (1.0 + std::cos(3.14159265358979323846 * t)));
}

// Drops the gradients instead of zeroing them, so every step's backward starts the same way —
// the first step of a fresh run, of a resumed run and any later one alike.
void clear_grads(torch::optim::AdamW& opt) {
  for (auto& group : opt.param_groups())
    for (auto& p : group.params()) p.mutable_grad() = at::Tensor();
}

void set_lr(torch::optim::AdamW& opt, double lr) {
  for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

// Everything a checkpoint must match to be resumed: the options that change what is trained.
std::string fingerprint(const TwinTrainingOptions& o) {
  return fmt::format("tac-twin-train/1 seed={} clips={} pairs={} seg_batch={} crop={}x{} pose_batch={} seg_lr={} pose_lr={} steps={} "
                     "max_gap={} moves={} change_stem={} running_bn={} batch_from={} flow={} average={} init={} refresh={}/{}",
                     o.seed, o.clips, o.pairs_per_clip, o.seg_batch, o.seg_crop_height, o.seg_crop_width, o.pose_batch, o.seg_lr,
                     o.pose_lr, o.steps, o.pose_gaps, o.pose_moves, o.pose_change_stem, o.pose_running_bn, pose_batch_from_name(o.pose_batch_from),
                     o.pose_flow, o.weight_average, o.init_from.string(), o.refresh_scenes, o.refresh_every);
}

// Training PoseNet on running statistics recalibrates them every this many steps.
constexpr std::int64_t kRecalibrateEvery = 25;

at::Tensor row_tensor(const std::vector<std::int64_t>& rows) { return at::tensor(rows, at::TensorOptions().dtype(at::kLong)); }

// Replaces PoseNet's BatchNorm running statistics by their average over batches of 8 of
// `samples` rows spread over `data`, every `stride`-th: the kind of pair PoseNet trains on (each
// group's consecutive pair when it trains on those alone), since statistics of other inputs would
// normalize its features otherwise than training did.
void calibrate_posenet(const TrainingNetworks& nets, const TwinDataset& data, int samples, std::int64_t stride) {
  at::NoGradGuard no_grad;
  const at::Tensor rows = row_tensor(spread_rows(data.size(), samples, stride));
  const std::int64_t n = rows.size(0);
  nn::BatchNormCalibration pose_calibration;
  for (std::int64_t b = 0; b < n; b += 8)
    (void)nn::posenet_forward_train(nets.pose.params, data.pose.index_select(0, rows.narrow(0, b, std::min<std::int64_t>(8, n - b))).to(at::kFloat));
}

// Replaces every BatchNorm's running statistics by their average over full-size batches of
// `samples` rows spread over `data`.
void calibrate(const TrainingNetworks& nets, const TwinDataset& data, int samples, std::int64_t pose_stride) {
  at::NoGradGuard no_grad;
  const at::Tensor rows = row_tensor(spread_rows(data.size(), samples));
  const std::int64_t n = rows.size(0);
  {
    nn::BatchNormCalibration seg_calibration;
    for (std::int64_t b = 0; b < n; b += 4)
      (void)nn::segnet_forward_train(nets.seg.params, data.seg.index_select(0, rows.narrow(0, b, std::min<std::int64_t>(4, n - b))).to(at::kFloat));
  }
  calibrate_posenet(nets, data, samples, pose_stride);
}

// Up to `count` consecutive-frame pairs (gap 1, the first of each group of `group`) spread evenly
// over the training pool, as float32.
TwinDataset training_sample(const TwinDataset& pool, std::int64_t count, int group) {
  const at::Tensor index = row_tensor(spread_rows(pool.size(), std::max<std::int64_t>(1, count), group));
  return {pool.seg.index_select(0, index).to(at::kFloat), pool.pose.index_select(0, index).to(at::kFloat),
          pool.labels.index_select(0, index), pool.motion.index_select(0, index)};
}

// PoseNet's pooled R² on the held-out pairs while training, the head's standardized outputs taken
// back to metres and radians. With `recalibrate`, BatchNorm statistics are measured on the pool
// first (as at the end; batch-statistics training never reads them); training on running
// statistics uses its own, recalibrated on schedule. No gradients; the training is unchanged by it.
double held_out_pose_r2(const TrainingNetworks& nets, const TwinDataset& pool, std::int64_t pose_stride, const TwinDataset& held_out, int samples,
                        bool recalibrate) {
  if (recalibrate) calibrate_posenet(nets, pool, samples, pose_stride);
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> predictions;
  for (std::int64_t b = 0; b < held_out.size(); b += 8) {
    const std::int64_t m = std::min<std::int64_t>(8, held_out.size() - b);
    predictions.push_back(pose_from_units(nn::posenet_forward_train(nets.pose.params, held_out.pose.narrow(0, b, m).to(at::kFloat)).narrow(1, 0, 6),
                                          nets.units.mean, nets.units.scale));
  }
  TwinAccuracy accuracy;
  pose_r2_from_predictions(at::cat(predictions), held_out.motion, accuracy);
  return accuracy.pose_r2;
}

void check_options(const TwinTrainingOptions& o) {
  if (o.steps <= 0 && o.budget_seconds <= 0) fail(ErrorKind::usage, "twin training needs --steps N or --budget SECONDS");
  if (o.clips < 1 || o.held_out_clips < 1 || o.pairs_per_clip < 1 || o.held_out_pairs < 1)
    fail(ErrorKind::usage, "twin training needs at least one training and one held-out scene with at least one pair each");
  if (o.seg_batch < 1 || o.pose_batch < 1) fail(ErrorKind::usage, "batch sizes must be at least 1");
  if (o.seg_crop_height % 32 != 0 || o.seg_crop_width % 32 != 0 || o.seg_crop_height < 64 || o.seg_crop_width < 64 ||
      o.seg_crop_height > scorer::kNetHeight || o.seg_crop_width > scorer::kNetWidth)
    fail(ErrorKind::usage, "SegNet crops must be multiples of 32 between 64 and 384x512, got {}x{}", o.seg_crop_height, o.seg_crop_width);
  if (o.pose_gaps < 1 || o.pose_gaps > 8) fail(ErrorKind::usage, "--pose-gaps must be 1..8, got {}", o.pose_gaps);
  if (o.pose_moves < 0 || o.pose_moves > 8) fail(ErrorKind::usage, "--pose-moves must be 0..8, got {}", o.pose_moves);
  if (o.eval_every < 0) fail(ErrorKind::usage, "--eval-every must not be negative");
  if (!(o.weight_average >= 0 && o.weight_average < 1))
    fail(ErrorKind::usage, "--weight-average must be a decay in [0, 1), got {}", o.weight_average);
  if (!(o.pose_flow >= 0 && o.pose_flow <= 100)) fail(ErrorKind::usage, "--pose-flow must be a weight in 0..100, got {}", o.pose_flow);
  (void)SceneRotation(o.clips, o.refresh_scenes, o.refresh_every);  // refuses impossible rotations before any work
  if (o.refresh_every > 0 && o.steps > 0 &&
      o.steps / o.refresh_every * static_cast<std::int64_t>(o.refresh_scenes) + o.clips > kMaxTrainingScenes)
    fail(ErrorKind::usage, "--refresh-scenes {} every {} steps for {} steps would train on more than {} scenes", o.refresh_scenes,
         o.refresh_every, o.steps, kMaxTrainingScenes);
  if (o.resume && o.checkpoint.empty()) fail(ErrorKind::usage, "--resume needs a checkpoint path");
  if (!o.init_from.empty() && !o.checkpoint.empty() && std::filesystem::exists(o.init_from) && std::filesystem::exists(o.checkpoint) &&
      std::filesystem::equivalent(o.init_from, o.checkpoint))
    fail(ErrorKind::usage, "--init-from {}: that is this run's own checkpoint (use --resume to continue it)", o.init_from.string());
}

}  // namespace

std::filesystem::path default_twin_dir() {
  if (const char* d = std::getenv("TAC_CACHE_DIR"); d && *d) return std::filesystem::path(d) / "twin";
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "tac" / "twin";
  if (const char* d = std::getenv("HOME"); d && *d) return std::filesystem::path(d) / ".cache" / "tac" / "twin";
  return {};
}


nlohmann::json TwinTrainingResult::summary() const {
  return {{"format", "tac-twin-training/1"},
          {"data", "tac synth scenes (1164x874, 20 fps), contest preprocessing, labels from the renderer"},
          {"train_seeds", train_seeds},
          {"held_out_seeds", held_out_seeds},
          {"recipe", recipe},
          {"steps", steps},
          {"train_seconds", train_seconds},
          {"held_out_before", before.to_json()},
          {"held_out", after.to_json()},
          {"training_pairs", train_fit.to_json()}};
}

TwinTrainingResult train_twins(const TwinTrainingOptions& o, const TwinProgressFn& progress) {
  check_options(o);
  if (o.threads > 0) at::set_num_threads(o.threads);
  const int render_threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  TwinTrainingResult result;
  result.held_out_seeds = held_out_seeds(o.seed, o.held_out_clips);
  result.recipe = fingerprint(o);
  const auto start = std::chrono::steady_clock::now();
  auto report = [&](TwinTrainingProgress p) {
    if (!progress) return;
    p.elapsed_seconds = seconds_since(start);
    progress(p);
  };

  // Data: a float16 training pool (training_pool.hpp; it rotates its scenes when asked) and a
  // float32 held-out set from other seeds.
  auto render_progress_of = [&](const char* phase) {  // "render": the pool and held-out set; "refresh": new scenes
    return [&report, phase](std::int64_t done, std::int64_t total) {
      TwinTrainingProgress p;
      p.phase = phase;
      p.step = done;
      p.total_steps = total;
      report(p);
    };
  };
  const RenderProgressFn render_progress = render_progress_of("render");
  TrainingPoolOptions pool_options;
  pool_options.seed = o.seed;
  pool_options.clips = o.clips;
  pool_options.pairs_per_clip = o.pairs_per_clip;
  pool_options.gaps = o.pose_gaps;
  pool_options.moves = o.pose_moves;
  pool_options.refresh_scenes = o.refresh_scenes;
  pool_options.refresh_every = o.refresh_every;
  pool_options.threads = render_threads;
  const int group = o.pose_gaps + o.pose_moves;
  const TwinDataset held_out = render_dataset(result.held_out_seeds, o.held_out_pairs, /*gaps=*/1, /*moves=*/0, /*half=*/false, render_threads, render_progress);
  // PoseNet's BatchNorm statistics come from the kind of pair it trains on: each group's
  // consecutive pair when it trains on those alone, every sample otherwise.
  const std::int64_t pose_stride = o.pose_batch_from == PoseBatchFrom::consecutive ? group : 1;

  TrainingNetworks nets = load_training_init(o.seed);
  // PoseNet learns the motion in the units of the first window's pool (pose_units.hpp), the same
  // for every later window of a rotating pool and for a resumed run, which renders a later one.
  // Its head's last layer works in those units while training (it starts at zero: the mean
  // motion — the one departure from the seeded initialization) and is folded back to metres and
  // radians at the end.
  const at::Tensor first_motion = TrainingPool::first_window_motion(pool_options);
  nets.units = pose_units_of(first_motion);
  zero_pose_head(nets.pose.tensors);
  if (o.pose_change_stem) start_stem_on_change(nets.pose.tensors);
  std::vector<at::Tensor> pose_parameters = trainable(nets.pose.tensors);
  if (o.pose_flow > 0) {
    nets.flow.emplace(o.seed);
    nets.flow->set_scale(first_motion);
    for (const at::Tensor& t : trainable(nets.flow->tensors())) pose_parameters.push_back(t);
  }
  torch::optim::AdamW seg_opt(trainable(nets.seg.tensors), torch::optim::AdamWOptions(o.seg_lr).weight_decay(1e-4));
  torch::optim::AdamW pose_opt(pose_parameters, torch::optim::AdamWOptions(o.pose_lr).weight_decay(1e-4));
  const std::string print = fingerprint(o);
  std::int64_t step = 0;
  if (!o.init_from.empty() && !o.resume) init_from_checkpoint(o.init_from, nets);
  if (o.weight_average > 0) {  // from the weights this run starts at (a resumed run then restores its own)
    nets.seg_average.emplace(nets.seg.tensors, trainable_keys(nets.seg.tensors), o.weight_average);
    nets.pose_average.emplace(nets.pose.tensors, trainable_keys(nets.pose.tensors), o.weight_average);
  }
  if (o.resume) step = result.resumed_from = load_checkpoint(o.checkpoint, print, nets, seg_opt, pose_opt);

  TrainingPool rotating_pool(pool_options, step, {result.held_out_seeds.begin(), result.held_out_seeds.end()}, render_progress);
  const TwinDataset& pool = rotating_pool.data();  // the same tensors throughout: refreshes overwrite rows
  const std::int64_t n = pool.size();
  result.render_seconds = seconds_since(start);
  const RenderProgressFn refresh_progress = render_progress_of("refresh");

  // The seeded initialization, calibrated, as the "before" reference.
  if (o.measure_before) {
    TwinTrainingProgress p;
    p.phase = "evaluate";
    report(p);
    const TrainingNetworks init = load_training_init(o.seed);
    calibrate(init, pool, o.calibration_samples, pose_stride);
    result.before = measure_accuracy(init.seg.params, init.pose.params, held_out);
  }

  const auto train_start = std::chrono::steady_clock::now();
  const std::int64_t first_step = step;
  while (true) {
    const double elapsed = seconds_since(train_start);
    if (o.steps > 0 && step >= o.steps) break;
    if (o.budget_seconds > 0 && elapsed >= o.budget_seconds) break;
    rotating_pool.advance_to(step, refresh_progress);
    std::int64_t total = o.steps;
    if (o.budget_seconds > 0 && step > first_step) {
      const double per_step = elapsed / static_cast<double>(step - first_step);
      const std::int64_t estimate = step + static_cast<std::int64_t>((o.budget_seconds - elapsed) / per_step) + 1;
      total = total > 0 ? std::min(total, estimate) : estimate;
    } else if (total <= 0) {
      total = 1000;  // until the first step has been timed
    }
    const double f = lr_factor(step, total);
    set_lr(seg_opt, o.seg_lr * f);
    set_lr(pose_opt, o.pose_lr * f);

    // This step's batch: a pure function of (seed, step), so a resumed run draws the same.
    std::uint64_t state = o.seed ^ (0x5eedULL + static_cast<std::uint64_t>(step) * 0x100000001b3ULL);
    std::vector<at::Tensor> seg_x, seg_y;
    for (int i = 0; i < o.seg_batch; ++i) {
      const std::int64_t k = static_cast<std::int64_t>(splitmix(state) % static_cast<std::uint64_t>(n));
      const std::int64_t y0 = static_cast<std::int64_t>(splitmix(state) % static_cast<std::uint64_t>(scorer::kNetHeight - o.seg_crop_height + 1));
      const std::int64_t x0 = static_cast<std::int64_t>(splitmix(state) % static_cast<std::uint64_t>(scorer::kNetWidth - o.seg_crop_width + 1));
      seg_x.push_back(pool.seg[k].narrow(1, y0, o.seg_crop_height).narrow(2, x0, o.seg_crop_width));
      seg_y.push_back(pool.labels[k].narrow(0, y0, o.seg_crop_height).narrow(1, x0, o.seg_crop_width));
    }
    // Whole groups of a first frame's pairs (gaps 1..pose_gaps, then the moves), single samples of
    // any group, or each drawn group's consecutive pair (o.pose_batch_from).
    const std::vector<std::int64_t> pose_index =
        pose_batch_rows(n, o.pose_gaps + o.pose_moves, o.pose_batch, o.pose_batch_from, [&state] { return splitmix(state); });
    const at::Tensor index = at::tensor(pose_index, at::TensorOptions().dtype(at::kLong));

    TwinTrainingProgress p;
    p.phase = "train";
    {
      nn::BatchNormTraining train_mode;
      const auto seg_start = std::chrono::steady_clock::now();
      // Channels-last: libtorch's CPU convolutions (oneDNN) train faster in NHWC.
      const at::Tensor x = at::stack(seg_x).to(at::kFloat).contiguous(at::MemoryFormat::ChannelsLast);
      const at::Tensor labels = at::stack(seg_y).to(at::kLong);
      const at::Tensor logits = nn::segnet_forward_train(nets.seg.params, x);
      const at::Tensor seg_loss = at::cross_entropy_loss(logits, labels);
      clear_grads(seg_opt);
      seg_loss.backward();
      seg_opt.step();
      p.seg_loss = seg_loss.item<double>();
      p.seg_batch_accuracy = logits.detach().argmax(1).eq(labels).to(at::kDouble).mean().item<double>();
      p.seg_seconds = seconds_since(seg_start);
    }
    {
      const auto pose_start = std::chrono::steady_clock::now();
      if (o.pose_running_bn && step % kRecalibrateEvery == 0) calibrate_posenet(nets, pool, o.calibration_samples, pose_stride);
      std::optional<nn::BatchNormTraining> batch_statistics;
      if (!o.pose_running_bn) batch_statistics.emplace();
      const at::Tensor px = pool.pose.index_select(0, index).to(at::kFloat).contiguous(at::MemoryFormat::ChannelsLast);
      const at::Tensor target = pool.motion.index_select(0, index);
      std::vector<at::Tensor> stages;
      const at::Tensor out = nn::posenet_forward_train(nets.pose.params, px, nets.flow ? &stages : nullptr).narrow(1, 0, 6);
      const at::Tensor pose_loss = standardized_pose_loss(out, target, nets.units);
      at::Tensor loss = pose_loss;
      if (nets.flow) {
        const at::Tensor flow_loss = nets.flow->loss(stages, target);
        loss = pose_loss + o.pose_flow * flow_loss;
        p.flow_loss = flow_loss.item<double>();
      }
      clear_grads(pose_opt);
      loss.backward();
      pose_opt.step();
      p.pose_loss = pose_loss.item<double>();
      p.pose_seconds = seconds_since(pose_start);
    }
    ++step;
    if (nets.seg_average) nets.seg_average->update(nets.seg.tensors);
    if (nets.pose_average) nets.pose_average->update(nets.pose.tensors);
    if (o.eval_every > 0 && step % o.eval_every == 0) {
      // The averaged weights when averaging (recalibrated, as always with them), then back.
      if (nets.pose_average) nets.pose_average->swap(nets.pose.tensors);
      p.held_out_pose_r2 = held_out_pose_r2(nets, pool, pose_stride, held_out, o.calibration_samples,
                                            !o.pose_running_bn || nets.pose_average.has_value());
      if (nets.pose_average) {
        nets.pose_average->swap(nets.pose.tensors);
        if (o.pose_running_bn) calibrate_posenet(nets, pool, o.calibration_samples, pose_stride);  // the live weights' own
      }
      p.has_held_out_pose_r2 = true;
      result.held_out_pose_r2_curve.emplace_back(step, p.held_out_pose_r2);
    }
    result.seg_loss_curve.push_back(p.seg_loss);
    result.pose_loss_curve.push_back(p.pose_loss);
    if (nets.flow) result.flow_loss_curve.push_back(p.flow_loss);
    const double run_seconds = seconds_since(train_start);
    p.step = step;
    p.total_steps = std::max(total, step);
    p.samples_per_second = static_cast<double>((step - first_step) * (o.seg_batch + o.pose_batch)) / std::max(run_seconds, 1e-9);
    p.eta_seconds = run_seconds / static_cast<double>(step - first_step) * static_cast<double>(p.total_steps - step);
    report(p);
    if (!o.checkpoint.empty() && o.checkpoint_every > 0 && step % o.checkpoint_every == 0)
      save_checkpoint(o.checkpoint, print, step, nets, seg_opt, pose_opt);
    if (o.interrupt_after > 0 && step == o.interrupt_after) {
      if (!o.checkpoint.empty()) save_checkpoint(o.checkpoint, print, step, nets, seg_opt, pose_opt);
      result.steps = step;
      result.train_seeds = rotating_pool.seeds_held();
      result.refresh_seconds = rotating_pool.refresh_seconds();
      result.interrupted = true;
      result.train_seconds = seconds_since(train_start);
      return result;
    }
  }
  result.train_seconds = seconds_since(train_start);
  result.steps = step;
  result.train_seeds = rotating_pool.seeds_held();  // every scene the pool held
  result.refresh_seconds = rotating_pool.refresh_seconds();
  if (!o.checkpoint.empty()) save_checkpoint(o.checkpoint, print, step, nets, seg_opt, pose_opt);
  // The twin is the averaged weights when averaging.
  if (nets.seg_average) nets.seg_average->swap(nets.seg.tensors);
  if (nets.pose_average) nets.pose_average->swap(nets.pose.tensors);
  for (auto& [key, t] : nets.seg.tensors) t.requires_grad_(false);
  for (auto& [key, t] : nets.pose.tensors) t.requires_grad_(false);
  fold_pose_head(nets.pose.tensors, nets.units.mean, nets.units.scale);  // the head back in metres and radians

  {
    TwinTrainingProgress p;
    p.phase = "calibrate";
    report(p);
  }
  calibrate(nets, pool, o.calibration_samples, pose_stride);
  {
    TwinTrainingProgress p;
    p.phase = "evaluate";
    report(p);
  }
  result.after = measure_accuracy(nets.seg.params, nets.pose.params, held_out);
  result.train_fit = measure_accuracy(nets.seg.params, nets.pose.params, training_sample(pool, held_out.size(), group));

  result.segnet = scorer::make_twin(scorer::Network::SegNet, o.seed);
  result.posenet = scorer::make_twin(scorer::Network::PoseNet, o.seed);
  scorer::store_twin_tensors(result.segnet, nets.seg.tensors, std::min<std::int64_t>(o.calibration_samples, n));
  scorer::store_twin_tensors(result.posenet, nets.pose.tensors, std::min<std::int64_t>(o.calibration_samples, n));
  const std::string calibration = fmt::format("BatchNorm statistics averaged over {} full-size training pairs after training",
                                              std::min<std::int64_t>(o.calibration_samples, n));
  const std::string summary = result.summary().dump();
  for (auto* twin : {&result.segnet, &result.posenet}) {
    twin->metadata[scorer::kTwinCalibrationKey] = calibration;
    twin->metadata[scorer::kTwinTrainingKey] = summary;
  }
  return result;
}

}  // namespace tac::twin
