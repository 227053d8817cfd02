// `tac lab intake` end to end through the built binary: a submission made by `tac compress` from
// clip16's ground truth, scored by the twin, ends in a ledger row graded empirical (never A), with
// the reasons printed; a submission that fails the check or reads the originals stops there.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lab_test_util.hpp"
#include "support/fixtures.hpp"

namespace {
namespace fs = std::filesystem;
using comma_lab::test::quote;
using comma_lab::test::run;

struct IntakeSetup {
  tac::test::TempDir tmp{"lab-intake"};
  fs::path sub, videos, names, db;
  std::string tac, scorer;
};

#define TAC_INTAKE_SETUP(s)                                                                            \
  TAC_FIXTURE(s##_gt, "scorer/clip16/gt.mkv");                                                         \
  TAC_FIXTURE(s##_seg, "scorer/twin_segnet.safetensors");                                              \
  TAC_FIXTURE(s##_pose, "scorer/twin_posenet.safetensors");                                            \
  IntakeSetup s;                                                                                       \
  s.sub = s.tmp.path / "sub";                                                                          \
  s.videos = s.tmp.path / "videos";                                                                    \
  s.names = s.tmp.path / "names.txt";                                                                  \
  s.db = s.tmp.path / "ledger.sqlite";                                                                 \
  fs::create_directories(s.videos);                                                                    \
  fs::copy_file(s##_gt, s.videos / "0.mkv");                                                           \
  comma_lab::test::write_text(s.names, "0.mkv\n");                                                     \
  s.tac = quote(tac::test::built_program("tac"));                                                      \
  s.scorer = " --uncompressed-dir " + quote(s.videos) + " --video-names-file " + quote(s.names) +      \
             " --segnet " + quote(s##_seg) + " --posenet " + quote(s##_pose) + " --threads 1 --db " + quote(s.db)

int ledger_rows(const IntakeSetup& s) {
  const auto r = run(s.tac + " lab ledger --json --db " + quote(s.db), false);
  const auto j = nlohmann::json::parse(r.output, nullptr, false);
  return j.is_array() ? static_cast<int>(j.size()) : -1;
}

TEST(Intake, TacCompressSubmissionEndsGradedEmpiricalWithReasons) {
  TAC_INTAKE_SETUP(s);
  auto r = run(s.tac + " compress " + quote(s.videos / "0.mkv") + " -o " + quote(s.sub));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run(s.tac + " lab intake" + s.scorer + " " + quote(s.sub));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("grade    empirical"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("twin"), std::string::npos) << "the reasons name the twin weights:\n" << r.output;
  EXPECT_NE(r.output.find("inflate  sandboxed, exit 0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ledger   row 1"), std::string::npos) << r.output;
  const auto record = nlohmann::json::parse(std::ifstream(s.tmp.path / "sub.intake" / "evaluation.json"));
  EXPECT_EQ(record.at("n_samples"), 8);
  EXPECT_TRUE(record.at("runtime").contains("sha256"));
  EXPECT_EQ(ledger_rows(s), 1);
  // The JSON verdict of a second intake: a second row, never a rewrite.
  r = run(s.tac + " lab intake --json" + s.scorer + " " + quote(s.sub), false);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j.at("grade"), "empirical");
  EXPECT_EQ(j.at("ledger_row"), 2);
  EXPECT_FALSE(j.at("reasons").empty());
  EXPECT_EQ(ledger_rows(s), 2);
}

TEST(Intake, StopsAtTheCheckOrAtTheSandboxWithoutALedgerRow) {
  TAC_INTAKE_SETUP(s);
  auto r = run(s.tac + " compress " + quote(s.videos / "0.mkv") + " -o " + quote(s.sub));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto script = s.sub / "inflate.sh";
  std::ifstream in(script);
  const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A runtime that fetches from the network fails the compliance check.
  comma_lab::test::write_text(script, original + "\ncurl -s https://example.com/weights.bin -o /tmp/w\n");
  r = run(s.tac + " lab intake" + s.scorer + " " + quote(s.sub));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("intake stopped at check"), std::string::npos) << r.output;
  // A runtime that reads the original video passes the text check (the path is computed) but not the sandbox.
  comma_lab::test::write_text(script, "#!/usr/bin/env bash\nv=" + quote(s.tmp.path) + "/vid\"eos\"/0.mkv\ncat \"$v\" > /dev/null || exit 3\n" +
                                          original.substr(original.find('\n') + 1));
  r = run(s.tac + " lab intake" + s.scorer + " " + quote(s.sub));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("intake stopped at evaluate"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sandbox"), std::string::npos) << r.output;
  EXPECT_EQ(ledger_rows(s), 0);
}

}  // namespace
