// `tac inflate`, `tac-inflate`, `tac archive inspect` and `tac submission init` through the built binaries.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "support/fixtures.hpp"
#include "support/run_command.hpp"
#include "tac/core/error.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/raw_frames.hpp"

namespace {

using Run = tac::test::CommandResult;
Run run(const std::string& command) { return tac::test::run_command(command); }

// Shell-quoted path. Appended piecewise: `"'" + std::string&&` trips GCC 12's -Wrestrict false
// positive in libstdc++'s operator+ (GCC bug 105651) at -O3.
std::string q(const std::filesystem::path& p) {
  std::string s(1, '\'');
  s += p.string();
  s += '\'';
  return s;
}

}  // namespace

// A generated inflate.sh limited to the first two frames (so a test stays short),
// written to `out`; false when the script does not run tac-inflate for `format`.
bool write_two_frame_script(const std::filesystem::path& script, const std::string& format, const std::filesystem::path& out) {
  std::ifstream in(script);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "--format " + format;
  const auto at = text.rfind(from);
  if (at == std::string::npos) return false;
  text.replace(at, from.size(), from + " --max-frames 2");
  std::ofstream(out) << text;
  return true;
}

TEST(InflateCli, InflatesZipPrefixMatchingGoldenHashes) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  TAC_FIXTURE(golden_json, "replay/qhnerv_ft_best/golden.json");
  tac::test::TempDir tmp("inflate_cli");
  std::ofstream(tmp.path / "names.txt") << "0.mkv\n";
  const auto r = run(q(tac::test::built_program("tac")) + " inflate --max-frames 4 " + q(zip) + " " + q(tmp.path / "out") +
                     " " + q(tmp.path / "names.txt"));
  ASSERT_EQ(r.status, 0) << r.output;
  const tac::io::RawFrames raw(tmp.path / "out" / "0.raw");
  ASSERT_EQ(raw.frame_count(), 4);
  const auto golden = tac::test::read_json(golden_json);
  for (int f = 0; f < 4; ++f) EXPECT_EQ(tac::sha256_hex(raw.frame(f)), golden["frame_sha256"][f].get<std::string>());
}

TEST(InflateCli, RefusesUnknownFormatListingKnownOnes) {
  tac::test::TempDir tmp("inflate_unknown");
  std::filesystem::create_directories(tmp.path / "archive");
  std::ofstream(tmp.path / "archive" / "0.bin") << "definitely not an archive";
  std::ofstream(tmp.path / "names.txt") << "0.mkv\n";
  const auto r = run(q(tac::test::built_program("tac")) + " inflate " + q(tmp.path / "archive") + " " + q(tmp.path / "out") +
                     " " + q(tmp.path / "names.txt"));
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::corrupt_input)) << r.output;
  EXPECT_NE(r.output.find("0.bin"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("hnerv95"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(tmp.path / "out" / "0.raw"));
}

TEST(InflateCli, ArchiveInspectAccountsForEveryByte) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  const auto r = run(q(tac::test::built_program("tac")) + " archive inspect --json " + q(zip));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["bytes"].get<std::uint64_t>(), std::filesystem::file_size(zip));
  EXPECT_EQ(j["unaccounted_bytes"].get<std::int64_t>(), 0);
  std::uint64_t members = 0;
  for (const auto& m : j["members"]) {
    EXPECT_EQ(m["format"], "hnerv95");
    std::uint64_t sections = 0;
    for (const auto& s : m["sections"]) sections += s["bytes"].get<std::uint64_t>();
    EXPECT_EQ(sections, m["uncompressed_bytes"].get<std::uint64_t>());
    members += m["bytes"].get<std::uint64_t>();
  }
  EXPECT_EQ(members + j["zip_overhead"]["bytes"].get<std::uint64_t>(), j["bytes"].get<std::uint64_t>());
  const double rate = j["rate_term"].get<double>();
  EXPECT_NEAR(rate, 25.0 * double(std::filesystem::file_size(zip)) / double(tac::contest::kOriginalVideoBytes), 1e-12);
}

