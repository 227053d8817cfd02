// The sandbox really isolates: no network, hidden originals, a private /tmp, a pinned CPU count,
// a wall-clock limit that takes down the whole process tree; and the sandboxed inflate checks
// its outputs.
#include "comma_lab/sandbox/sandbox.hpp"
#include "comma_lab/sandbox/sandboxed_inflate.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>
#include <nlohmann/json.hpp>

#include "lab_test_util.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "tac/core/contest.hpp"

namespace {
namespace fs = std::filesystem;
namespace sb = comma_lab::sandbox;
using comma_lab::test::write_text;

sb::SandboxResult sh(const std::string& script, sb::SandboxOptions options = {}) {
  return sb::run_sandboxed({"bash", "-c", script}, options);
}

// Exit status of the same script run without a sandbox (the control: it must be able to succeed).
int unsandboxed(const std::string& script) {
  return comma_lab::test::run("bash -c " + comma_lab::test::quote(script)).status;
}

// A TCP listener on 127.0.0.1 of this (the caller's) network namespace.
struct Listener {
  int fd = -1;
  int port = 0;
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd, 8) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return;
    port = ntohs(a.sin_port);
  }
  ~Listener() {
    if (fd >= 0) ::close(fd);
  }
};

TEST(Sandbox, DeniesTheNetwork) {
  Listener listener;
  ASSERT_GT(listener.port, 0);
  const std::string connect = "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(listener.port);
  ASSERT_EQ(unsandboxed(connect), 0) << "the listener must be reachable outside the sandbox";
  const auto r = sh(connect);
  EXPECT_FALSE(r.succeeded()) << r.describe();
  EXPECT_FALSE(r.timed_out);
}

TEST(Sandbox, HidesOriginalsAndWeights) {
  tac::test::TempDir tmp("sandbox-hide");
  const auto videos = tmp.path / "videos", weights = tmp.path / "models" / "segnet.safetensors";
  write_text(videos / "0.mkv", "original video bytes");
  write_text(weights, "weights");
  const std::string read_video = "test -s " + comma_lab::test::quote(videos / "0.mkv") + " && cat " +
                                 comma_lab::test::quote(videos / "0.mkv") + " > /dev/null";
  const std::string read_weights = "test -s " + comma_lab::test::quote(weights);
  ASSERT_EQ(unsandboxed(read_video), 0);
  ASSERT_EQ(unsandboxed(read_weights), 0);
  sb::SandboxOptions options;
  options.hidden = {videos, weights};
  options.keep = {tmp.path};
  EXPECT_FALSE(sh(read_video, options).succeeded());
  EXPECT_FALSE(sh(read_weights, options).succeeded());
  // Nothing else under the kept directory is hidden.
  write_text(tmp.path / "archive" / "data.bin", "x");
  EXPECT_TRUE(sh("test -s " + comma_lab::test::quote(tmp.path / "archive" / "data.bin"), options).succeeded());
  // The hiding is the sandbox's alone.
  EXPECT_EQ(unsandboxed(read_video), 0);
}

