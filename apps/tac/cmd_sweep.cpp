// `tac sweep`: compress -> inflate -> eval over a codec x scale x crf grid; table and RD plot.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "progress_bar.hpp"
#include "scorer_options.hpp"
#include "sibling_tools.hpp"
#include "tac/core/worker_pool.hpp"
#include "tac/core/error.hpp"
#include "tac/pipeline/sweep.hpp"

namespace {

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
  scorer.threads = tac::resolve_thread_count(a.scorer.threads);
  scorer.tac_inflate = tac::cli::sibling_tac_inflate();
  const tac::pipeline::SweepGrid grid{a.codecs, a.scales, a.crfs};
  tac::cli::ProgressBar bar("tac sweep", tac::cli::ProgressBar::stderr_is_terminal());
  const auto points = tac::pipeline::run_sweep(
      a.video, grid, a.out, scorer,
      [&bar](const tac::pipeline::SweepPoint& p) {
        bar.print_line(fmt::format("sweep: {} scale {:g} crf {:g} -> {} bytes, score {:.4f}", p.codec, p.scale, p.crf,
                                   p.scored.archive_bytes, p.scored.score));
      },
      bar.callback());
  bar.finish();
  const auto chart = tac::pipeline::write_sweep_outputs(points, a.out);
  std::printf("%s", tac::pipeline::sweep_table(points).c_str());
  std::printf("plot: %s\ntable: %s\njson: %s\n", chart.c_str(), (std::filesystem::path(a.out) / "sweep.txt").c_str(),
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
      "table (bytes, rate term, seg, pose, score) and writes OUT/sweep.txt, OUT/sweep.json, OUT/rd.svg.\n"
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

TAC_REGISTER_COMMAND(70, register_sweep);

}  // namespace
