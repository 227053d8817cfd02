// `tac sweep` (compress -> inflate -> eval over codec x scale x crf) and `tac demo` (the tour).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "progress_bar.hpp"
#include "scorer_options.hpp"
#include "tac/core/error.hpp"
#include "tac/pipeline/demo.hpp"
#include "tac/pipeline/sweep.hpp"

namespace {

// tac-inflate beside this tac in the build tree (apps/tac/tac -> apps/tac-inflate/tac-inflate).
std::filesystem::path sibling_tac_inflate() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return self.parent_path().parent_path() / "tac-inflate" / "tac-inflate";
}

struct SweepArgs {
  std::string video, out = "sweep-out";
  std::vector<std::string> codecs{"x265"};
  std::vector<double> scales{0.45};
  std::vector<double> crfs{24, 30, 36};
  tac::cli::ScorerArgs scorer;
};

void run_sweep_cmd(const SweepArgs& a) {
  const auto weights = tac::cli::require_scorer_weights(a.scorer);
  tac::pipeline::ScorerSetup scorer;
  scorer.segnet = weights.segnet;
  scorer.posenet = weights.posenet;
  scorer.threads = tac::cli::resolve_threads(a.scorer.threads);
  scorer.tac_inflate = sibling_tac_inflate();
  const tac::pipeline::SweepGrid grid{a.codecs, a.scales, a.crfs};
  tac::cli::ProgressBar bar("tac sweep", tac::cli::ProgressBar::stderr_is_terminal());
  const auto points = tac::pipeline::run_sweep(
      a.video, grid, a.out, scorer,
      [&bar](const tac::pipeline::SweepPoint& p) {
        bar.print_line(fmt::format("sweep: {} scale {:g} crf {:g} -> {} bytes, score {:.4f}", p.codec, p.scale, p.crf,
                                   p.archive_bytes, p.score));
      },
      bar.callback());
  bar.finish();
  const auto png = tac::pipeline::write_sweep_outputs(points, a.out);
  std::printf("%s", tac::pipeline::sweep_table(points).c_str());
  std::printf("plot: %s\ntable: %s\njson: %s\n", png.c_str(), (std::filesystem::path(a.out) / "sweep.txt").c_str(),
              (std::filesystem::path(a.out) / "sweep.json").c_str());
  if (!points.empty() && !points.front().real_scorer) std::printf("\n%s\n", tac::pipeline::twin_warning().c_str());
}

void register_sweep(CLI::App& app) {
  auto a = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand("sweep", "Compress -> inflate -> eval over a grid of codec x scale x crf; table and RD plot.");
  cmd->footer(
      "Every grid point goes through upstream's evaluate.sh contract: tac compress writes OUT/<point>/ with\n"
      "archive.zip and inflate.sh, the archive is unzipped fresh, inflate.sh runs tac-inflate, and tac eval\n"
      "scores the frames against VIDEO (rate denominator: OUT/videos/, which holds only VIDEO). Prints the\n"
      "table (bytes, rate term, seg, pose, score) and writes OUT/sweep.txt, OUT/sweep.json, OUT/rd.png.\n"
      "\n"
      "Example: tac sweep clip.mkv --segnet twin/segnet.safetensors --posenet twin/posenet.safetensors \\\n"
      "           --codecs x265 svtav1 --scales 0.45 0.6 --crfs 28 34 40");
  cmd->add_option("video", a->video, "Input video")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", a->out, "Output directory")->capture_default_str();
  cmd->add_option("--codecs", a->codecs, "Codecs: x265 svtav1 aom")->capture_default_str();
  cmd->add_option("--scales", a->scales, "Scale factors (0 < s <= 1)")->capture_default_str();
  cmd->add_option("--crfs", a->crfs, "CRF values")->capture_default_str();
  tac::cli::add_scorer_options(*cmd, a->scorer, "Challenge checkout: models/ gives the real scorer");
  cmd->callback([a] { run_sweep_cmd(*a); });
}

struct DemoArgs {
  std::string out = "demo-out", video;
  int frames = 40;
  std::uint64_t seed = 1;
  tac::cli::ScorerArgs scorer;
  bool force = false;
};

void run_demo_cmd(const DemoArgs& a) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  tac::pipeline::DemoOptions o;
  o.out = a.out;
  // --upstream: the real networks and the contest video, unless --segnet/--posenet/--video say otherwise.
  const auto weights = tac::cli::resolve_scorer_weights(a.scorer);
  const auto upstream = tac::cli::upstream_dir(a.scorer);
  o.video = !a.video.empty() || upstream.empty() ? std::filesystem::path(a.video) : upstream / "videos" / "0.mkv";
  if (weights) {
    o.segnet = weights->segnet;
    o.posenet = weights->posenet;
    o.weights_source = weights->source;
  }
  o.frames = a.frames;
  o.seed = a.seed;
  o.threads = tac::cli::resolve_threads(a.scorer.threads);
  o.force = a.force;
  o.tac_inflate = sibling_tac_inflate();
  tac::cli::ProgressBar bar("tac demo", tac::cli::ProgressBar::stderr_is_terminal());
  o.log = [&bar](const std::string& line) { bar.print_line("demo: " + line); };
  o.progress = bar.callback();
  if (!weights) std::fprintf(stderr, "\n%s\n\n", tac::pipeline::twin_warning().c_str());
  const auto r = tac::pipeline::run_demo(o);
  bar.finish();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("tac demo finished in %.1f s\n\n", seconds);
  for (const auto& s : r.stages) {
    std::printf("[%s] %.1f s: %s\n", s.name.c_str(), s.seconds, s.note.c_str());
    for (const auto& f : s.outputs) std::printf("    %s\n", f.c_str());
  }
  std::printf("\n%s\nreport: %s\npage:   %s\n", tac::pipeline::sweep_table(r.points).c_str(), r.report.c_str(), r.html.c_str());
  if (!r.real_scorer) std::printf("\n%s\n", tac::pipeline::twin_warning().c_str());
}

void register_demo(CLI::App& app) {
  auto a = std::make_shared<DemoArgs>();
  auto* cmd = app.add_subcommand("demo", "End to end: synthetic clip -> twin scorer -> compress -> inflate -> eval -> report.");
  cmd->footer(
      "Renders a procedural dashcam clip (tac synth), writes twin scorer weights (seeded random weights in\n"
      "the upstream layout: NOT the real scorer), then compresses it with x265 and SVT-AV1 at two quality\n"
      "levels, inflates each archive through the evaluate.sh contract with tac-inflate, scores it with\n"
      "tac eval, and writes OUT/report.md and OUT/index.html (RD plot, frame comparisons, every stage with\n"
      "its files). With --upstream DIR (a checkout of the challenge repository) it uses the real\n"
      "networks from DIR/models and the contest video DIR/videos/0.mkv instead.\n"
      "\n"
      "Example: tac demo --out demo-out");
  cmd->add_option("-o,--out", a->out, "Output directory")->capture_default_str();
  cmd->add_option("--frames", a->frames, "Frames of the synthetic clip")->check(CLI::Range(2, 100000))->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of the synthetic clip")->capture_default_str();
  cmd->add_option("--video", a->video, "Use this video instead of a synthetic clip")->check(CLI::ExistingFile);
  tac::cli::add_scorer_options(*cmd, a->scorer, "Challenge checkout: real models/ and videos/0.mkv");
  cmd->add_flag("--force", a->force, "Reuse a non-empty output directory");
  cmd->callback([a] { run_demo_cmd(*a); });
}

TAC_REGISTER_COMMAND(70, register_sweep);
TAC_REGISTER_COMMAND(5, register_demo);

}  // namespace
