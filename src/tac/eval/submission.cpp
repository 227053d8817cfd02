#include "tac/eval/submission.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "tac/core/error.hpp"
#include "tac/io/zip_reader.hpp"

extern char** environ;

namespace tac::eval {

namespace fs = std::filesystem;

std::vector<std::string> read_video_names(const fs::path& names_file) {
  std::ifstream in(names_file);
  if (!in) fail(ErrorKind::io, "{}: cannot read the video names file", names_file.string());
  std::vector<std::string> names;
  constexpr std::size_t kMaxNames = 100'000;
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    std::string name = line.substr(first, last - first + 1);
    const fs::path p(name);
    if (p.is_absolute() || name == "." || name == ".." || name.find('/') != std::string::npos)
      fail(ErrorKind::corrupt_input, "{}: video name '{}' must be a plain file name", names_file.string(), name);
    names.push_back(std::move(name));
    if (names.size() > kMaxNames) fail(ErrorKind::limit_exceeded, "{}: more than {} video names", names_file.string(), kMaxNames);
  }
  if (names.empty()) fail(ErrorKind::corrupt_input, "{}: lists no video", names_file.string());
  return names;
}

fs::path expected_raw_path(const fs::path& inflated_dir, const std::string& video_name) {
  return inflated_dir / (fs::path(video_name).stem().string() + ".raw");
}

void unzip_submission(const fs::path& submission_dir) {
  const fs::path zip = submission_dir / "archive.zip";
  std::error_code ec;
  if (!fs::is_regular_file(zip, ec)) fail(ErrorKind::usage, "{}: archive.zip not found", zip.string());
  const fs::path target = submission_dir / "archive";
  const fs::path staging = submission_dir / (".archive.tac-tmp-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  fs::create_directories(staging);
  try {
    io::extract_all(zip, staging);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  fs::remove_all(target);  // evaluate.sh: rm -rf SUB/archive; mkdir -p; unzip -o
  fs::rename(staging, target);
}

std::vector<std::string> inflate_command(const fs::path& submission_dir, const fs::path& names_file) {
  const fs::path script = submission_dir / "inflate.sh";
  std::error_code ec;
  if (!fs::is_regular_file(script, ec)) fail(ErrorKind::usage, "{}: inflate.sh not found", script.string());
  return {"bash", fs::absolute(script).string(), fs::absolute(submission_dir / "archive").string(),
          fs::absolute(submission_dir / "inflated").string(), fs::absolute(names_file).string()};
}

double run_inflate(const fs::path& submission_dir, const fs::path& names_file) {
  std::vector<std::string> args = inflate_command(submission_dir, names_file);
  const fs::path script = args[1];
  const fs::path inflated = args[3];
  std::error_code ec;
  const bool created = !fs::exists(inflated, ec);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);  // keep our stdout for the report
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "bash", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) fail(ErrorKind::io, "cannot start bash for {}: {}", script.string(), errno_text(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail(ErrorKind::io, "waiting for {}: {}", script.string(), errno_text(errno));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (created) fs::remove_all(inflated, ec);  // no half-inflated output left behind
    if (WIFSIGNALED(status)) fail(ErrorKind::io, "{} was killed by signal {}", script.string(), WTERMSIG(status));
    fail(ErrorKind::corrupt_input, "{} failed with exit status {}", script.string(), WEXITSTATUS(status));
  }
  return seconds;
}

void check_expected_raws(const fs::path& inflated_dir, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const auto raw = expected_raw_path(inflated_dir, name);
    std::error_code ec;
    if (!fs::is_regular_file(raw, ec)) fail(ErrorKind::corrupt_input, "{}: missing: inflate produced no frames for {}", raw.string(), name);
  }
}

}  // namespace tac::eval
