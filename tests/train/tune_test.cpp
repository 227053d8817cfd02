// `tac tune` on the hnerv95 fixture's first pair against clip16's ground truth (twin scorer): a
// few steps lower the score; the exported archive inflates through the real codec to exactly the
// frames that were scored; stopping and resuming gives the same parameters as not stopping.
#include <gtest/gtest.h>
#include <torch/cuda.h>

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
#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/train/tune.hpp"
#include "tac/train/tune_recipe.hpp"
#include "codec/hnerv95_test_util.hpp"

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

// The rate term: with a heavy weight the trained latents' estimated bytes fall over the run; the
// estimate is reported either way, and a negative weight is refused.
TEST(Tune, RateTermLowersTheRateEstimate) {
  TAC_TUNE_FIXTURES;
  const tac::test::TempDir dir("tune-rate");
  auto job = base_job(archive, gt_video, segnet, posenet, dir.path / "out");
  job.evaluate = false;
  job.steps = 2;
  const auto plain = tac::train::run_tune(job);
  EXPECT_GT(plain.rate_estimate_bytes_start, 0.0);
  job.out = dir.path / "rate";
  job.rate_weight = 1e4;  // the rate dominates: latents move toward their neighbours' levels
  const auto with_rate = tac::train::run_tune(job);
  EXPECT_EQ(with_rate.rate_estimate_bytes_start, plain.rate_estimate_bytes_start);
  EXPECT_LT(with_rate.rate_estimate_bytes_end, with_rate.rate_estimate_bytes_start);
  EXPECT_LT(with_rate.rate_estimate_bytes_end, plain.rate_estimate_bytes_end);
  job.rate_weight = -1;
  const auto e = tac::test::error_of([&] { tac::train::run_tune(job); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
}

// The device is chosen in one place (scorer/device.hpp): without a CUDA libtorch, --device cuda is
// a clear usage error before anything is written.
TEST(Tune, CudaWithoutCudaIsAClearErrorAndWritesNothing) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this libtorch has CUDA";
  TAC_TUNE_FIXTURES;
  const tac::test::TempDir dir("tune-cuda");
  auto job = base_job(archive, gt_video, segnet, posenet, dir.path / "out");
  job.device = tac::scorer::Device::Cuda;
  const auto e = tac::test::error_of([&] { tac::train::run_tune(job); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
  EXPECT_NE(std::string(e->what()).find("cuda"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.path / "out"));
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

// A 2-phase recipe (latents for steps 0-1, then latents and blocks.5.* at half rate) with a step-decay
// schedule and hard-sample mining: stopping mid-phase 0 and resuming across the phase boundary
// gives byte-identical checkpoints and archives; a frozen tensor stays exactly as it was; a
// checkpoint from another recipe is refused.
TEST(Tune, ResumingMidPhaseOfARecipeGivesTheSameResultAsNotStopping) {
  TAC_TUNE_FIXTURES;
  const tac::test::TempDir dir("tune_recipe_resume");
  const auto recipe = tac::train::parse_tune_recipe(R"(
[lr_schedule]
kind = "step"
every = 1
gamma = 0.8
[[phase]]
begin = 0
end = 2
train = ["latents"]
[[phase]]
begin = 2
train = ["latents", "blocks.5.*"]
latent_lr_scale = 0.5
weight_lr_scale = 0.5
[hard_mining]
kind = "power"
)",
                                                    "two-phase.toml");
  auto job = base_job(archive, gt_video, segnet, posenet, dir.path / "straight");
  job.lr_schedule = recipe.lr_schedule;
  job.phases = recipe.phases;
  job.mining = recipe.mining;
  job.recipe_sha256 = recipe.sha256;
  // Weights start on their grid, so one Adam step (lr grid steps) must exceed half a step to move
  // one: 2.0 * 0.5 (phase scale) * 0.8^2 (the schedule at step 2) = 0.64.
  job.weight_lr = 2.0;
  job.evaluate = false;
  job.steps = 3;
  job.checkpoint = dir.path / "straight.ckpt";
  std::vector<std::string> phases;
  job.on_progress = [&](const tac::train::TuneProgress& p) { phases.push_back(p.phase); };
  const auto straight = tac::train::run_tune(job);
  EXPECT_EQ(phases, (std::vector<std::string>{"phase0", "phase0", "phase1"}));

  job.out = dir.path / "resumed";
  job.checkpoint = dir.path / "resumed.ckpt";
  job.steps = 1;
  tac::train::run_tune(job);
  const auto after1 = tac::codec::hnerv95::parse_archive(tac::test::hnerv95::member_bytes(dir.path / "resumed" / "archive.zip"), "after1");
  job.steps = 3;
  job.resume = true;
  const auto resumed = tac::train::run_tune(job);
  EXPECT_EQ(resumed.start_step, 1);
  EXPECT_EQ(file_bytes(dir.path / "resumed.ckpt"), file_bytes(dir.path / "straight.ckpt"));
  EXPECT_EQ(file_bytes(resumed.archive_zip), file_bytes(straight.archive_zip));

  // Phase 0 froze the decoder: after one step every tensor is the input's; after three, blocks.5
  // moved and the other tensors did not.
  namespace hn = tac::codec::hnerv95;
  const auto input = hn::parse_archive(tac::test::hnerv95::member_bytes(archive), "in");
  for (std::size_t i = 0; i < input.tensors.size(); ++i)
    EXPECT_TRUE(tac::test::hnerv95::bitwise_equal(after1.tensors[i].values, input.tensors[i].values)) << input.tensors[i].name;
  EXPECT_NE(after1.latents, input.latents);
  const auto after3 = hn::parse_archive(tac::test::hnerv95::member_bytes(straight.archive_zip), "after3");
  bool block5_moved = false;
  for (std::size_t i = 0; i < input.tensors.size(); ++i) {
    const auto& name = input.tensors[i].name;
    if (name.starts_with("blocks.5.")) block5_moved = block5_moved || !tac::test::hnerv95::bitwise_equal(after3.tensors[i].values, input.tensors[i].values);
    else EXPECT_TRUE(tac::test::hnerv95::bitwise_equal(after3.tensors[i].values, input.tensors[i].values)) << name;
  }
  EXPECT_TRUE(block5_moved);
  EXPECT_NE(after3.latents, input.latents);

  // Another recipe (here: another hash) cannot continue this checkpoint.
  job.recipe_sha256 = std::string(64, '0');
  const auto e = tac::test::error_of([&] { tac::train::run_tune(job); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
  EXPECT_NE(std::string(e->what()).find("recipe_sha256"), std::string::npos);
}

// PCGrad between the seg surrogate and the pose parts: a step runs, moves the latents, and two runs
// give the same archive byte for byte.
TEST(Tune, APcgradStepRunsAndIsDeterministic) {
  TAC_TUNE_FIXTURES;
  const tac::test::TempDir dir("tune_pcgrad");
  auto job = base_job(archive, gt_video, segnet, posenet, dir.path / "a");
  job.pcgrad = true;
  job.evaluate = false;
  job.steps = 1;
  const auto a = tac::train::run_tune(job);
  job.out = dir.path / "b";
  const auto b = tac::train::run_tune(job);
  std::printf("pcgrad: %lld of 1 step(s) projected\n", static_cast<long long>(a.pcgrad_projections));
  EXPECT_EQ(a.pcgrad_projections, b.pcgrad_projections);
  EXPECT_EQ(file_bytes(a.archive_zip), file_bytes(b.archive_zip));
  EXPECT_NE(file_bytes(a.archive_zip), file_bytes(archive));
}

// A phase glob that names no tensor, or phases ending before --steps, are refused before training.
TEST(Tune, RefusesPhasesThatDoNotFitTheRun) {
  TAC_TUNE_FIXTURES;
  const tac::test::TempDir dir("tune_bad_phases");
  auto job = base_job(archive, gt_video, segnet, posenet, dir.path / "out");
  job.steps = 3;
  tac::train::TunePhase p;
  p.begin = 0;
  p.train = {"no_such_tensor.*"};
  job.phases = {p};
  auto e = tac::test::error_of([&] { tac::train::run_tune(job); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
  EXPECT_NE(std::string(e->what()).find("no_such_tensor"), std::string::npos);
  job.phases[0].train = {"latents"};
  job.phases[0].end = 2;
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
  // A profile whose steps and lr the explicit flags override; its provenance lands in tune.json.
  const fs::path profile = dir.path / "profile.toml";
  std::ofstream(profile) << "description = \"cli test\"\n[tune]\nsteps = 5\nlr = 0.1\nseed = 3\n"
                            "[provenance]\n\"tune.seed\" = \"the test's choice\"\n\"tune.lr\" = \"overridden\"\n";
  auto r = run("(" + base + " --profile " + q(profile) + " --steps 1 --lr 0.6 --json -o " + q(out) + " 2>/dev/null)");  // progress on stderr
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j, tac::test::read_json(out / "tune.json"));
  EXPECT_EQ(j["steps"], 1);
  EXPECT_EQ(j["lr"], 0.6);
  EXPECT_EQ(j["seed"], 3);  // from the profile
  EXPECT_EQ(j["profile"]["provenance"]["tune.seed"], "the test's choice");
  EXPECT_EQ(j["profile"]["sha256"], tac::sha256_file_hex(profile));
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
  std::ofstream(dir.path / "bad.toml") << "[tune]\nlr = -1\n";
  r = run(base + " --profile " + q(dir.path / "bad.toml") + " -o " + q(dir.path / "bad"));
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::usage)) << r.output;
  EXPECT_NE(r.output.find("tune.lr"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path / "bad"));
}
