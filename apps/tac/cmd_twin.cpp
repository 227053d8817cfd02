// `tac twin --out DIR [--seed N] [--calibrate VIDEO]`: seeded random scorer weights in the exact
// upstream layout, optionally with BatchNorm statistics calibrated on frames of a video.
// Built into both executables: `tac` writes plain twins itself and hands --calibrate (which runs
// the networks, so needs libtorch) to `tac-scorer`, which does everything in-process.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.hpp"
#include "tac/core/error.hpp"
#include "tac/scorer/twin_weights.hpp"
#if defined(TAC_SCORER_EXECUTABLE)
#include "tac/scorer/twin_calibration.hpp"
#elif defined(TAC_HAVE_SCORER)
#include "scorer_forward.hpp"
#endif

namespace {

struct TwinArgs {
  std::string out;
  std::uint64_t seed = 704;
  std::string calibrate;
  int samples = 8;
  int threads = 0;
};

void check_output_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
    tac::fail(tac::ErrorKind::usage, "--out {}: exists and is not a directory", dir.string());
}

void run_twin(const TwinArgs& a) {
  using tac::scorer::Network;
  const std::filesystem::path dir = a.out;
  check_output_dir(dir);
#if !defined(TAC_SCORER_EXECUTABLE)
  if (!a.calibrate.empty()) {  // before any work here: tac-scorer makes the twins itself
#if defined(TAC_HAVE_SCORER)
    tac::cli::run_in_scorer("twin", {"--out", a.out, "--seed", std::to_string(a.seed), "--calibrate", a.calibrate,
                                     "--samples", std::to_string(a.samples), "--threads", std::to_string(a.threads)});
#else
    tac::fail(tac::ErrorKind::usage, "--calibrate runs the scorer networks, and this build has none (configured with TAC_WITH_TORCH=OFF)");
#endif
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
      "Examples:\n"
      "  tac twin --out twin/\n"
      "  tac twin --out twin/ --seed 7 --calibrate clip.mkv --samples 8");
  cmd->add_option("--out", a->out, "Output directory")->required();
  cmd->add_option("--seed", a->seed, "Random seed")->capture_default_str();
  cmd->add_option("--calibrate", a->calibrate, "Calibrate BatchNorm statistics on frames of this video")
      ->check(CLI::ExistingFile);
  cmd->add_option("--samples", a->samples, "Frame pairs used by --calibrate")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "libtorch threads for --calibrate (0 = one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->callback([a] { run_twin(*a); });
}

TAC_REGISTER_COMMAND(55, register_twin);

}  // namespace
