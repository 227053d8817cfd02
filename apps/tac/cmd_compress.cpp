// `tac compress VIDEO -o SUBMISSION_DIR`: the classical lane (libav encoder at a reduced size).

#include <chrono>
#include <cstdio>
#include <string>

#include "commands.hpp"
#include "sibling_tools.hpp"
#include "progress_bar.hpp"
#include "tac/codec/classical/frame_scaler.hpp"
#include "tac/codec/classical/submission.hpp"
#include "tac/core/error.hpp"

namespace {

// The CLI binds straight into the library's options: one meaning per option, no copy to drift.
struct CompressArgs {
  std::string video;
  std::string output;
  tac::codec::classical::SubmissionOptions options;
  CLI::Option* threads_option = nullptr;
};

void run_compress(CompressArgs& args) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto& options = args.options;
  options.compress.threads_explicit = args.threads_option->count() > 0;
  options.tac_inflate_hint = tac::cli::sibling_tac_inflate();
  tac::cli::ProgressBar bar("tac compress", tac::cli::ProgressBar::stderr_is_terminal());
  options.compress.progress = bar.callback();
  const auto result = tac::codec::classical::write_submission(args.video, args.output, options);
  bar.finish();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto& s = result.stream.settings;
  std::printf("compressed %lld frames %dx%d -> %dx%d with %s (crf %g, preset %s) in %.2f s\n",
              static_cast<long long>(result.stream.frames), result.stream.source_width, result.stream.source_height, s.width,
              s.height, s.codec.c_str(), s.crf.value_or(-1), s.preset.c_str(), seconds);
  std::printf("  archive:    %s (member %s)\n  inflate.sh: %s\n", result.archive.c_str(), result.member.c_str(),
              result.inflate_script.c_str());
  std::printf("  archive bytes: %llu\n  original bytes: %llu (%s)\n  rate: %.8f\n  rate term (25 * rate): %.8f\n",
              static_cast<unsigned long long>(result.archive_bytes), static_cast<unsigned long long>(result.original_bytes),
              args.video.c_str(), result.rate, result.rate_term);
}

void register_compress(CLI::App& app) {
  auto args = std::make_shared<CompressArgs>();
  auto* cmd = app.add_subcommand("compress", "Compress a video into a submission directory (classical codec lane).");
  cmd->footer(
      "Decodes VIDEO, downscales it with libswscale and encodes it with a libav encoder into Matroska,\n"
      "then writes SUBMISSION_DIR/archive.zip (one stored member, fixed timestamps: the same input and\n"
      "options give the same bytes) and SUBMISSION_DIR/inflate.sh (upstream evaluate.sh contract:\n"
      "inflate.sh ARCHIVE_DIR OUTPUT_DIR NAMES_FILE, run by tac-inflate). Prints the archive size, the\n"
      "rate (archive bytes / VIDEO bytes) and the score's rate term 25 * rate.\n"
      "\n"
      "Defaults for --codec x265 are upstream baseline_fast's compress.sh: --scale 0.45 lanczos,\n"
      "--preset ultrafast --crf 30 --gop 1, no B-frames, x265 params scenecut=0:frame-threads=4.\n"
      "svtav1: --crf 35 --preset 8. aom: --crf 35 --preset 6 (cpu-used).\n"
      "\n"
      "Example: tac compress videos/0.mkv -o sub --codec svtav1 --crf 40 --scale 0.5");
  auto& c = args->options.compress;
  cmd->add_option("video", args->video, "Input video")->required();
  cmd->add_option("-o,--output", args->output, "Submission directory to write")->required();
  cmd->add_option("--codec", c.codec, "x265, svtav1 or aom")->capture_default_str();
  cmd->add_option("--scale", c.scale, "Downscale factor, 0 < s <= 1 (output size trunc(iw*s/2)*2)")->capture_default_str();
  cmd->add_option("--filter", c.filter, "Resampling filter: " + tac::codec::classical::swscale_filter_names())
      ->capture_default_str();
  cmd->add_option("--crf", c.crf, "Constant rate factor (codec default when omitted)");
  cmd->add_option("--preset", c.preset, "Encoder preset (x265 name, SVT-AV1 number, aom cpu-used)");
  cmd->add_option("--gop", c.gop, "Keyframe interval (x265 default 1 = all-intra)");
  cmd->add_option("--tune", c.tune, "Encoder tune (x265: psnr, ssim, grain, ...; aom: psnr, ssim)");
  cmd->add_option("--params", c.params, "Extra encoder parameters k=v:k=v (x265-params / svtav1-params / aom-params)");
  cmd->add_option("--member", args->options.member, "Archive member name (default <VIDEO stem>.mkv)");
  args->threads_option =
      cmd->add_option("--threads", c.threads,
                      "Pinned encoder threads (svtav1 lp, aom threads; x265 pools only when given, its output\n"
                      "depends on frame-threads, default 4, set with --params)")
          ->check(CLI::Range(1, 64))
          ->capture_default_str();
  cmd->add_flag("--force", args->options.force, "Write into an output directory that holds other files");
  cmd->callback([args] { run_compress(*args); });
}

TAC_REGISTER_COMMAND(30, register_compress);

}  // namespace