TEST(Sandbox, HasItsOwnTmp) {
  tac::test::TempDir tmp("sandbox-tmp");
  const auto marker = fs::path("/tmp") / ("tac-sandbox-marker-" + std::to_string(::getpid()));
  write_text(marker, "host");
  sb::SandboxOptions options;
  options.keep = {tmp.path};
  const auto inside = tmp.path / "seen.txt";
  const auto r = sh("ls /tmp > " + comma_lab::test::quote(inside) + "; touch /tmp/made-inside", options);
  EXPECT_TRUE(r.succeeded()) << r.describe();
  std::ifstream in(inside);
  const std::string listing((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(listing.find(marker.filename().string()), std::string::npos) << listing;
  EXPECT_FALSE(fs::exists("/tmp/made-inside"));
  fs::remove(marker);
}

TEST(Sandbox, StopsARuntimeThatOverrunsTheLimitWithEverythingItStarted) {
  tac::test::TempDir tmp("sandbox-timeout");
  sb::SandboxOptions options;
  options.wall_limit_seconds = 1.0;
  // A child in the background and one in the foreground; both must be gone afterwards.
  const auto r = sh("sleep 4321.5 & sleep 4321.6", options);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_FALSE(r.succeeded());
  EXPECT_LT(r.wall_seconds, 10.0);
  EXPECT_NE(r.describe().find("timed out"), std::string::npos);
  usleep(200 * 1000);
  const auto left = comma_lab::test::run("pgrep -f 'sleep 432[1]' || true");  // [1]: not pgrep's own shell
  EXPECT_EQ(left.output, "") << "processes survived the timeout";
}

TEST(Sandbox, PinsTheCpuCountAndPassesTheExitStatus) {
  sb::SandboxOptions options;
  options.cpus = 1;
  EXPECT_TRUE(sh("test $(nproc) = 1", options).succeeded());
  const auto r = sh("exit 7");
  EXPECT_EQ(r.exit_status, 7);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.describe(), "exit 7");
  // The command is its PID namespace's init, which its own namespace cannot signal; a process it
  // starts can be, and bash reports that as 128 + the signal, as it would outside.
  const auto k = sh("bash -c 'kill -TERM $$'; exit $?");
  EXPECT_EQ(k.exit_status, 128 + SIGTERM);
}

TEST(Sandbox, ReportsCpuTimeAndPeakMemory) {
  const auto r = sh("x=0; for i in $(seq 1 200000); do x=$((x+i)); done; head -c 50000000 /dev/zero | tail -c 1 > /dev/null");
  ASSERT_TRUE(r.succeeded()) << r.describe();
  EXPECT_GT(r.user_seconds + r.system_seconds, 0.0);
  EXPECT_GT(r.peak_rss_mb, 1.0);
  EXPECT_GE(r.wall_seconds, 0.0);
}

TEST(Sandbox, RefusesNoCommandAndBadLimits) {
  const auto no_command = tac::test::error_of([] { sb::run_sandboxed({}, {}); });
  ASSERT_TRUE(no_command);
  EXPECT_EQ(no_command->kind(), tac::ErrorKind::usage);
  sb::SandboxOptions options;
  options.wall_limit_seconds = 0;
  const auto no_limit = tac::test::error_of([&] { sh("true", options); });
  ASSERT_TRUE(no_limit);
  EXPECT_EQ(no_limit->kind(), tac::ErrorKind::usage);
}

TEST(Sandbox, ASetupFailureIsAnIoErrorNamingTheStepAndErrno) {
  sb::SandboxOptions options;
  options.working_directory = "/nonexistent/sandbox-workdir";
  const auto chdir_failed = tac::test::error_of([&] { sh("true", options); });
  ASSERT_TRUE(chdir_failed);
  EXPECT_EQ(chdir_failed->kind(), tac::ErrorKind::io);
  EXPECT_NE(std::string(chdir_failed->what()).find("chdir /nonexistent/sandbox-workdir: ENOENT"), std::string::npos)
      << chdir_failed->what();
  const auto exec_failed = tac::test::error_of([] { sb::run_sandboxed({"/nonexistent/runtime"}, {}); });
  ASSERT_TRUE(exec_failed);
  EXPECT_NE(std::string(exec_failed->what()).find("exec /nonexistent/runtime: ENOENT"), std::string::npos)
      << exec_failed->what();
}

// `tac eval --sandbox` forks from a process with busy threads (libtorch's pools): the child must
// still set up and run, however the other threads were caught by fork() (inside malloc or not).
TEST(Sandbox, RunsFromAProcessWithBusyAllocatingThreads) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> busy;
  for (int t = 0; t < 4; ++t)
    busy.emplace_back([&stop] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::vector<std::string> churn;
        for (int i = 0; i < 64; ++i) churn.emplace_back(static_cast<std::size_t>(100 + i * 37), 'x');
      }
    });
  int succeeded = 0;
  for (int run = 0; run < 25; ++run) succeeded += sh("exit 0").succeeded() ? 1 : 0;
  stop = true;
  for (auto& t : busy) t.join();
  EXPECT_EQ(succeeded, 25);
}

