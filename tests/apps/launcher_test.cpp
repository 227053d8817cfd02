// `tac` hands the scorer verbs to `tac-scorer` (cmd_torch_forward.cpp): arguments untouched, the
// runtime settings it adds (OpenMP passive waiting, malloc huge pages) never override the user's,
// and `twin --calibrate` goes the same way. A stand-in scorer script records what it was given.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Launch {
  int status = -1;
  std::string seen, err;  // what the stand-in scorer printed; tac's stderr
};

class Launcher : public ::testing::Test {
 protected:
  void SetUp() override {
    script_ = dir_.path / "fake-scorer";
    tac::write_file_atomic(script_, std::string("#!/bin/sh\n"
                                                "echo \"args: $*\"\n"
                                                "echo \"omp: ${OMP_WAIT_POLICY-unset}\"\n"
                                                "echo \"tunables: ${GLIBC_TUNABLES-unset}\"\n"));
    fs::permissions(script_, fs::perms::owner_all);
  }

  // `env -i` keeps the test independent of the caller's environment.
  Launch run(const std::string& env, const std::string& args, const std::string& scorer = "") {
    const auto out = dir_.path / "out.txt", err = dir_.path / "err.txt";
    const std::string command = "env -i PATH=/usr/bin:/bin TAC_SCORER='" + (scorer.empty() ? script_.string() : scorer) +
                                "' " + env + " '" + tac::test::built_program("tac").string() + "' " + args + " >'" +
                                out.string() + "' 2>'" + err.string() + "' </dev/null";
    Launch l;
    const int raw = std::system(command.c_str());
    l.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    l.seen = slurp(out);
    l.err = slurp(err);
    return l;
  }

  tac::test::TempDir dir_{"launcher"};
  fs::path script_;
};

TEST_F(Launcher, PassesArgumentsThroughAndAddsRuntimeSettings) {
  const auto l = run("", "eval --submission-dir 'a b' --help --threads 3");
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_NE(l.seen.find("args: eval --submission-dir a b --help --threads 3\n"), std::string::npos) << l.seen;
  EXPECT_NE(l.seen.find("omp: PASSIVE\n"), std::string::npos) << l.seen;
  EXPECT_NE(l.seen.find("tunables: glibc.malloc.hugetlb=1\n"), std::string::npos) << l.seen;
}

TEST_F(Launcher, NeverOverridesTheUsersSettings) {
  auto l = run("OMP_WAIT_POLICY=ACTIVE GLIBC_TUNABLES=glibc.malloc.check=0", "sweep");
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_NE(l.seen.find("omp: ACTIVE\n"), std::string::npos) << l.seen;
  EXPECT_NE(l.seen.find("tunables: glibc.malloc.check=0:glibc.malloc.hugetlb=1\n"), std::string::npos) << l.seen;
  l = run("GLIBC_TUNABLES=glibc.malloc.hugetlb=0", "demo");
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_NE(l.seen.find("tunables: glibc.malloc.hugetlb=0\n"), std::string::npos) << l.seen;
}

TEST_F(Launcher, TwinCalibrationRunsInTheScorer) {
  const auto video = dir_.path / "clip.mkv";
  tac::write_file_atomic(video, std::string("not inspected by tac itself"));
  const auto out = dir_.path / "twin";
  const auto l = run("", "twin --out '" + out.string() + "' --seed 9 --calibrate '" + video.string() + "' --samples 3");
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_NE(l.seen.find("args: twin --out " + out.string() + " --seed 9 --calibrate " + video.string() +
                        " --samples 3 --threads 0\n"),
            std::string::npos)
      << l.seen;
  EXPECT_FALSE(fs::exists(out));  // tac itself wrote nothing: the scorer does all of it
}

TEST_F(Launcher, MissingScorerIsAClearError) {
  const auto missing = dir_.path / "no-such-scorer";
  const auto l = run("", "eval --help", missing.string());
  EXPECT_EQ(l.status, tac::exit_code(tac::ErrorKind::io)) << l.err;
  EXPECT_NE(l.err.find(missing.string()), std::string::npos) << l.err;
  EXPECT_NE(l.err.find("TAC_SCORER"), std::string::npos) << l.err;
}

}  // namespace
