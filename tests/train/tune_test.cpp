// `tac tune` on the hnerv95 fixture's first pair against clip16's ground truth (twin scorer): a
// few steps lower the score; the exported archive inflates through the real codec to exactly the
// frames that were scored; stopping and resuming gives the same parameters as not stopping.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "support/run_command.hpp"
#include "tac/codec/codec.hpp"
#include "tac/codec/hnerv95/hnerv95_format.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/train/tune.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// SHA-256 of frames [first, first + count) as the hnerv95 codec inflates the archive (the path of
// `tac inflate` and tac-inflate), independent of the trainer's own evaluation.
std::string codec_frames_sha256(const fs::path& zip, std::int64_t first, std::int64_t count) {
  struct Sink final : tac::codec::FrameSink {
    std::int64_t first = 0, seen = 0;
    tac::Sha256 hash;
    void write_frame(std::span<const std::uint8_t> rgb) override {
      if (seen++ >= first) hash.update(rgb);
    }
  } sink;
  sink.first = first;
  const auto contents = tac::codec::ArchiveContents::open(zip);
  const auto* member = contents.find("0.bin");
  EXPECT_NE(member, nullptr);
  if (!member) return {};
  tac::codec::InflateOptions options;
  options.max_frames = first + count;
  tac::codec::hnerv95::format().inflate(*member, sink, options);
  const auto digest = sink.hash.finish();
  return tac::to_hex(digest);
}

#define TAC_TUNE_FIXTURES                                                       \
  TAC_FIXTURE(archive, "replay/qhnerv_ft_best/archive.zip");                    \
  TAC_FIXTURE(gt_video, "scorer/clip16/gt.mkv");                                \
  TAC_FIXTURE(segnet, "scorer/twin_segnet.safetensors");                        \
  TAC_FIXTURE(posenet, "scorer/twin_posenet.safetensors")

tac::train::TuneJob base_job(const fs::path& archive, const fs::path& gt, const fs::path& segnet, const fs::path& posenet,
                             const fs::path& out) {
  tac::train::TuneJob job;
  job.archive = archive;
  job.ground_truth = gt;
  job.segnet = segnet;
  job.posenet = posenet;
  job.out = out;
  job.first_pair = 0;
  job.pairs = 1;
  job.threads = 2;
  job.lr = 0.6;  // more than half a grid step: levels move from the first step on
  return job;
}

using Run = tac::test::CommandResult;
Run run(const std::string& command) { return tac::test::run_command(command); }

std::string q(const fs::path& p) {
  std::string s(1, '\'');
  s += p.string();
  s += '\'';
  return s;
}

}  // namespace

TEST(Tune, LowersTheTwinScoreAndItsArchiveInflatesToTheScoredFrames) {
  TAC_TUNE_FIXTURES;
  const tac::test::TempDir dir("tune");
  auto job = base_job(archive, gt_video, segnet, posenet, dir.path / "out");
  job.steps = 2;
  std::vector<double> losses;
  job.on_progress = [&](const tac::train::TuneProgress& p) { losses.push_back(p.loss); };
  const auto r = tac::train::run_tune(job);
  ASSERT_TRUE(r.evaluated);
  EXPECT_EQ(losses.size(), 2u);
  EXPECT_EQ(r.member, "0.bin");
  std::printf("twin distortion on pair 0: %.6f -> %.6f (seg %.6f -> %.6f, pose %.6g -> %.6g)\n", r.before.distortion, r.after.distortion,
              r.before.seg_distortion, r.after.seg_distortion, r.before.pose_distortion, r.after.pose_distortion);
  EXPECT_LT(r.after.distortion, r.before.distortion);
  EXPECT_NE(r.after.frames_sha256, r.before.frames_sha256);
  // What was scored is what the real codec inflates from the written archive, and the untouched
  // archive's frames are what was scored before.
  EXPECT_EQ(codec_frames_sha256(r.archive_zip, 0, 2), r.after.frames_sha256);
  EXPECT_EQ(codec_frames_sha256(archive, 0, 2), r.before.frames_sha256);
  EXPECT_EQ(r.archive_bytes, fs::file_size(r.archive_zip));
}

