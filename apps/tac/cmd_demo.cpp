// `tac demo`: the end-to-end tour (synth -> twin scorer -> compress -> inflate -> eval -> report).
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
#include "tac/core/stopwatch.hpp"
#include "tac/pipeline/demo.hpp"

namespace {

struct DemoArgs {
  std::string out = "demo-out", video;
  int frames = 40;
  std::uint64_t seed = 1;
  tac::cli::ScorerArgs scorer;
  bool force = false;
  std::string twin = "trained";
  double twin_budget = 120;
};

void run_demo_cmd(const DemoArgs& a) {
  const auto start = tac::SteadyClock::now();
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
  o.threads = tac::resolve_thread_count(a.scorer.threads);
  o.force = a.force;
  o.twin = a.twin;
  o.twin_budget = a.twin_budget;
  o.tac_inflate = tac::cli::sibling_tac_inflate();
  tac::cli::ProgressBar bar("tac demo", tac::cli::ProgressBar::stderr_is_terminal());
  o.log = [&bar](const std::string& line) { bar.print_line("demo: " + line); };
  o.progress = bar.callback();
  if (!weights) std::fprintf(stderr, "\n%s\n\n", tac::pipeline::twin_warning().c_str());
  const auto r = tac::pipeline::run_demo(o);
  bar.finish();
  const double seconds = tac::seconds_since(start);
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
      "Renders a procedural dashcam clip (tac synth), picks twin scorer weights (the upstream layout: NOT the\n"
      "real scorer) -- the trained twin `tac twin --train` installed in the cache ($TAC_CACHE_DIR/twin,\n"
      "$XDG_CACHE_HOME/tac/twin or ~/.cache/tac/twin), else one trained here for --twin-budget seconds on\n"
      "synthetic frames, or with --twin random seeded random weights calibrated on the clip -- then\n"
      "compresses the clip with x265 and SVT-AV1 at two quality\n"
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
  cmd->add_option("--twin", a->twin, "Without real weights: trained (cached or quick) or random twin")
      ->check(CLI::IsMember({"trained", "random"}))
      ->capture_default_str();
  cmd->add_option("--twin-budget", a->twin_budget, "Seconds to train a quick twin when none is cached")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  cmd->callback([a] { run_demo_cmd(*a); });
}

TAC_REGISTER_COMMAND(5, register_demo);

}  // namespace
