#pragma once
// Runs a command the way evaluate.sh runs inflate.sh, but inside fresh Linux namespaces:
//   - network: a new network namespace with nothing in it (not even loopback up), so every
//     connect() fails;
//   - files: a private mount namespace; /tmp is a fresh tmpfs (the paths the run needs that lie
//     under /tmp are bound back in place), and every `hidden` path is covered (an empty read-only
//     tmpfs over a directory, /dev/null over a file) so the original videos and scorer weights
//     cannot be read;
//   - processes: a new PID namespace whose init is the command, killed with everything it started
//     when the wall-clock limit passes; IPC and UTS are private too;
//   - CPUs: optionally pinned to the first N CPUs the caller may use.
// As root the namespaces are created directly; otherwise inside a new user namespace (which
// needs unprivileged user namespaces enabled). Anything the sandbox cannot set up fails the run
// with ErrorKind::io before the command starts: never a silent run without isolation.
#include <filesystem>
#include <string>
#include <vector>

namespace comma_lab::sandbox {

struct SandboxOptions {
  std::vector<std::filesystem::path> hidden;     // made unreadable inside
  std::vector<std::filesystem::path> keep;       // must stay visible (bound back if under /tmp)
  double wall_limit_seconds = 1800;              // the contest's 30 minutes
  int cpus = 0;                                  // 0: every CPU the caller has
  std::filesystem::path working_directory;       // empty: the caller's
  std::filesystem::path log;                     // the command's stdout and stderr; empty: our stderr
};

struct SandboxResult {
  bool timed_out = false;
  int exit_status = -1;    // when it exited
  int signal = 0;          // when a signal ended it (SIGKILL after a timeout)
  double wall_seconds = 0;
  double user_seconds = 0, system_seconds = 0;  // every process of the run that was waited for
  double peak_rss_mb = 0;                       // the largest single process
  bool succeeded() const { return !timed_out && signal == 0 && exit_status == 0; }
  std::string describe() const;                 // "exit 0", "killed by signal 9", "timed out after 1800 s"
};

SandboxResult run_sandboxed(const std::vector<std::string>& argv, const SandboxOptions& options);

}  // namespace comma_lab::sandbox
