#pragma once
// Runs a shell command for CLI tests: its exit status and its stdout + stderr together.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace tac::test {

struct CommandResult {
  int status = -1;      // exit code; -1 if it did not exit normally or could not start
  std::string output;   // stdout + stderr
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  while (const auto n = std::fread(buffer, 1, sizeof buffer, pipe)) r.output.append(buffer, n);
  const int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A path in single quotes for the shell.
inline std::string shell_quote(const std::filesystem::path& p) {
  std::string quoted = "'";  // built by append: GCC 12 warns falsely (-Wrestrict) on "'" + string
  quoted += p.string();
  quoted += '\'';
  return quoted;
}

}  // namespace tac::test
