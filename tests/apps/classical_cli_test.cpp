// The classical lane through the built binaries: a `tac compress` submission under upstream's
// evaluate.sh contract (fresh unzip, inflate.sh ARCHIVE_DIR OUTPUT_DIR NAMES_FILE, then tac eval),
// CLI errors, and a small `tac demo` smoke run.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "support/fixtures.hpp"
#include "support/run_command.hpp"
#include "tac/core/error.hpp"
#include "tac/eval/report.hpp"
#include "tac/core/sha256.hpp"

namespace {

using Run = tac::test::CommandResult;
Run run(const std::string& command) { return tac::test::run_command(command); }
std::string q(const std::filesystem::path& p) { return tac::test::shell_quote(p); }

TEST(ClassicalCli, SubmissionWorksUnderEvaluateShContract) {
  TAC_FIXTURE(gt, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(recon_zst, "scorer/clip16/recon.raw.zst");
  TAC_FIXTURE(segnet, "scorer/twin_segnet.safetensors");
  TAC_FIXTURE(posenet, "scorer/twin_posenet.safetensors");
  if (std::system("command -v unzip >/dev/null && command -v zstd >/dev/null") != 0) GTEST_SKIP() << "needs unzip and zstd";
  tac::test::TempDir dir("classical-cli");
  const auto tac = tac::test::built_program("tac");
  const auto videos = dir.path / "videos";
  std::filesystem::create_directories(videos);
  std::filesystem::copy_file(gt, videos / "0.mkv");
  std::ofstream(dir.path / "names.txt") << "0.mkv\n";
  const auto sub = dir.path / "sub";

  const auto compress = run(q(tac) + " compress " + q(videos / "0.mkv") + " -o " + q(sub));
  ASSERT_EQ(compress.status, 0) << compress.output;
  EXPECT_NE(compress.output.find("rate term"), std::string::npos) << compress.output;
  // evaluate.sh, step by step: fresh archive/ from unzip, then inflate.sh.
  const auto steps = "rm -rf " + q(sub / "archive") + " && mkdir -p " + q(sub / "archive") + " && unzip -o -q " +
                     q(sub / "archive.zip") + " -d " + q(sub / "archive") + " && TAC_INFLATE=" +
                     q(tac::test::built_program("tac-inflate")) + " bash " + q(sub / "inflate.sh") + " " + q(sub / "archive") +
                     " " + q(sub / "inflated") + " " + q(dir.path / "names.txt");
  const auto inflate = run(steps);
  ASSERT_EQ(inflate.status, 0) << inflate.output;
  // Same stream as upstream's compress.sh, same inflate: the frames are upstream's recon.raw.
  const auto reference = dir.path / "recon.raw";
  ASSERT_EQ(std::system(("zstd -q -d -o " + q(reference) + " " + q(recon_zst)).c_str()), 0);
  EXPECT_EQ(tac::sha256_file_hex(sub / "inflated" / "0.raw"), tac::sha256_file_hex(reference));

  const auto eval = run(q(tac) + " eval --submission-dir " + q(sub) + " --uncompressed-dir " + q(videos) +
                        " --video-names-file " + q(dir.path / "names.txt") + " --segnet " + q(segnet) + " --posenet " +
                        q(posenet) + " --skip-inflate --no-progress --no-cache");
  ASSERT_EQ(eval.status, 0) << eval.output;
  EXPECT_NE(eval.output.find("Evaluation results over 8 samples"), std::string::npos) << eval.output;
  // The report's size is this archive's (thousands separated by commas, as upstream prints it).
  const std::string digits = tac::eval::thousands(std::filesystem::file_size(sub / "archive.zip"));
  EXPECT_NE(eval.output.find("Submission file size: " + digits + " bytes"), std::string::npos) << eval.output;
}

TEST(ClassicalCli, BadArgumentsAreClearErrors) {
  TAC_FIXTURE(gt, "scorer/clip16/gt.mkv");
  tac::test::TempDir dir("classical-cli-bad");
  const auto tac = q(tac::test::built_program("tac"));
  const auto out = q(dir.path / "sub");
  auto r = run(tac + " compress " + q(gt) + " -o " + out + " --codec mpeg9");
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::usage)) << r.output;
  EXPECT_NE(r.output.find("tac: error: "), std::string::npos) << r.output;
  r = run(tac + " compress " + q(gt) + " -o " + out + " --scale 1.5");
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::usage)) << r.output;
  r = run(tac + " compress " + q(dir.path / "nope.mkv") + " -o " + out);
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::io)) << r.output;
  EXPECT_NE(r.output.find("nope.mkv"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path / "sub"));
}

TEST(ClassicalCli, DemoSmokeRunListsEveryStage) {
  tac::test::TempDir dir("demo");
  const auto out = dir.path / "demo";
  // No cached twin (an empty cache directory): the demo trains a quick one within its budget.
  const auto r = run("TAC_CACHE_DIR=" + q(dir.path / "cache") + " " + q(tac::test::built_program("tac")) +
                     " demo --frames 4 --twin-budget 5 --out " + q(out));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("trained here for"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("held-out seg accuracy"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path / "cache" / "twin" / "segnet.safetensors")) << "a quick twin is never cached";
  for (const char* stage : {"[synth]", "[trained twin scorer]", "[compress -> inflate -> eval]", "[report]", "TWIN", "--upstream"})
    EXPECT_NE(r.output.find(stage), std::string::npos) << stage;
  for (const char* file : {"index.html", "report.md", "rd.svg", "sweep.json", "clip.mkv", "clip.motion.json"})
    EXPECT_TRUE(std::filesystem::exists(out / file)) << file;
  std::ifstream html(out / "index.html");
  const std::string page{std::istreambuf_iterator<char>(html), std::istreambuf_iterator<char>()};
  EXPECT_NE(page.find("rd.svg"), std::string::npos);
  std::ifstream chart(out / "rd.svg");
  const std::string svg{std::istreambuf_iterator<char>(chart), std::istreambuf_iterator<char>()};
  EXPECT_NE(svg.find(">rate-distortion<"), std::string::npos);
  EXPECT_NE(svg.find("<use xlink:href=\"#glyph"), std::string::npos);  // text drawn in a real font
  EXPECT_NE(page.find("NOT the real contest scorer"), std::string::npos);
}

}  // namespace
