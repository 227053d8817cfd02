// `tac twin --out DIR [--seed N] [--calibrate VIDEO | --train ...]`: scorer weights in the exact
// upstream layout — seeded random, optionally with BatchNorm statistics calibrated on frames of a
// video, or trained on synthetic driving frames (--train, twin_train_cli.cpp).
// Built into both executables: `tac` writes plain twins itself and hands --calibrate and --train
// (which run the networks, so need libtorch) to `tac-scorer`, which does everything in-process.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.hpp"
#include "twin_args.hpp"
#include "tac/core/error.hpp"
#include "tac/scorer/twin_weights.hpp"
#if defined(TAC_SCORER_EXECUTABLE)
#include "tac/scorer/twin_calibration.hpp"
#elif defined(TAC_HAVE_SCORER)
#include "scorer_forward.hpp"
#endif

namespace {

using tac::cli::TwinArgs;

void check_output_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
    tac::fail(tac::ErrorKind::usage, "--out {}: exists and is not a directory", dir.string());
}

}  // namespace

std::vector<std::string> tac::cli::TwinArgs::forwarded() const {
  std::vector<std::string> args{"--out", out, "--seed", std::to_string(seed)};
  if (!calibrate.empty()) args.insert(args.end(), {"--calibrate", calibrate, "--samples", std::to_string(samples)});
  args.insert(args.end(), {"--threads", std::to_string(threads)});
  if (train) {
    args.insert(args.end(), {"--train", "--clips", std::to_string(clips), "--pairs", std::to_string(pairs), "--held-out-clips",
                             std::to_string(held_out_clips), "--held-out-pairs", std::to_string(held_out_pairs)});
    if (steps > 0) args.insert(args.end(), {"--steps", std::to_string(steps)});
    if (budget > 0) args.insert(args.end(), {"--budget", fmt::format("{}", budget)});
    if (resume) args.push_back("--resume");
    if (!init_from.empty()) args.insert(args.end(), {"--init-from", init_from});
    if (json) args.push_back("--json");
    if (no_cache) args.push_back("--no-cache");
    if (stop_after > 0) args.insert(args.end(), {"--stop-after", std::to_string(stop_after)});
    args.insert(args.end(), {"--seg-batch", std::to_string(seg_batch), "--pose-batch", std::to_string(pose_batch), "--crop", crop,
                             "--seg-lr", fmt::format("{}", seg_lr), "--pose-lr", fmt::format("{}", pose_lr),
                             "--pose-gaps", std::to_string(pose_gaps), "--pose-moves", std::to_string(pose_moves), "--pose-flow", fmt::format("{}", pose_flow), "--weight-average", fmt::format("{}", weight_average), "--pose-stem", pose_stem, "--pose-batchnorm", pose_batchnorm, "--pose-batch-from", pose_batch_from, "--eval-every", std::to_string(eval_every), "--refresh-scenes", std::to_string(refresh_scenes), "--refresh-every", std::to_string(refresh_every)});
  }
  return args;
}

