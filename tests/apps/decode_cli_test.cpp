// `tac decode` through the built binary: golden frames, --frames, and clean failure on bad input
// (exit status != 0, exactly one line on stderr, nothing left in the output directory).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/raw_frames.hpp"

namespace {

struct Run {
  int status = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string quote(const std::string& s) {
  std::string q(1, '\'');
  for (char c : s) {
    if (c == '\'')
      q.append("'\\''");
    else
      q.push_back(c);
  }
  q.push_back('\'');
  return q;
}

// Runs `tac decode ARGS` with stdout/stderr captured in files of `logs` (outside the output dir).
Run tac_decode(const std::vector<std::string>& args, const std::filesystem::path& logs) {
  std::string command = quote(tac::test::built_program("tac").string()) + " decode";
  for (const auto& a : args) command.append(" ").append(quote(a));
  command.append(" >").append(quote((logs / "stdout").string()));
  command.append(" 2>").append(quote((logs / "stderr").string()));
  command.append(" </dev/null");
  Run run;
  const int raw = std::system(command.c_str());
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  run.out = slurp(logs / "stdout");
  run.err = slurp(logs / "stderr");
  return run;
}

std::vector<std::string> directory_listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> golden_hashes(const std::filesystem::path& golden_json) {
  const auto json = tac::test::read_json(golden_json);
  std::vector<std::string> out;
  for (const auto& h : json.at("gt_frame_sha256")) out.push_back(h.get<std::string>());
  return out;
}

void copy_prefix(const std::filesystem::path& from, const std::filesystem::path& to, double fraction) {
  const auto bytes = slurp(from);
  std::ofstream(to, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() * fraction));
}

// A failed run: the exit code of `kind`, one line on stderr naming `input`, and the output directory
// holding exactly what it held before (no OUT.raw, no temporary).
void expect_clean_failure(const std::filesystem::path& input, const std::string& what, tac::ErrorKind kind) {
  tac::test::TempDir logs("decode-cli-logs");
  tac::test::TempDir out_dir("decode-cli-out");
  const auto before = directory_listing(out_dir.path);
  const auto run = tac_decode({input.string(), "-o", (out_dir.path / "out.raw").string()}, logs.path);
  EXPECT_EQ(run.status, tac::exit_code(kind)) << what << ": " << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << what << ": stderr was:\n" << run.err;
  EXPECT_EQ(run.err.rfind("tac: error: ", 0), 0u) << what << ": " << run.err;
  EXPECT_NE(run.err.find(input.filename().string()), std::string::npos) << what << ": " << run.err;
  EXPECT_EQ(directory_listing(out_dir.path), before) << what << ": output directory changed";
}

}  // namespace

TEST(DecodeCli, WritesGoldenFrames) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(golden, "scorer/clip16/golden.json");
  tac::test::TempDir dir("decode-cli");
  const auto out = dir.path / "gt.raw";
  const auto run = tac_decode({video.string(), "-o", out.string()}, dir.path);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");  // not a terminal: no progress line
  EXPECT_NE(run.out.find("16 frames"), std::string::npos) << run.out;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 1) << run.out;
  const tac::io::RawFrames frames(out);
  const auto expected = golden_hashes(golden);
  ASSERT_EQ(frames.frame_count(), static_cast<std::int64_t>(expected.size()));
  for (std::int64_t i = 0; i < frames.frame_count(); ++i)
    EXPECT_EQ(tac::sha256_hex(frames.frame(i)), expected[static_cast<std::size_t>(i)]) << "frame " << i;
}

TEST(DecodeCli, FramesOptionWritesExactlyN) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(golden, "scorer/clip16/golden.json");
  const auto expected = golden_hashes(golden);
  tac::test::TempDir dir("decode-cli");
  for (int n : {1, 3}) {
    const auto out = dir.path / ("first" + std::to_string(n) + ".raw");
    const auto run = tac_decode({video.string(), "-o", out.string(), "--frames", std::to_string(n), "--threads", "2"}, dir.path);
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(std::filesystem::file_size(out), static_cast<std::uintmax_t>(n) * tac::contest::kFrameBytes);
    const tac::io::RawFrames frames(out);
    for (int i = 0; i < n; ++i) EXPECT_EQ(tac::sha256_hex(frames.frame(i)), expected[static_cast<std::size_t>(i)]);
  }
}

TEST(DecodeCli, MissingFileFailsCleanly) {
  tac::test::TempDir dir("decode-cli-in");
  expect_clean_failure(dir.path / "no-such-video.mkv", "missing file", tac::ErrorKind::io);
}

TEST(DecodeCli, NonVideoFileFailsCleanly) {
  tac::test::TempDir dir("decode-cli-in");
  const auto path = dir.path / "notes.mkv";
  std::ofstream(path) << "this is a text file, not a video\n";
  expect_clean_failure(path, "text file", tac::ErrorKind::corrupt_input);
}

TEST(DecodeCli, TruncatedVideoFailsCleanly) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  tac::test::TempDir dir("decode-cli-in");
  const auto half = dir.path / "half.mkv";
  copy_prefix(video, half, 0.5);
  expect_clean_failure(half, "truncated video", tac::ErrorKind::corrupt_input);
}

TEST(DecodeCli, WrongFrameSizeFailsCleanly) {
  if (std::system("ffmpeg -version >/dev/null 2>&1") != 0) GTEST_SKIP() << "ffmpeg CLI not installed";
  tac::test::TempDir dir("decode-cli-in");
  const auto small = dir.path / "small.mkv";
  ASSERT_EQ(std::system(("ffmpeg -v error -y -f lavfi -i testsrc2=size=64x48:rate=5 -frames:v 2 -pix_fmt yuv420p -c:v ffv1 " +
                         quote(small.string()) + " >/dev/null 2>&1")
                            .c_str()),
            0);
  expect_clean_failure(small, "64x48 video", tac::ErrorKind::usage);
}

TEST(DecodeCli, HelpExplainsTheConversionAndLayout) {
  tac::test::TempDir dir("decode-cli");
  const auto run = tac_decode({"--help"}, dir.path);
  EXPECT_EQ(run.status, 0);
  for (const char* words : {"yuv420_to_rgb", "BT.601", "round half to even", "874x1164", "--frames", "--threads"})
    EXPECT_NE(run.out.find(words), std::string::npos) << words;
}