// A submission whose inflate.sh writes `frames` frames of zeros for every named video.
fs::path make_submission(const fs::path& dir, int frames, const std::string& extra = "") {
  const auto sub = dir / "sub";
  fs::create_directories(sub);
  write_text(sub / "payload.txt", "p");
  const auto zip = sub / "archive.zip";
  // An empty zip (just the end record): this runtime needs nothing from its archive.
  const std::string empty_zip("PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
  write_text(zip, empty_zip);
  write_text(sub / "inflate.sh",
             "#!/bin/bash\nset -e\nout=\"$2\"; mkdir -p \"$out\"\n" + extra +
                 "while read -r name; do [ -n \"$name\" ] || continue; head -c $((" + std::to_string(frames) + " * " +
                 std::to_string(tac::contest::kFrameBytes) + ")) /dev/zero > \"$out/${name%.*}.raw\"; done < \"$3\"\n");
  fs::permissions(sub / "inflate.sh", fs::perms::owner_all, fs::perm_options::add);
  write_text(dir / "names.txt", "0.mkv\n1.mkv\n");
  return sub;
}

TEST(SandboxedInflate, RunsInflateShAndChecksEveryRaw) {
  tac::test::TempDir tmp("sandbox-inflate");
  const auto sub = make_submission(tmp.path, 2);
  sb::InflateRunOptions options;
  options.frames = 2;
  const auto run = sb::run_inflate_sandboxed(sub, tmp.path / "names.txt", options);
  ASSERT_TRUE(run.process.succeeded()) << run.process.describe();
  ASSERT_EQ(run.outputs.size(), 2u);
  for (const auto& o : run.outputs) EXPECT_EQ(o.problem, "") << o.raw;
  EXPECT_TRUE(run.succeeded());
  EXPECT_TRUE(fs::is_directory(sub / "archive"));  // step 1 ran
  options.frames = 3;
  const auto wrong = sb::run_inflate_sandboxed(sub, tmp.path / "names.txt", options);
  EXPECT_FALSE(wrong.succeeded());
  EXPECT_NE(wrong.outputs[0].problem.find("2 frames, expected 3"), std::string::npos) << wrong.outputs[0].problem;
}

TEST(SandboxedInflate, ARuntimeThatReadsTheOriginalsFails) {
  tac::test::TempDir tmp("sandbox-inflate-originals");
  write_text(tmp.path / "videos" / "0.mkv", "original");
  const auto sub = make_submission(tmp.path, 1, "cat " + comma_lab::test::quote(tmp.path / "videos" / "0.mkv") + " > /dev/null\n");
  sb::InflateRunOptions options;
  options.sandbox.hidden = {tmp.path / "videos"};
  const auto run = sb::run_inflate_sandboxed(sub, tmp.path / "names.txt", options);
  EXPECT_FALSE(run.process.succeeded());
  EXPECT_FALSE(run.succeeded());
  EXPECT_EQ(run.outputs[0].problem, "missing");
}

TEST(SandboxedInflate, BadOutputsAreNamed) {
  tac::test::TempDir tmp("sandbox-raw-check");
  const std::vector<std::string> names{"a.mkv", "b.mkv", "c.mkv"};
  write_text(tmp.path / "b.raw", "");
  write_text(tmp.path / "c.raw", std::string(tac::contest::kFrameBytes + 5, '\0'));
  const auto checks = sb::check_raw_outputs(tmp.path, names, std::nullopt);
  EXPECT_EQ(checks[0].problem, "missing");
  EXPECT_EQ(checks[1].problem, "empty");
  EXPECT_NE(checks[2].problem.find("not a whole number"), std::string::npos);
}

TEST(RunInflateCli, PassesAGoodSubmissionAndFailsATimeout) {
  tac::test::TempDir tmp("sandbox-cli");
  const auto sub = make_submission(tmp.path, 1);
  const auto tac_bin = comma_lab::test::quote(tac::test::built_program("tac"));
  const std::string names = " --names " + comma_lab::test::quote(tmp.path / "names.txt");
  auto r = comma_lab::test::run(tac_bin + " lab run-inflate --json --frames 1" + names + " " + comma_lab::test::quote(sub), false);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_TRUE(j["succeeded"].get<bool>());
  EXPECT_EQ(j["outputs"].size(), 2u);
  write_text(sub / "inflate.sh", "#!/bin/bash\nsleep 60\n");
  r = comma_lab::test::run(tac_bin + " lab run-inflate --timeout 1" + names + " " + comma_lab::test::quote(sub));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("timed out"), std::string::npos) << r.output;
  r = comma_lab::test::run(tac_bin + " lab run-inflate " + comma_lab::test::quote(tmp.path / "nope"));
  EXPECT_EQ(r.status, 2) << r.output;  // usage: no such directory
}

}  // namespace
