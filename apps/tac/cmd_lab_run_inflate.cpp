// `tac lab run-inflate SUBMISSION_DIR`: evaluate.sh's unzip + inflate.sh + .raw checks, with
// inflate.sh inside fresh Linux namespaces (no network, the originals hidden, a private /tmp)
// under a wall-clock limit. Exit status 0 when inflate succeeded and every .raw is as expected.
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "comma_lab/sandbox/sandboxed_inflate.hpp"
#include "commands.hpp"
#include "lab_group.hpp"
#include "tac/core/output_file.hpp"

namespace {
namespace fs = std::filesystem;

// `tac lab run-inflate --help` after the options.
constexpr const char* kRunInflateHelp =
    "Unzips SUB/archive.zip into SUB/archive, then runs `bash SUB/inflate.sh SUB/archive SUB/inflated NAMES` in fresh\n"
    "Linux namespaces: an empty network namespace (every connection fails), a private /tmp, its own PID space,\n"
    "and every --hide path covered (an empty directory, or /dev/null for a file). Past --timeout the whole\n"
    "process tree is killed and the run reported as timed out. Then checks every expected .raw: present,\n"
    "whole 1164x874 RGB frames, and --frames of them when given. Reports wall time, CPU time and the peak\n"
    "memory of the largest process; inflate.sh's output goes to --log.\n"
    "\n"
    "Example: tac lab run-inflate sub --hide videos --hide models --frames 1200";

struct RunInflateArgs {
  std::string dir;
  std::string names;
  std::vector<std::string> hide;
  double timeout = 1800;
  int cpus = 0;
  std::optional<std::int64_t> frames;
  std::string log;
  bool no_unzip = false;
  bool json = false;
};

nlohmann::json to_json(const comma_lab::sandbox::InflateRun& run) {
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& o : run.outputs)
    outputs.push_back({{"video", o.video}, {"raw", o.raw.string()}, {"bytes", o.bytes}, {"frames", o.frames},
                       {"ok", o.problem.empty()}, {"problem", o.problem}});
  const auto& p = run.process;
  return {{"succeeded", run.succeeded()}, {"process", p.describe()}, {"timed_out", p.timed_out},
          {"exit_status", p.exit_status}, {"signal", p.signal}, {"wall_seconds", p.wall_seconds},
          {"user_seconds", p.user_seconds}, {"system_seconds", p.system_seconds}, {"peak_rss_mb", p.peak_rss_mb},
          {"outputs", outputs}};
}

void run_run_inflate(const RunInflateArgs& a) {
  namespace sb = comma_lab::sandbox;
  sb::InflateRunOptions options;
  for (const auto& h : a.hide) options.sandbox.hidden.emplace_back(fs::absolute(h));
  options.sandbox.wall_limit_seconds = a.timeout;
  options.sandbox.cpus = a.cpus;
  // The log goes beside SUB by default: every file inside SUB counts as runtime.
  const fs::path sub = fs::absolute(a.dir).lexically_normal();
  const fs::path sub_dir = sub.has_filename() ? sub : sub.parent_path();
  options.sandbox.log = a.log.empty() ? sub_dir.parent_path() / (sub_dir.filename().string() + ".inflate.log") : fs::absolute(a.log);
  options.frames = a.frames;
  options.unzip = !a.no_unzip;
  fs::path names = a.names;
  std::unique_ptr<fs::path, void (*)(fs::path*)> made(nullptr, [](fs::path* p) {
    std::error_code ec;
    fs::remove(*p, ec);
    delete p;
  });
  if (names.empty()) {  // the contest's one video; written outside SUB, whose files are all runtime
    names = fs::temp_directory_path() / fmt::format("tac-run-inflate-names-{}.txt", ::getpid());
    tac::write_file_atomic(names, std::string("0.mkv\n"));
    made.reset(new fs::path(names));
  }
  const auto run = sb::run_inflate_sandboxed(a.dir, names, options);
  if (a.json) {
    auto j = to_json(run);
    j["submission_dir"] = a.dir;
    j["log"] = options.sandbox.log.string();
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    const auto& p = run.process;
    std::printf("inflate.sh: %s in %.2f s wall, %.2f s CPU (user %.2f + system %.2f), peak RSS %.0f MB\n",
                p.describe().c_str(), p.wall_seconds, p.user_seconds + p.system_seconds, p.user_seconds, p.system_seconds,
                p.peak_rss_mb);
    for (const auto& o : run.outputs)
      std::printf("  %-8s %s: %s\n", o.problem.empty() ? "ok" : "PROBLEM", o.raw.string().c_str(),
                  o.problem.empty() ? fmt::format("{} frames", o.frames).c_str() : o.problem.c_str());
    std::printf("log: %s\n%s: %s\n", options.sandbox.log.c_str(), a.dir.c_str(), run.succeeded() ? "PASS" : "FAIL");
  }
  tac::cli::exit_status() = run.succeeded() ? 0 : 1;
}

void register_run_inflate(CLI::App& app) {
  auto args = std::make_shared<RunInflateArgs>();
  auto* cmd = tac::cli::add_lab_verb(app, "run-inflate", "Run inflate.sh as evaluate.sh would, sandboxed: no network, originals hidden, a wall-clock limit.", kRunInflateHelp);
  cmd->add_option("dir", args->dir, "Submission directory (archive.zip, inflate.sh)")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--names", args->names, "Video names file (default: the contest's one video, 0.mkv)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--hide", args->hide, "A path inflate.sh must not see (original videos, scorer weights); repeatable");
  cmd->add_option("--timeout", args->timeout, "Wall-clock limit in seconds (the contest's 30 minutes)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--cpus", args->cpus, "Run on this many CPUs (0: all the caller has)")->check(CLI::Range(0, 4096));
  cmd->add_option("--frames", args->frames, "Frames every .raw must hold")->check(CLI::PositiveNumber);
  cmd->add_option("--log", args->log, "Where inflate.sh's output goes (default SUB.inflate.log beside SUB)");
  cmd->add_flag("--no-unzip", args->no_unzip, "Use SUB/archive as it is");
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->callback([args] { run_run_inflate(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(87, register_run_inflate);
