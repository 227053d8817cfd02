// The scorer options (--segnet, --posenet, --models-dir, --upstream, --threads) mean the same in
// every verb that runs the scorer (apps/tac/scorer_options.hpp): same checks, same messages.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "support/run_command.hpp"
#include "tac/core/output_file.hpp"

namespace {

using Run = tac::test::CommandResult;

std::string q(const std::string& s) {
  std::string quoted = "'";
  quoted += s;
  quoted += '\'';
  return quoted;
}

Run run(const std::string& command) { return tac::test::run_command(command); }

// The three scorer verbs, each with the arguments it needs besides the scorer options.
std::vector<std::string> verbs(const tac::test::TempDir& dir, const std::string& video) {
  const auto d = dir.path.string();
  return {"eval --submission-dir " + q(d) + " --uncompressed-dir " + q(d) + " --video-names-file " + q(d + "/names.txt"),
          "sweep " + q(video) + " -o " + q(d + "/sweep"), "demo --out " + q(d + "/demo") + " --video " + q(video)};
}

void expect_refused_by_every_verb(const std::string& options, const std::string& message) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  tac::test::TempDir dir("scorer-options");
  tac::write_file_atomic(dir.path / "names.txt", "0.mkv\n");
  const auto tac = q(tac::test::built_program("tac").string());
  for (const auto& verb : verbs(dir, video.string())) {
    const auto r = run(tac + " " + verb + " " + options);
    EXPECT_NE(r.status, 0) << verb;
    EXPECT_NE(r.output.find(message), std::string::npos) << verb << "\n" << r.output;
  }
}

TEST(ScorerOptions, UpstreamMustBeADirectoryInEveryVerb) {
  expect_refused_by_every_verb("--upstream /nonexistent/challenge", "/nonexistent/challenge: --upstream directory not found");
}

TEST(ScorerOptions, OneNetworkAloneIsRefusedInEveryVerb) {
  TAC_FIXTURE(segnet, "scorer/twin_segnet.safetensors");
  expect_refused_by_every_verb("--segnet " + q(segnet.string()), "give both --segnet and --posenet");
}

TEST(ScorerOptions, MissingWeightFileIsNamedInEveryVerb) {
  TAC_FIXTURE(segnet, "scorer/twin_segnet.safetensors");
  expect_refused_by_every_verb("--segnet " + q(segnet.string()) + " --posenet /nonexistent/posenet.safetensors",
                               "/nonexistent/posenet.safetensors: scorer weights not found");
  expect_refused_by_every_verb("--models-dir /nonexistent/models", "/nonexistent/models/segnet.safetensors: scorer weights not found");
}

TEST(ScorerOptions, NegativeThreadsAreRefusedInEveryVerb) { expect_refused_by_every_verb("--threads -1", "--threads"); }

}  // namespace
