#include "comma_lab/sandbox/sandbox.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "tac/core/error.hpp"

namespace comma_lab::sandbox {
namespace fs = std::filesystem;
using tac::ErrorKind;
using tac::fail;

namespace {

// Between fork() and exec the child may come from a multithreaded caller (`tac eval --sandbox`
// runs inside tac-scorer, next to libtorch's thread pools), so only a thread that no longer exists
// could hold a lock there. The child uses syscalls plus malloc-backed std::string/filesystem code:
// glibc takes every malloc arena lock around fork() and re-initialises them in the child, so
// malloc stays usable; nothing else that locks (stdio, locale, iostreams, libtorch) is touched.
// That is also why errors name errno by strerrorname_np (a constant table) and not by strerror,
// whose message translation takes the gettext lock.

// The child reports a setup failure through this pipe (a short message, then exits 127), so the
// caller can fail with the reason instead of a bare exit status.
[[noreturn]] void child_fail(int report_fd, const std::string& what) {
  const int code = errno;
  const char* name = ::strerrorname_np(code);
  const std::string message = what + ": " + (name != nullptr ? name : "errno " + std::to_string(code));
  [[maybe_unused]] const auto n = ::write(report_fd, message.data(), message.size());
  ::_exit(127);
}

void write_file(int report_fd, const char* path, const std::string& text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) child_fail(report_fd, path);
  ::close(fd);
}

bool under(const fs::path& path, const fs::path& dir) {
  const auto rel = path.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

// Fresh tmpfs on /tmp with the `keep` paths under /tmp bound back where they were. The kept
// paths are opened first (O_PATH), so they can still be reached once the tmpfs covers them.
void private_tmp(int report_fd, const std::vector<fs::path>& keep) {
  std::vector<std::pair<fs::path, int>> kept;
  for (const auto& k : keep) {
    if (!under(k, "/tmp")) continue;
    const int fd = ::open(k.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) child_fail(report_fd, "sandbox: open " + k.string());
    kept.emplace_back(k, fd);
  }
  if (::mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0) child_fail(report_fd, "sandbox: tmpfs on /tmp");
  for (const auto& [path, fd] : kept) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) child_fail(report_fd, "sandbox: stat " + path.string());
    std::error_code ec;
    if (S_ISDIR(st.st_mode)) {
      fs::create_directories(path, ec);
    } else {
      fs::create_directories(path.parent_path(), ec);
      const int created = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
      if (created >= 0) ::close(created);
    }
    const std::string source = "/proc/self/fd/" + std::to_string(fd);
    if (::mount(source.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      child_fail(report_fd, "sandbox: bind " + path.string() + " back under the private /tmp");
    ::close(fd);
  }
}

void hide(int report_fd, const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return;  // nothing there to read
  if (fs::is_directory(status)) {
    if (::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555") != 0)
      child_fail(report_fd, "sandbox: hide " + path.string());
  } else if (::mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    child_fail(report_fd, "sandbox: hide " + path.string());
  }
}

void limit_cpus(int report_fd, int cpus) {
  cpu_set_t allowed, chosen;
  CPU_ZERO(&chosen);
  if (::sched_getaffinity(0, sizeof allowed, &allowed) != 0) child_fail(report_fd, "sandbox: sched_getaffinity");
  int taken = 0;
  for (int c = 0; c < CPU_SETSIZE && taken < cpus; ++c)
    if (CPU_ISSET(c, &allowed)) {
      CPU_SET(c, &chosen);
      ++taken;
    }
  if (::sched_setaffinity(0, sizeof chosen, &chosen) != 0) child_fail(report_fd, "sandbox: sched_setaffinity");
}

// Runs in the forked child: enters the namespaces, then forks the command as the new PID
// namespace's init and passes its end on as its own.
[[noreturn]] void child_main(const std::vector<std::string>& argv, const SandboxOptions& o, int report_fd) {
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  int flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
  if (::geteuid() != 0) flags |= CLONE_NEWUSER;
  if (::unshare(flags) != 0) child_fail(report_fd, "sandbox: unshare (namespaces not available)");
  if (flags & CLONE_NEWUSER) {
    write_file(report_fd, "/proc/self/setgroups", "deny");
    write_file(report_fd, "/proc/self/uid_map", fmt::format("{} {} 1\n", uid, uid));
    write_file(report_fd, "/proc/self/gid_map", fmt::format("{} {} 1\n", gid, gid));
  }
  // Nothing mounted from here on reaches the caller's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail(report_fd, "sandbox: make / private");
  private_tmp(report_fd, o.keep);
  for (const auto& h : o.hidden) hide(report_fd, h);
  if (o.cpus > 0) limit_cpus(report_fd, o.cpus);
  int log_fd = -1;
  if (!o.log.empty()) {
    log_fd = ::open(o.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) child_fail(report_fd, "sandbox: open log " + o.log.string());
  }

  const pid_t init = ::fork();
  if (init < 0) child_fail(report_fd, "sandbox: fork");
  if (init == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the caller kills our parent on timeout: take the namespace down
    if (!o.working_directory.empty() && ::chdir(o.working_directory.c_str()) != 0)
      child_fail(report_fd, "sandbox: chdir " + o.working_directory.string());
    // A /proc of the new PID namespace (best effort: the command sees only its own processes).
    ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
    } else {
      ::dup2(STDERR_FILENO, STDOUT_FILENO);  // keep the caller's stdout for its report
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    child_fail(report_fd, "sandbox: exec " + argv[0]);
  }
  ::close(report_fd);  // the command started: no more setup messages
  int status = 0;
  while (::waitpid(init, &status, 0) < 0)
    if (errno != EINTR) ::_exit(126);
  if (WIFSIGNALED(status)) {
    ::signal(WTERMSIG(status), SIG_DFL);
    ::raise(WTERMSIG(status));
  }
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 126);
}

}  // namespace

std::string SandboxResult::describe() const {
  if (timed_out) return fmt::format("timed out after {:.0f} s and was killed", wall_seconds);
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, ::strsignal(signal));
  return fmt::format("exit {}", exit_status);
}

