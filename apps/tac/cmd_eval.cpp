// `tac eval`: score a submission like upstream evaluate.sh + evaluate.py (docs/eval.md).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "comma_lab/custody/runtime_identity.hpp"
#include "comma_lab/sandbox/sandboxed_inflate.hpp"
#include "commands.hpp"
#include "progress_bar.hpp"
#include "scorer_options.hpp"
#include "tac/core/worker_pool.hpp"
#include "tac/core/error.hpp"
#include "tac/eval/distributed.hpp"
#include "tac/eval/evaluation.hpp"

namespace {

namespace fs = std::filesystem;

struct EvalArgs {
  std::string submission_dir;
  std::string uncompressed_dir;
  std::string video_names_file;
  std::string device = "cpu";
  int batch_size = 16;
  std::string report;
  tac::cli::ScorerArgs scorer;
  int forward_batch = 0;
  std::string json;
  bool skip_inflate = false;
  bool reinflate = false;
  bool lenient = false;
  bool no_cache = false;
  std::string cache_dir;
  bool no_progress = false;
  int dist_timeout = 1800;
  bool sandbox = false;
  double sandbox_timeout = 1800;
};

// Step 2 through the lab's sandbox: no network, the originals and the scorer weights hidden. The
// run's process facts (wall, CPU, peak memory) land in `last` for the record.
tac::eval::InflateRunner sandboxed_inflate_runner(const tac::eval::EvalOptions& o, double timeout,
                                                  std::shared_ptr<nlohmann::json> last) {
  namespace sb = comma_lab::sandbox;
  sb::InflateRunOptions options;
  options.sandbox.hidden = {fs::absolute(o.uncompressed_dir), fs::absolute(o.segnet_weights), fs::absolute(o.posenet_weights)};
  options.sandbox.wall_limit_seconds = timeout;
  options.unzip = false;  // the evaluation's own step 1 has unzipped
  return [options, last](const fs::path& submission, const fs::path& names) {
    const auto run = sb::run_inflate_sandboxed(submission, names, options);
    const auto& p = run.process;
    *last = {{"process", p.describe()}, {"wall_seconds", p.wall_seconds}, {"user_seconds", p.user_seconds},
             {"system_seconds", p.system_seconds}, {"peak_rss_mb", p.peak_rss_mb}, {"wall_limit_seconds", options.sandbox.wall_limit_seconds},
             {"isolation", "namespaces: empty network, private /tmp and PID space; original videos and scorer weights hidden"}};
    if (!p.succeeded()) {
      std::error_code ec;
      fs::remove_all(submission / "inflated", ec);  // no half-inflated output left behind
      tac::fail(p.timed_out ? tac::ErrorKind::limit_exceeded : tac::ErrorKind::corrupt_input,
                "{}: inflate.sh in the sandbox: {}", (submission / "inflate.sh").string(), p.describe());
    }
    return p.wall_seconds;
  };
}

void run_eval(const EvalArgs& a) {
  using tac::ErrorKind;
  using tac::fail;
  tac::eval::EvalOptions o;
  o.submission_dir = a.submission_dir;
  // --upstream DIR: a checkout of the challenge repository supplies videos/, models/ and the names file.
  fs::path uncompressed = a.uncompressed_dir, names = a.video_names_file;
  if (const fs::path up = tac::cli::upstream_dir(a.scorer); !up.empty()) {
    if (uncompressed.empty()) uncompressed = up / "videos";
    if (names.empty()) names = up / "public_test_video_names.txt";
  }
  if (uncompressed.empty()) fail(ErrorKind::usage, "--uncompressed-dir (or --upstream) is required");
  if (names.empty()) fail(ErrorKind::usage, "--video-names-file (or --upstream) is required");
  o.uncompressed_dir = uncompressed;
  o.video_names_file = names;
  const auto weights = tac::cli::require_scorer_weights(a.scorer);
  o.segnet_weights = weights.segnet;
  o.posenet_weights = weights.posenet;
  o.device = tac::scorer::parse_device(a.device);
  o.batch_size = a.batch_size;
  o.threads = tac::resolve_thread_count(a.scorer.threads);
  o.forward_batch = a.forward_batch;
  o.report_path = a.report.empty() ? fs::path(a.submission_dir) / "report.txt" : fs::path(a.report);
  if (!a.json.empty()) o.json_path = a.json;
  if (a.skip_inflate && a.reinflate) fail(ErrorKind::usage, "--skip-inflate and --reinflate exclude each other");
  o.inflate = a.skip_inflate ? tac::eval::InflateMode::Never
              : a.reinflate ? tac::eval::InflateMode::Always
                            : tac::eval::InflateMode::Auto;
  o.lenient = a.lenient;
  o.use_cache = !a.no_cache;
  o.cache_dir = a.cache_dir;
  auto sandbox_run = std::make_shared<nlohmann::json>();
  if (a.sandbox) o.inflate_runner = sandboxed_inflate_runner(o, a.sandbox_timeout, sandbox_run);
  // Custody for the record (only written with --json): the runtime the archive was inflated with,
  // taken before inflate writes anything.
  if (o.json_path) {
    const auto runtime = comma_lab::custody::to_json(comma_lab::custody::runtime_identity(o.submission_dir));
    o.amend_record = [runtime, sandbox_run](nlohmann::json& record) {
      record["runtime"] = runtime;
      if (!sandbox_run->is_null()) record["inflate_sandbox"] = *sandbox_run;
    };
  }

  const auto env = tac::eval::distributed_environment_from_env();
  std::unique_ptr<tac::eval::Communicator> comm;
  if (env.world_size > 1) {
    if (a.dist_timeout < 1) fail(ErrorKind::usage, "--dist-timeout must be at least 1 second");
    comm = tac::eval::connect(env, std::chrono::seconds(a.dist_timeout));
    o.comm = comm.get();
  }

  // The config block: tac's own settings (keys sorted by the report writer).
  o.config = {
      {"batch_size", std::to_string(a.batch_size)},
      {"device", a.device},
      {"num_threads", tac::cli::threads_description(a.scorer.threads)},
      {"report", o.report_path.string()},
      {"submission_dir", a.submission_dir},
      {"uncompressed_dir", o.uncompressed_dir.string()},
      {"video_names_file", o.video_names_file.string()},
      {"segnet", o.segnet_weights.string()},
      {"posenet", o.posenet_weights.string()},
      {"inflate", a.skip_inflate ? "never (--skip-inflate)" : a.reinflate ? "always" : "when inflated/ is missing"},
      {"lenient", a.lenient ? "true" : "false"},
      {"gt_cache", a.no_cache ? "off" : (a.cache_dir.empty() ? "default" : a.cache_dir)},
      {"world_size", std::to_string(env.world_size)},
  };
  if (a.sandbox) o.config.emplace_back("inflate_sandbox", fmt::format("namespaces, no network, originals hidden, {:g} s limit", a.sandbox_timeout));
  // One bar, on rank 0 only.
  tac::cli::ProgressBar bar(env.world_size > 1 ? fmt::format("tac eval (rank {}/{})", env.rank, env.world_size) : "tac eval",
                            !a.no_progress && env.rank == 0 && tac::cli::ProgressBar::stderr_is_terminal());
  o.progress = bar.callback();
  const auto result = tac::eval::run_evaluation(o);
  bar.finish();
  std::fwrite(result.report.data(), 1, result.report.size(), stdout);  // empty on ranks other than 0
  std::fflush(stdout);
}

void register_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Score a submission exactly like upstream evaluate.sh / evaluate.py.");
  cmd->footer(
      "Unzips SUB/archive.zip into SUB/archive and runs `bash SUB/inflate.sh SUB/archive SUB/inflated NAMES`\n"
      "when SUB/inflated/ is missing (as evaluate.sh does), checks every expected .raw, scores all samples\n"
      "with SegNet and PoseNet, and writes upstream's report.txt (config block: tac's settings; results\n"
      "block: upstream's exact lines) plus, with --json, an evaluation record. Sharded runs: set RANK,\n"
      "WORLD_SIZE, MASTER_ADDR, MASTER_PORT as torchrun does. See docs/eval.md.");
  cmd->add_option("--submission-dir", a->submission_dir, "Submission directory holding archive.zip and inflate.sh")->required();
  cmd->add_option("--uncompressed-dir", a->uncompressed_dir, "Directory of the original videos (rate = archive bytes / all its bytes)");
  cmd->add_option("--video-names-file", a->video_names_file, "File listing the video names, one per line");
  cmd->add_option("--device", a->device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--batch-size", a->batch_size, "Samples decoded and scored per step (upstream: 16)")->check(CLI::Range(1, 4096));
  cmd->add_option("--report", a->report, "Where to write report.txt (default SUB/report.txt)");
  tac::cli::add_scorer_options(*cmd, a->scorer, "Checkout of the challenge repository: videos/, models/, public_test_video_names.txt");
  cmd->add_option("--forward-batch", a->forward_batch, "Samples per network forward (0: 4); memory grows ~15 MB per sample")->check(CLI::Range(0, 4096));
  cmd->add_option("--json", a->json, "Write the evaluation record (JSON) to this file");
  cmd->add_flag("--skip-inflate", a->skip_inflate, "Score the existing SUB/inflated/ frames; never unzip or inflate");
  cmd->add_flag("--reinflate", a->reinflate, "Always unzip and run inflate.sh, even when SUB/inflated/ exists");
  cmd->add_flag("--lenient", a->lenient, "Accept .raw files with trailing bytes or a frame count other than the original's, as upstream does");
  cmd->add_flag("--no-cache", a->no_cache, "Do not read or write the ground-truth cache");
  cmd->add_flag("--sandbox", a->sandbox,
                "Run inflate.sh as `tac lab run-inflate` does: fresh namespaces, no network, the original videos and\n"
                "scorer weights hidden");
  cmd->add_option("--sandbox-timeout", a->sandbox_timeout, "Wall-clock limit of the sandboxed inflate.sh, seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--cache-dir", a->cache_dir, "Ground-truth cache directory (default $TAC_CACHE_DIR/gt or ~/.cache/tac/gt)");
  cmd->add_flag("--no-progress", a->no_progress, "No progress bar on stderr");
  cmd->add_option("--dist-timeout", a->dist_timeout, "Seconds a sharded run waits for the other ranks")->check(CLI::Range(1, 86400));
  cmd->callback([a] { run_eval(*a); });
}

TAC_REGISTER_COMMAND(50, register_eval);

}  // namespace
