// Long codec operations report progress through tac::ProgressCallback (core/progress.hpp) and
// never print: inflate counts frames per video, compress counts encoded frames, and a callback that
// throws cancels the operation without leaving a half-written output.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "tac/codec/classical/classical_compress.hpp"
#include "tac/codec/inflate.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"

namespace {

struct Report {
  std::string stage;
  std::int64_t done = 0, total = 0;
  std::string unit;
};

tac::ProgressCallback recorder(std::vector<Report>& reports) {
  return [&reports](const tac::Progress& p) { reports.push_back({std::string(p.stage), p.done, p.total, std::string(p.unit)}); };
}

struct Cancelled {};

TEST(ProgressReport, InflateCountsFramesPerVideo) {
  TAC_FIXTURE(zip, "scorer/clip16/recon_archive.zip");
  tac::test::TempDir dir("progress-inflate");
  tac::write_file_atomic(dir.path / "names.txt", "0.mkv\n");
  tac::codec::InflateRequest request{zip, dir.path / "out", dir.path / "names.txt", "", {}};
  request.options.max_frames = 4;
  std::vector<Report> reports;
  request.options.progress = recorder(reports);
  const auto result = tac::codec::inflate_archive(request);
  ASSERT_EQ(result.videos.size(), 1u);
  ASSERT_EQ(reports.size(), 5u);  // the start, then one per frame
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].stage, "inflate 0.mkv");
    EXPECT_EQ(reports[i].done, static_cast<std::int64_t>(i));
    EXPECT_EQ(reports[i].total, 4);
    EXPECT_EQ(reports[i].unit, "frames");
  }
}

TEST(ProgressReport, ThrowingFromTheCallbackCancelsInflateAndLeavesNoRaw) {
  TAC_FIXTURE(zip, "scorer/clip16/recon_archive.zip");
  tac::test::TempDir dir("progress-cancel");
  tac::write_file_atomic(dir.path / "names.txt", "0.mkv\n");
  tac::codec::InflateRequest request{zip, dir.path / "out", dir.path / "names.txt", "", {}};
  request.options.progress = [](const tac::Progress& p) {
    if (p.done == 3) throw Cancelled{};
  };
  EXPECT_THROW(tac::codec::inflate_archive(request), Cancelled);
  EXPECT_FALSE(std::filesystem::exists(dir.path / "out" / "0.raw"));
}

TEST(ProgressReport, CompressCountsEncodedFrames) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  tac::codec::classical::CompressOptions options;
  options.max_frames = 3;
  std::vector<Report> reports;
  options.progress = recorder(reports);
  const auto stream = tac::codec::classical::compress_video(video, options);
  ASSERT_EQ(stream.frames, 3);
  ASSERT_EQ(reports.size(), 3u);
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].stage, "compress");
    EXPECT_EQ(reports[i].done, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(reports[i].total, 3);
    EXPECT_EQ(reports[i].unit, "frames");
  }
}

}  // namespace