TEST(Tune, ResumingACheckpointGivesTheSameParametersAsNotStopping) {
  TAC_TUNE_FIXTURES;
  const tac::test::TempDir dir("tune_resume");
  auto job = base_job(archive, gt_video, segnet, posenet, dir.path / "straight");
  job.train = tac::train::TuneParameters::all;  // Adam state for every tensor, not only the latents
  job.evaluate = false;
  job.steps = 2;
  job.checkpoint = dir.path / "straight.ckpt";
  const auto straight = tac::train::run_tune(job);

  job.out = dir.path / "resumed";
  job.checkpoint = dir.path / "resumed.ckpt";
  job.steps = 1;
  tac::train::run_tune(job);
  job.steps = 2;
  job.resume = true;
  const auto resumed = tac::train::run_tune(job);
  EXPECT_EQ(resumed.start_step, 1);
  EXPECT_EQ(file_bytes(dir.path / "resumed.ckpt"), file_bytes(dir.path / "straight.ckpt"));  // values, moments, step
  EXPECT_EQ(file_bytes(resumed.archive_zip), file_bytes(straight.archive_zip));
  EXPECT_NE(file_bytes(straight.archive_zip), file_bytes(archive));

  // Another run's settings are refused, and so is a checkpoint already past --steps.
  job.lr = 0.5;
  auto e = tac::test::error_of([&] { tac::train::run_tune(job); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
  job.lr = 0.6;
  job.steps = 1;
  e = tac::test::error_of([&] { tac::train::run_tune(job); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
}

TEST(Tune, RefusesPairsPastTheArchiveOrTheVideo) {
  TAC_TUNE_FIXTURES;
  const tac::test::TempDir dir("tune_bad");
  auto job = base_job(archive, gt_video, segnet, posenet, dir.path / "out");
  job.first_pair = 599;
  job.pairs = 2;
  auto e = tac::test::error_of([&] { tac::train::run_tune(job); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
  job.first_pair = 7;  // clip16 has 16 frames: pair 8 is past its end
  e = tac::test::error_of([&] { tac::train::run_tune(job); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
  EXPECT_FALSE(fs::exists(dir.path / "out"));
}

// The command: a submission directory whose own inflate.sh (limited to the first pair) writes the
// frames the command scored; the record says the scorer was not the real one; bad options refused.
TEST(TuneCli, WritesASubmissionWhoseInflateShGivesTheScoredFrames) {
  TAC_TUNE_FIXTURES;
  const tac::test::TempDir dir("tune_cli");
  const fs::path out = dir.path / "sub";
  const std::string base = q(tac::test::built_program("tac")) + " tune " + q(archive) + " --gt " + q(gt_video) + " --segnet " +
                           q(segnet) + " --posenet " + q(posenet) + " --threads 2 --pairs 0:1";
  auto r = run("(" + base + " --steps 1 --lr 0.6 --json -o " + q(out) + " 2>/dev/null)");  // progress lines go to stderr
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j, tac::test::read_json(out / "tune.json"));
  EXPECT_TRUE(j["twin"].get<bool>());
  EXPECT_EQ(j["member"], "0.bin");
  const std::string scored = j["after"]["frames_sha256"];
  EXPECT_NE(scored, j["before"]["frames_sha256"].get<std::string>());

  std::ifstream in(out / "inflate.sh");
  std::string script((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "--format hnerv95";
  const auto at = script.rfind(from);
  ASSERT_NE(at, std::string::npos) << script;
  script.replace(at, from.size(), from + " --max-frames 2");
  std::ofstream(dir.path / "inflate2.sh") << script;
  std::ofstream(dir.path / "names.txt") << "0.mkv\n";
  r = run("TAC_INFLATE=" + q(tac::test::built_program("tac-inflate")) + " bash " + q(dir.path / "inflate2.sh") + " " + q(out / "archive.zip") +
          " " + q(dir.path / "raw") + " " + q(dir.path / "names.txt"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(tac::sha256_file_hex(dir.path / "raw" / "0.raw"), scored);

  r = run(base + " --train everything -o " + q(dir.path / "bad"));
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::usage)) << r.output;
  r = run(base + " --resume -o " + q(dir.path / "bad"));
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::usage)) << r.output;
  EXPECT_FALSE(fs::exists(dir.path / "bad"));
}
