// `tac lab intake SUBMISSION_DIR`: check -> tac eval (inflate.sh sandboxed) -> grade -> ledger row,
// and a short verdict. Exit status 0 when every stage ran (whatever the grade), 1 when it stopped.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "comma_lab/intake/intake.hpp"
#include "comma_lab/ledger/ledger.hpp"
#include "commands.hpp"
#include "lab_group.hpp"
#include "scorer_options.hpp"
#include "tac/core/error.hpp"

extern char** environ;

namespace {
namespace fs = std::filesystem;

struct IntakeArgs {
  std::string dir, uncompressed_dir, names, note, db, out;
  tac::cli::ScorerArgs scorer;
  double timeout = 1800;
  bool strict = false;
  bool json = false;
};

std::string tail_of(const fs::path& log, std::size_t lines) {
  std::ifstream in(log);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "\n  " + all[i];
  return out;
}

// `tac eval` of the submission by this same tac, inflate.sh in the sandbox; its output goes to eval.log
// beside the record.
void evaluate(const IntakeArgs& a, const fs::path& sub, const fs::path& record) {
  std::vector<std::string> args{"tac", "eval", "--submission-dir", sub.string(), "--sandbox", "--sandbox-timeout",
                                fmt::format("{}", a.timeout), "--reinflate", "--no-progress", "--json", record.string(),
                                "--threads", std::to_string(a.scorer.threads)};
  const auto add = [&](const char* flag, const std::string& value) {
    if (!value.empty()) args.insert(args.end(), {flag, value});
  };
  add("--uncompressed-dir", a.uncompressed_dir);
  add("--video-names-file", a.names);
  add("--segnet", a.scorer.segnet);
  add("--posenet", a.scorer.posenet);
  add("--models-dir", a.scorer.models_dir);
  add("--upstream", a.scorer.upstream);
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  const fs::path log = record.parent_path() / "eval.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) tac::fail(tac::ErrorKind::io, "cannot start tac eval: {}", tac::errno_text(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) tac::fail(tac::ErrorKind::io, "waiting for tac eval: {}", tac::errno_text(errno));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    tac::fail(tac::ErrorKind::corrupt_input, "tac eval failed (log {}):{}", log.string(), tail_of(log, 6));
}

void run_intake(const IntakeArgs& a) {
  namespace in = comma_lab::intake;
  in::IntakeOptions options;
  options.check.strict = a.strict;
  options.evaluate = [&a](const fs::path& sub, const fs::path& record) { evaluate(a, sub, record); };
  options.ledger = comma_lab::ledger::resolve_ledger_path(a.db.empty() ? std::nullopt : std::optional(a.db));
  options.note = a.note;
  const fs::path sub = fs::absolute(a.dir).lexically_normal();
  const fs::path sub_dir = sub.has_filename() ? sub : sub.parent_path();
  options.out_dir = a.out.empty() ? sub_dir.parent_path() / (sub_dir.filename().string() + ".intake") : fs::absolute(a.out);
  const auto r = in::intake(sub_dir, options);
  if (a.json) {
    nlohmann::json reasons = nlohmann::json::array();
    for (const auto& s : r.verdict.reasons()) reasons.push_back(s);
    const nlohmann::json j{{"submission_dir", a.dir},
                           {"completed", r.completed()},
                           {"stopped_at", r.stopped_at},
                           {"reason", r.reason},
                           {"check_passed", r.check.passed},
                           {"record", r.record_path.string()},
                           {"grade", r.completed() ? std::string(comma_lab::grade::grade_name(r.verdict.grade)) : ""},
                           {"reasons", reasons},
                           {"score", r.completed() ? r.record.value("score", 0.0) : 0.0},
                           {"ledger", options.ledger.string()},
                           {"ledger_row", r.ledger_row}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::fputs(in::verdict_text(r).c_str(), stdout);
  }
  tac::cli::exit_status() = r.completed() ? 0 : 1;
}

void register_intake(CLI::App& app) {
  auto args = std::make_shared<IntakeArgs>();
  auto* cmd = tac::cli::add_lab_verb(app, "intake", "One submission to a graded ledger row: check, sandboxed inflate + eval, grade, record.",
      "Runs `tac lab check`; then `tac eval --sandbox --reinflate --json OUT/evaluation.json` (its output in\n"
      "OUT/eval.log; OUT defaults to SUB.intake beside SUB, since every file in SUB is runtime), so inflate.sh\n"
      "runs as evaluate.sh would but with no network and the originals and weights hidden; grades the record\n"
      "with the archive and runtime on disk as custody facts; appends a ledger row (never rewrites one) and\n"
      "prints the verdict. A twin scorer or another video grades empirical at best.\n"
      "\n"
      "Example: tac lab intake sub --upstream ~/commaai-challenge\n"
      "         tac lab intake sub --uncompressed-dir videos --video-names-file names.txt --segnet s.st --posenet p.st");
  cmd->add_option("dir", args->dir, "Submission directory (archive.zip, inflate.sh)")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--uncompressed-dir", args->uncompressed_dir, "Directory of the original videos (or --upstream)");
  cmd->add_option("--video-names-file", args->names, "Video names file (or --upstream)");
  tac::cli::add_scorer_options(*cmd, args->scorer, "Challenge checkout: videos/, public_test_video_names.txt and models/");
  cmd->add_option("--timeout", args->timeout, "Wall-clock limit of inflate.sh, seconds")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--strict", args->strict, "Check warnings stop the intake too");
  cmd->add_option("--note", args->note, "A note kept with the ledger row");
  cmd->add_option("--out", args->out, "Directory for the record and the evaluation log (default SUB.intake beside SUB)");
  tac::cli::add_db_option(*cmd, args->db);
  cmd->add_flag("--json", args->json, "Print the verdict as JSON");
  cmd->callback([args] { run_intake(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(88, register_intake);