namespace {

void run_twin(const TwinArgs& a) {
  using tac::scorer::Network;
  const std::filesystem::path dir = a.out;
  check_output_dir(dir);
  if (a.train && !a.calibrate.empty()) tac::fail(tac::ErrorKind::usage, "--train and --calibrate exclude each other (a trained twin is calibrated)");
  if (a.train && a.steps <= 0 && a.budget <= 0) tac::fail(tac::ErrorKind::usage, "--train needs --steps N or --budget SECONDS");
#if !defined(TAC_SCORER_EXECUTABLE)
  if (!a.calibrate.empty() || a.train) {  // before any work here: tac-scorer makes the twins itself
#if defined(TAC_HAVE_SCORER)
    tac::cli::run_in_scorer("twin", a.forwarded());
#else
    tac::fail(tac::ErrorKind::usage, "--calibrate and --train run the scorer networks, and this build has none (configured with TAC_WITH_TORCH=OFF)");
#endif
  }
#else
  if (a.train) {
    tac::cli::run_twin_training(a);
    return;
  }
#endif
  auto segnet = tac::scorer::make_twin(Network::SegNet, a.seed);
  auto posenet = tac::scorer::make_twin(Network::PoseNet, a.seed);
  std::string calibration = "none";
#if defined(TAC_SCORER_EXECUTABLE)
  if (!a.calibrate.empty()) {
    tac::scorer::TwinCalibrationOptions options;
    options.samples = a.samples;
    options.threads = a.threads;
    std::fprintf(stderr, "calibrating BatchNorm statistics on %d frame pairs of %s ...\n", a.samples,
                 a.calibrate.c_str());
    const auto summary = tac::scorer::calibrate_twins(segnet, posenet, a.calibrate, options);
    std::printf("calibrated %lld SegNet and %lld PoseNet BatchNorm layers on %lld samples (%lld batches)\n",
                static_cast<long long>(summary.segnet_layers), static_cast<long long>(summary.posenet_layers),
                static_cast<long long>(summary.samples), static_cast<long long>(summary.batches));
    calibration = summary.description;
  }
#endif
  std::filesystem::create_directories(dir);
  for (const auto* twin : {&segnet, &posenet}) {
    const auto path = dir / (std::string(tac::scorer::network_name(twin->network)) + ".safetensors");
    tac::scorer::write_twin(*twin, path);
    std::printf("wrote %s (%zu tensors, twin seed %llu, calibration %s)\n", path.c_str(), twin->tensors.size(),
                static_cast<unsigned long long>(a.seed), calibration.c_str());
  }
  std::printf("twin weights are for testing the pipeline only: scores made with them are not contest scores\n");
}

void register_twin(CLI::App& app) {
  auto a = std::make_shared<TwinArgs>();
  auto* cmd = app.add_subcommand("twin", "Write seeded random scorer weights (a twin) in the exact upstream layout.");
  cmd->footer(
      "Writes DIR/segnet.safetensors and DIR/posenet.safetensors with the upstream state_dict key names and\n"
      "shapes and seeded random values; their __metadata__ marks them as a twin (seed, calibration), and\n"
      "every report made with them says so. For running the pipeline without the real weights only:\n"
      "a twin's distortions and scores say nothing about the contest.\n"
      "\n"
      "--calibrate VIDEO replaces every BatchNorm's running mean/variance by statistics measured on the\n"
      "first --samples frame pairs of VIDEO (874x1164, preprocessed as the scorer does), with the\n"
      "networks in training mode, as PyTorch calibrates a model. Uncalibrated twins have identity\n"
      "statistics, so their activations drift in scale through the layers; calibrated ones respond to\n"
      "video content more like trained networks. Takes ~10-30 s on 2 cores.\n"
      "\n"
      "--train trains both networks from that seeded initialization on procedural driving frames (tac\n"
      "synth scenes of --clips seeds, --pairs frame pairs each, preprocessed exactly as the scorer does):\n"
      "SegNet on the renderer's per-pixel classes (cross-entropy on crops of its 384x512 input), PoseNet's\n"
      "first six outputs on the pair's true motion (forward, right, down m; roll, pitch, yaw rad). Stops\n"
      "after --steps or --budget seconds of training, calibrates BatchNorm, measures pixel accuracy, IoU\n"
      "and pose R2 on held-out scenes (seeds never trained on) and writes DIR/training.json beside the\n"
      "weights, whose metadata marks them a trained twin. DIR/checkpoint.pt is saved every 50 steps;\n"
      "--resume continues from it (same options). Deterministic for a seed, --steps and --threads.\n"
      "The result is also installed as the cached twin `tac demo` uses ($TAC_CACHE_DIR/twin,\n"
      "$XDG_CACHE_HOME/tac/twin or ~/.cache/tac/twin) unless --no-cache.\n"
      "\n"
      "Examples:\n"
      "  tac twin --out twin/\n"
      "  tac twin --out twin/ --seed 7 --calibrate clip.mkv --samples 8\n"
      "  tac twin --train --out twin/ --budget 1800 --threads 2\n"
      "  tac twin --train --out twin/ --steps 600 --resume\n"
      "  tac twin --train --out twin/ --budget 3600 --clips 960 --pairs 2 --refresh-scenes 160 --refresh-every 50");
  cmd->add_option("--out", a->out, "Output directory")->required();
  cmd->add_option("--seed", a->seed, "Random seed")->capture_default_str();
  cmd->add_option("--calibrate", a->calibrate, "Calibrate BatchNorm statistics on frames of this video")
      ->check(CLI::ExistingFile);
  cmd->add_option("--samples", a->samples, "Frame pairs used by --calibrate")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->add_flag("--train", a->train, "Train the twins on synthetic driving frames");
  cmd->add_option("--steps", a->steps, "--train: optimization steps")->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000}));
  cmd->add_option("--budget", a->budget, "--train: seconds of training")->check(CLI::Range(1.0, 1e7));
  cmd->add_option("--clips", a->clips, "--train: training scenes (seeds)")->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--pairs", a->pairs, "--train: frame pairs per training scene")->check(CLI::Range(1, 600))->capture_default_str();
  cmd->add_option("--held-out-clips", a->held_out_clips, "--train: evaluation scenes")->check(CLI::Range(1, 100))->capture_default_str();
  cmd->add_option("--held-out-pairs", a->held_out_pairs, "--train: pairs per evaluation scene")->check(CLI::Range(1, 600))->capture_default_str();
  cmd->add_flag("--resume", a->resume, "--train: continue from DIR/checkpoint.pt");
  cmd->add_flag("--json", a->json, "--train: print training.json instead of the table");
  cmd->add_option("--stop-after", a->stop_after, "--train: stop after this step, keeping the checkpoint for --resume")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000}));
  cmd->add_option("--seg-batch", a->seg_batch, "--train: SegNet crops per step")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--pose-batch", a->pose_batch, "--train: PoseNet pairs per step")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--crop", a->crop, "--train: SegNet crop HxW (multiples of 32, at most 384x512)")->capture_default_str();
  cmd->add_option("--seg-lr", a->seg_lr, "--train: SegNet's peak learning rate")->check(CLI::Range(1e-7, 1.0))->capture_default_str();
  cmd->add_option("--pose-lr", a->pose_lr, "--train: PoseNet's peak learning rate")->check(CLI::Range(1e-7, 1.0))->capture_default_str();
  cmd->add_option("--pose-gaps", a->pose_gaps,
                  "--train: pair each training pair's first frame with the next 1..N frames; a PoseNet batch holds all of them, so only "
                  "the motion tells them apart (held-out pairs are always consecutive frames, as the contest pairs them)")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  cmd->add_option("--pose-moves", a->pose_moves,
                  "--train: also pair each training pair's first frame with N views from its pose moved by random car motions "
                  "(arcs up to 32 m/s, turns up to 0.35 rad/s): motions independent of the scene, so PoseNet cannot guess them from "
                  "which scene it sees")
      ->check(CLI::Range(0, 8))
      ->capture_default_str();
  cmd->add_option("--pose-flow", a->pose_flow,
                  "--train: weight of PoseNet's flow supervision: a training-only head on its stride-8 and stride-16 features "
                  "learns where the road moved between the two frames, a target at every position (0: off)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  cmd->add_option("--weight-average", a->weight_average,
                  "--train: evaluate and export an exponential moving average of each network's weights with this decay "
                  "(e.g. 0.995: about the last 200 steps) instead of the last step's, whose held-out accuracy swings with each "
                  "step's noise; training is unchanged (0: off)")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
  cmd->add_option("--pose-stem", a->pose_stem,
                  "--train: how PoseNet's first convolution starts: 'change' (half its filters see the second frame minus the "
                  "first) or 'seeded' (the seeded random twin's)")
      ->check(CLI::IsMember({"change", "seeded"}))
      ->capture_default_str();
  cmd->add_option("--pose-batchnorm", a->pose_batchnorm,
                  "--train: PoseNet's BatchNorm while training: 'running' (statistics measured on the training pool every 25 "
                  "steps, as the trained twin runs) or 'batch' (each batch's own, PyTorch's train mode)")
      ->check(CLI::IsMember({"running", "batch"}))
      ->capture_default_str();
  cmd->add_option("--pose-batch-from", a->pose_batch_from,
                  "--train: a PoseNet batch takes whole 'groups' (a first frame with its gaps and moves), single 'samples' of "
                  "any group (as many first frames as pairs), or only 'consecutive' pairs (each group's gap 1, as held out and "
                  "scored: the second stage of a curriculum, with --init-from)")
      ->check(CLI::IsMember({"groups", "samples", "consecutive"}))
      ->capture_default_str();
  cmd->add_option("--init-from", a->init_from,
                  "--train: start from the networks of another run's checkpoint.pt (fresh optimizers and schedule): the next stage "
                  "of a curriculum. Its pool may differ (more scenes, other gaps): PoseNet's head is carried into this pool's "
                  "units, which the checkpoint records");
  cmd->add_option("--eval-every", a->eval_every, "--train: also measure the held-out PoseNet R² every N steps (0: only at the end)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->add_option("--refresh-scenes", a->refresh_scenes,
                  "--train: every --refresh-every steps, replace this many of the pool's oldest scenes by new ones (the next seeds), "
                  "so training sees more scenes than memory holds at once (0: the same --clips scenes throughout)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  cmd->add_option("--refresh-every", a->refresh_every, "--train: steps between refreshes of the pool (with --refresh-scenes)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->add_flag("--no-cache", a->no_cache, "--train: do not install the result as the cached twin tac demo uses");
  cmd->add_option("--threads", a->threads, "libtorch threads for --calibrate/--train (0 = one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->callback([a] { run_twin(*a); });
}

TAC_REGISTER_COMMAND(55, register_twin);

}  // namespace