SandboxResult run_sandboxed(const std::vector<std::string>& argv, const SandboxOptions& options) {
  if (argv.empty()) fail(ErrorKind::usage, "sandbox: no command");
  if (options.wall_limit_seconds <= 0) fail(ErrorKind::usage, "sandbox: the wall-clock limit must be positive");
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) fail(ErrorKind::io, "sandbox: pipe: {}", tac::errno_text(errno));
  const auto start = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child < 0) fail(ErrorKind::io, "sandbox: fork: {}", tac::errno_text(errno));
  if (child == 0) {
    ::close(report[0]);
    child_main(argv, options, report[1]);
  }
  ::close(report[1]);

  SandboxResult r;
  int status = 0;
  struct rusage usage {};
  const auto deadline = start + std::chrono::duration<double>(options.wall_limit_seconds);
  for (;;) {
    const pid_t done = ::wait4(child, &status, WNOHANG, &usage);
    if (done == child) break;
    if (done < 0 && errno != EINTR) fail(ErrorKind::io, "sandbox: wait: {}", tac::errno_text(errno));
    if (!r.timed_out && std::chrono::steady_clock::now() >= deadline) {
      r.timed_out = true;
      ::kill(child, SIGKILL);  // its PR_SET_PDEATHSIG child, the namespace's init, follows with everything
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string setup_error;
  char buf[512];
  for (ssize_t n; (n = ::read(report[0], buf, sizeof buf)) > 0;) setup_error.append(buf, static_cast<std::size_t>(n));
  ::close(report[0]);
  if (!setup_error.empty()) fail(ErrorKind::io, "{}", setup_error);
  if (WIFEXITED(status)) r.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.user_seconds = static_cast<double>(usage.ru_utime.tv_sec) + usage.ru_utime.tv_usec / 1e6;
  r.system_seconds = static_cast<double>(usage.ru_stime.tv_sec) + usage.ru_stime.tv_usec / 1e6;
  // Linux's wait4 reports the largest resident set of the child and of every descendant it waited for.
  r.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  return r;
}

}  // namespace comma_lab::sandbox