TEST(InflateCli, SubmissionInitWritesRunnableInflateSh) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  TAC_FIXTURE(golden_json, "replay/qhnerv_ft_best/golden.json");
  tac::test::TempDir tmp("submission_init");
  const auto sub = tmp.path / "sub";
  auto r = run(q(tac::test::built_program("tac")) + " submission init --format hnerv95 --archive " + q(zip) + " " + q(sub));
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(std::filesystem::exists(sub / "inflate.sh"));
  ASSERT_TRUE(std::filesystem::exists(sub / "archive.zip"));
  std::ofstream(tmp.path / "names.txt") << "0.mkv\n";
  // Without tac-inflate on PATH or TAC_INFLATE: a clear error.
  r = run("env -u TAC_INFLATE PATH=/usr/bin:/bin bash " + q(sub / "inflate.sh") + " " + q(sub / "archive.zip") + " " +
          q(tmp.path / "out") + " " + q(tmp.path / "names.txt"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("tac-inflate not found"), std::string::npos) << r.output;
  // Unknown format names are refused.
  r = run(q(tac::test::built_program("tac")) + " submission init --format nosuch " + q(tmp.path / "x"));
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::usage)) << r.output;
  EXPECT_NE(r.output.find("known formats"), std::string::npos) << r.output;
  // With TAC_INFLATE: unzip like evaluate.sh, then run inflate.sh on the directory (prefix of the video).
  r = run("mkdir -p " + q(sub / "archive") + " && cd " + q(sub / "archive") + " && unzip -o -q ../archive.zip");
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(write_two_frame_script(sub / "inflate.sh", "hnerv95", tmp.path / "short.sh"));
  r = run("TAC_INFLATE=" + q(tac::test::built_program("tac-inflate")) + " bash " + q(tmp.path / "short.sh") + " " +
          q(sub / "archive") + " " + q(tmp.path / "out") + " " + q(tmp.path / "names.txt"));
  ASSERT_EQ(r.status, 0) << r.output;
  const tac::io::RawFrames raw(tmp.path / "out" / "0.raw");
  const auto golden = tac::test::read_json(golden_json);
  ASSERT_EQ(raw.frame_count(), 2);
  EXPECT_EQ(tac::sha256_hex(raw.frame(1)), golden["frame_sha256"][1].get<std::string>());
}

// `tac repack`: a smaller hnerv95_tacp submission whose inflate.sh (through tac-inflate) gives the
// golden frames; the JSON report adds up; `archive inspect` accounts for every byte.
TEST(InflateCli, RepackWritesSmallerSubmissionInflatingToGolden) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  TAC_FIXTURE(golden_json, "replay/qhnerv_ft_best/golden.json");
  tac::test::TempDir tmp("repack_cli");
  const auto sub = tmp.path / "sub";
  auto r = run(q(tac::test::built_program("tac")) + " repack --json " + q(zip) + " -o " + q(sub));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  const auto after = std::filesystem::file_size(sub / "archive.zip");
  EXPECT_EQ(j["archive_bytes_after"].get<std::uint64_t>(), after);
  EXPECT_EQ(j["archive_bytes_before"].get<std::uint64_t>(), std::filesystem::file_size(zip));
  EXPECT_LT(after, std::filesystem::file_size(zip));
  EXPECT_NEAR(j["score_gain"].get<double>(),
              25.0 * (double(std::filesystem::file_size(zip)) - double(after)) / double(tac::contest::kOriginalVideoBytes), 1e-12);
  std::uint64_t sections = j["packet_header_bytes"].get<std::uint64_t>();
  for (const auto& s : j["sections"]) sections += s["after_bytes"].get<std::uint64_t>();
  EXPECT_EQ(sections + j["zip_framing_bytes"].get<std::uint64_t>(), after);

  r = run(q(tac::test::built_program("tac")) + " archive inspect --json " + q(sub / "archive.zip"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto inspect = nlohmann::json::parse(r.output);
  EXPECT_EQ(inspect["unaccounted_bytes"].get<std::int64_t>(), 0);
  ASSERT_EQ(inspect["members"].size(), 1u);
  EXPECT_EQ(inspect["members"][0]["format"], "hnerv95_tacp");

  r = run("mkdir -p " + q(sub / "archive") + " && cd " + q(sub / "archive") + " && unzip -o -q ../archive.zip");
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(write_two_frame_script(sub / "inflate.sh", "hnerv95_tacp", tmp.path / "short.sh"));
  std::ofstream(tmp.path / "names.txt") << "0.mkv\n";
  r = run("TAC_INFLATE=" + q(tac::test::built_program("tac-inflate")) + " bash " + q(tmp.path / "short.sh") + " " +
          q(sub / "archive") + " " + q(tmp.path / "out") + " " + q(tmp.path / "names.txt"));
  ASSERT_EQ(r.status, 0) << r.output;
  const tac::io::RawFrames raw(tmp.path / "out" / "0.raw");
  const auto golden = tac::test::read_json(golden_json);
  ASSERT_EQ(raw.frame_count(), 2);
  for (int f = 0; f < 2; ++f) EXPECT_EQ(tac::sha256_hex(raw.frame(f)), golden["frame_sha256"][f].get<std::string>());

  // Anything but an hnerv95 archive is refused as corrupt input.
  std::ofstream(tmp.path / "junk.bin") << "not an archive";
  r = run(q(tac::test::built_program("tac")) + " repack " + q(tmp.path / "junk.bin") + " -o " + q(tmp.path / "x"));
  EXPECT_EQ(r.status, tac::exit_code(tac::ErrorKind::corrupt_input)) << r.output;
}
