// The classical compress lane: reproducible archives, parity with upstream's compress.sh stream,
// the other encoders, and clear refusals of bad input that leave nothing behind.
#include <gtest/gtest.h>

#include <fstream>

#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/classical/classical_format.hpp"
#include "tac/codec/classical/frame_scaler.hpp"
#include "tac/codec/classical/submission.hpp"
#include "tac/codec/codec.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/video_decoder.hpp"

// libx265 3.5 never frees some of its own allocations (parameter strings, frame filter buffers);
// LeakSanitizer reads this hook, so those leaks do not fail the sanitizer build. tac's own
// allocations are still checked.
extern "C" const char* __lsan_default_suppressions() { return "leak:libx265.so\n"; }

namespace {

namespace classical = tac::codec::classical;

std::vector<std::uint8_t> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// SHA-256 of every decoded frame's visible Y, U and V samples.
std::vector<std::string> yuv_frame_hashes(std::span<const std::uint8_t> bytes, const std::string& name) {
  tac::io::VideoDecoder decoder(bytes, name, {.threads = 1});
  std::vector<std::string> hashes;
  while (const auto* f = decoder.next_yuv()) {
    const auto& p = f->planes;
    std::vector<std::uint8_t> all;
    for (int r = 0; r < p.height; ++r) all.insert(all.end(), p.y + r * p.y_stride, p.y + r * p.y_stride + p.width);
    for (int r = 0; r < p.height / 2; ++r) all.insert(all.end(), p.u + r * p.u_stride, p.u + r * p.u_stride + p.width / 2);
    for (int r = 0; r < p.height / 2; ++r) all.insert(all.end(), p.v + r * p.v_stride, p.v + r * p.v_stride + p.width / 2);
    hashes.push_back(tac::sha256_hex(all));
  }
  return hashes;
}

std::vector<std::uint8_t> only_member(const std::filesystem::path& zip) {
  const auto archive = tac::codec::ArchiveContents::from_zip(zip);
  EXPECT_EQ(archive.members().size(), 1u);
  const auto bytes = archive.members().at(0).bytes;
  return {bytes.begin(), bytes.end()};
}

struct CountSink final : tac::codec::FrameSink {
  std::int64_t frames = 0;
  std::size_t bytes = 0;
  void write_frame(std::span<const std::uint8_t> rgb) override {
    ++frames;
    bytes = rgb.size();
  }
};

TEST(ClassicalCompress, SameInputAndOptionsGiveByteIdenticalArchives) {
  TAC_FIXTURE(gt, "scorer/clip16/gt.mkv");
  tac::test::TempDir dir("compress-det");
  classical::SubmissionOptions options;
  options.compress.max_frames = 6;
  const auto a = classical::write_submission(gt, dir.path / "a", options);
  const auto b = classical::write_submission(gt, dir.path / "b", options);
  EXPECT_EQ(read_all(a.archive), read_all(b.archive));
  EXPECT_EQ(a.archive_bytes, std::filesystem::file_size(a.archive));
  EXPECT_DOUBLE_EQ(a.rate, static_cast<double>(a.archive_bytes) / static_cast<double>(std::filesystem::file_size(gt)));
  EXPECT_DOUBLE_EQ(a.rate_term, 25.0 * a.rate);
  options.compress.crf = 40;  // and different options give different bytes
  const auto c = classical::write_submission(gt, dir.path / "c", options);
  EXPECT_NE(read_all(a.archive), read_all(c.archive));
}

// Defaults reproduce baseline_fast's compress.sh: the decoded stream equals the fixture's frame
// for frame (the Matroska wrapper differs: tac's muxer is bit-exact, upstream's writes random UIDs).
TEST(ClassicalCompress, DefaultX265StreamDecodesLikeUpstreamCompressSh) {
  TAC_FIXTURE(gt, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(upstream_zip, "scorer/clip16/recon_archive.zip");
  tac::test::TempDir dir("compress-parity");
  const auto result = classical::write_submission(gt, dir.path / "sub", {});
  EXPECT_EQ(result.stream.settings.width, 522);
  EXPECT_EQ(result.stream.settings.height, 392);
  const auto ours = yuv_frame_hashes(only_member(result.archive), "ours");
  const auto theirs = yuv_frame_hashes(only_member(upstream_zip), "upstream");
  ASSERT_EQ(ours.size(), theirs.size());
  EXPECT_EQ(ours, theirs);
}

TEST(ClassicalCompress, SvtAv1AndAomRoundTripToContestFrames) {
  TAC_FIXTURE(gt, "scorer/clip16/gt.mkv");
  tac::test::TempDir dir("compress-av1");
  for (const std::string codec : {"svtav1", "aom"}) {
    classical::SubmissionOptions options;
    options.compress.codec = codec;
    options.compress.max_frames = 3;
    options.compress.scale = 0.25;
    options.compress.preset = codec == "aom" ? "8" : "12";
    const auto a = classical::write_submission(gt, dir.path / (codec + "a"), options);
    const auto b = classical::write_submission(gt, dir.path / (codec + "b"), options);
    EXPECT_EQ(read_all(a.archive), read_all(b.archive)) << codec;
    const auto member = only_member(a.archive);
    const auto archive = tac::codec::ArchiveContents::from_bytes("gt.mkv", member);
    CountSink sink;
    classical::format().inflate(archive.members()[0], sink, {});
    EXPECT_EQ(sink.frames, 3) << codec;
    EXPECT_EQ(sink.bytes, std::size_t{874} * 1164 * 3) << codec;
  }
}

TEST(ClassicalCompress, BadInputsAreClearErrorsAndLeaveNothing) {
  TAC_FIXTURE(gt, "scorer/clip16/gt.mkv");
  tac::test::TempDir dir("compress-bad");
  // Expects an error of `kind` whose message names `file` (when given).
  auto expect_error = [&](const std::filesystem::path& video, const classical::SubmissionOptions& options,
                          tac::ErrorKind kind, const std::string& file = "") {
    const auto out = dir.path / "out";
    try {
      classical::write_submission(video, out, options);
      ADD_FAILURE() << "no error; expected one of kind " << tac::kind_name(kind);
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(out / "archive.zip"));
  };
  // Unreadable video.
  const auto garbage = dir.path / "garbage.mkv";
  std::ofstream(garbage) << "this is not a video";
  expect_error(garbage, {}, tac::ErrorKind::corrupt_input, "garbage.mkv");
  expect_error(dir.path / "missing.mkv", {}, tac::ErrorKind::io, "missing.mkv");
  // Odd frame size (a 5x4 YUV4MPEG clip).
  const auto odd = dir.path / "odd.y4m";
  {
    std::ofstream y4m(odd, std::ios::binary);
    y4m << "YUV4MPEG2 W5 H4 F20:1 Ip A1:1 C420jpeg\nFRAME\n" << std::string(5 * 4 + 2 * 3 * 2, '\x80');
  }
  expect_error(odd, {}, tac::ErrorKind::usage, "odd.y4m");
  // Unknown codec, scale out of range, unknown filter.
  classical::SubmissionOptions bad_codec;
  bad_codec.compress.codec = "h266";
  expect_error(gt, bad_codec, tac::ErrorKind::usage);
  for (const double scale : {0.0, -0.5, 1.01}) {
    classical::SubmissionOptions bad_scale;
    bad_scale.compress.scale = scale;
    expect_error(gt, bad_scale, tac::ErrorKind::usage);
  }
  classical::SubmissionOptions bad_filter;
  bad_filter.compress.filter = "magic";
  expect_error(gt, bad_filter, tac::ErrorKind::usage);
  EXPECT_FALSE(std::filesystem::exists(dir.path / "out"));  // never even created

  // An output directory holding other files: refused unless forced, and untouched.
  const auto busy = dir.path / "busy";
  std::filesystem::create_directories(busy);
  std::ofstream(busy / "notes.txt") << "mine";
  classical::SubmissionOptions small;
  small.compress.max_frames = 2;
  try {
    classical::write_submission(gt, busy, small);
    ADD_FAILURE() << "wrote into a busy directory";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage) << e.what();
    EXPECT_NE(std::string(e.what()).find("busy"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(busy / "archive.zip"));
  small.force = true;
  classical::write_submission(gt, busy, small);
  EXPECT_TRUE(std::filesystem::exists(busy / "archive.zip"));
  EXPECT_TRUE(std::filesystem::exists(busy / "notes.txt"));
  // A previous submission of ours is not "other files".
  small.force = false;
  classical::write_submission(gt, busy / "again", small);
  classical::write_submission(gt, busy / "again", small);
}

TEST(ClassicalCompress, ScaledSizeFollowsFfmpegTruncExpression) {
  EXPECT_EQ(classical::scaled_size(1164, 874, 0.45), std::make_pair(522, 392));
  EXPECT_EQ(classical::scaled_size(1164, 874, 1.0), std::make_pair(1164, 874));
  EXPECT_EQ(classical::scaled_size(1164, 874, 0.5), std::make_pair(582, 436));
  EXPECT_TAC_ERROR(classical::scaled_size(1164, 874, 0.001), tac::ErrorKind::usage);
}

}  // namespace
