#include "tac/io/raw_frames.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <span>
#include <vector>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"

namespace {
using tac::contest::kFrameBytes;

std::vector<std::uint8_t> pattern_frame(int seed) {
  std::vector<std::uint8_t> f(kFrameBytes);
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<std::uint8_t>((i * 31 + seed * 17) & 0xff);
  return f;
}

void append_bytes(const std::filesystem::path& p, std::size_t n) {
  std::ofstream out(p, std::ios::app | std::ios::binary);
  std::vector<char> zeros(n, 0);
  out.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
}
}  // namespace

TEST(RawFrames, WriteThenReadRoundTrip) {
  tac::test::TempDir dir("raw");
  const auto path = dir.path / "0.raw";
  {
    tac::io::RawWriter w(path);
    for (int i = 0; i < 5; ++i) w.write_frame(pattern_frame(i));
    w.commit();
  }
  tac::io::RawFrames r(path);
  EXPECT_EQ(r.frame_count(), 5);
  EXPECT_EQ(r.sample_count(), 2);  // odd trailing frame dropped
  for (int i = 0; i < 5; ++i) {
    const auto expected = pattern_frame(i);
    const auto got = r.frame(i);
    ASSERT_TRUE(std::equal(got.begin(), got.end(), expected.begin())) << "frame " << i;
  }
  const auto [a, b] = r.pair(1);
  EXPECT_EQ(a.data(), r.frame(2).data());
  EXPECT_EQ(b.data(), r.frame(3).data());
  EXPECT_THROW((void)r.frame(5), tac::Error);
}

TEST(RawFrames, WriterRejectsWrongFrameSize) {
  tac::test::TempDir dir("raw");
  tac::io::RawWriter w(dir.path / "bad.raw");
  std::vector<std::uint8_t> small(100);
  EXPECT_THROW(w.write_frame(small), tac::Error);
}

TEST(RawFrames, FramesWrittenInRowBandsReadBackWhole) {
  tac::test::TempDir dir("raw");
  const auto path = dir.path / "bands.raw";
  constexpr std::size_t kRow = static_cast<std::size_t>(tac::contest::kFrameWidth) * 3;
  {
    tac::io::RawWriter w(path);
    for (int i = 0; i < 2; ++i) {
      const auto frame = pattern_frame(i);
      for (std::size_t offset = 0; offset < kFrameBytes; offset += 100 * kRow) {
        const std::size_t n = std::min(100 * kRow, kFrameBytes - offset);
        w.write_rows(std::span(frame).subspan(offset, n));
      }
      w.end_frame();
    }
    w.write_frame(pattern_frame(2));  // whole frames mix with banded ones
    w.commit();
  }
  tac::io::RawFrames r(path);
  ASSERT_EQ(r.frame_count(), 3);
  for (int i = 0; i < 3; ++i) {
    const auto expected = pattern_frame(i);
    const auto got = r.frame(i);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.begin())) << "frame " << i;
  }
}

TEST(RawFrames, PartFramesAreRefusedAndLeaveNothing) {
  tac::test::TempDir dir("raw");
  const auto path = dir.path / "part.raw";
  constexpr std::size_t kRow = static_cast<std::size_t>(tac::contest::kFrameWidth) * 3;
  const auto frame = pattern_frame(0);
  {
    tac::io::RawWriter w(path);
    EXPECT_THROW(w.write_rows(std::span(frame).first(kRow + 1)), tac::Error);  // not whole rows
    w.write_rows(std::span(frame).first(10 * kRow));
    EXPECT_THROW(w.end_frame(), tac::Error);                 // 10 rows are not a frame
    EXPECT_THROW(w.write_frame(frame), tac::Error);          // a frame is half written
    EXPECT_THROW(w.write_rows(std::span(frame)), tac::Error);  // would overrun the frame
    EXPECT_THROW(w.commit(), tac::Error);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(RawFrames, CommitReplacesAnExistingFileOnlyWhenComplete) {
  tac::test::TempDir dir("raw");
  const auto path = dir.path / "0.raw";
  {
    tac::io::RawWriter w(path);
    w.write_frame(pattern_frame(1));
    w.commit();
  }
  {
    tac::io::RawWriter abandoned(path);  // never committed: the old file stays as it was
    abandoned.write_frame(pattern_frame(2));
  }
  {
    tac::io::RawFrames r(path);
    ASSERT_EQ(r.frame_count(), 1);
    EXPECT_EQ(r.frame(0)[0], pattern_frame(1)[0]);
  }
  {
    tac::io::RawWriter w(path);
    w.write_frame(pattern_frame(3));
    w.write_frame(pattern_frame(4));
    w.commit();
  }
  tac::io::RawFrames r(path);
  ASSERT_EQ(r.frame_count(), 2);
  const auto expected = pattern_frame(4);
  EXPECT_TRUE(std::equal(r.frame(1).begin(), r.frame(1).end(), expected.begin()));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), {}), 1);  // no temporaries left
}

TEST(RawFrames, TrailingBytesRefusedUnlessLenient) {
  tac::test::TempDir dir("raw");
  const auto path = dir.path / "0.raw";
  {
    tac::io::RawWriter w(path);
    w.write_frame(pattern_frame(0));
    w.write_frame(pattern_frame(1));
    w.commit();
  }
  append_bytes(path, 10);
  try {
    tac::io::RawFrames r(path);
    FAIL() << "trailing bytes accepted";
  } catch (const tac::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
    EXPECT_EQ(e.kind(), tac::ErrorKind::corrupt_input) << msg;
  }
  tac::io::RawFrames lenient(path, {.lenient = true});
  EXPECT_EQ(lenient.frame_count(), 2);
  EXPECT_EQ(lenient.trailing_bytes(), 10u);
  EXPECT_NE(lenient.lenient_note().find("trailing"), std::string::npos);
}

TEST(RawFrames, ShortFileRefusedWithSizesUnlessLenient) {
  tac::test::TempDir dir("raw");
  const auto path = dir.path / "0.raw";
  {
    tac::io::RawWriter w(path);
    for (int i = 0; i < 4; ++i) w.write_frame(pattern_frame(i));
    w.commit();
  }
  try {
    tac::io::RawFrames r(path, {.expected_frames = 6});
    FAIL();
  } catch (const tac::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
    EXPECT_EQ(e.kind(), tac::ErrorKind::corrupt_input) << msg;
  }
  tac::io::RawFrames lenient(path, {.lenient = true, .expected_frames = 6});
  EXPECT_EQ(lenient.sample_count(), 2);
  EXPECT_NE(lenient.lenient_note().find("4 of 6"), std::string::npos) << lenient.lenient_note();
  // More frames than expected is never a lenient case.
  EXPECT_THROW(tac::io::RawFrames(path, {.lenient = true, .expected_frames = 2}), tac::Error);
}
