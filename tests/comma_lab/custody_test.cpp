// Runtime identity: what is in it, what is not, and that any change to runtime bytes changes it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "comma_lab/custody/runtime_identity.hpp"
#include "lab_test_util.hpp"
#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"

namespace {
namespace fs = std::filesystem;
using comma_lab::custody::runtime_identity;
using comma_lab::test::write_text;

std::string sha_of(std::string_view s) {
  return tac::sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

void make_submission(const fs::path& dir) {
  write_text(dir / "inflate.sh", "#!/bin/bash\npython3 decode.py \"$@\"\n");
  write_text(dir / "decode.py", "print('decode')\n");
  write_text(dir / "lib" / "util.py", "X = 1\n");
  write_text(dir / "archive.zip", "PK\x05\x06 not really");
}

TEST(RuntimeIdentity, ListsEveryRuntimeFileWithSizeAndHash) {
  tac::test::TempDir tmp("lab_runtime_list");
  make_submission(tmp.path);
  const auto id = runtime_identity(tmp.path);
  ASSERT_EQ(id.files.size(), 3u);
  EXPECT_EQ(id.files[0].path, "decode.py");
  EXPECT_EQ(id.files[1].path, "inflate.sh");
  EXPECT_EQ(id.files[2].path, "lib/util.py");
  EXPECT_EQ(id.files[1].bytes, fs::file_size(tmp.path / "inflate.sh"));
  EXPECT_EQ(id.files[1].sha256, tac::sha256_file_hex(tmp.path / "inflate.sh"));
  // The identity is the SHA-256 of the listing text, one line per file.
  EXPECT_EQ(id.sha256, sha_of(id.listing));
  EXPECT_NE(id.listing.find(id.files[2].sha256 + " 6 f lib/util.py\n"), std::string::npos) << id.listing;
}

TEST(RuntimeIdentity, IgnoresArchiveAndEvaluateOutputs) {
  tac::test::TempDir tmp("lab_runtime_ignores");
  make_submission(tmp.path);
  const auto before = runtime_identity(tmp.path).sha256;
  write_text(tmp.path / "archive.zip", "other archive bytes");
  write_text(tmp.path / "archive" / "0.bin", "unzipped");
  write_text(tmp.path / "inflated" / "0.raw", "frames");
  write_text(tmp.path / "report.txt", "report");
  EXPECT_EQ(runtime_identity(tmp.path).sha256, before);
  // ...but a report.txt deeper down is a runtime file.
  write_text(tmp.path / "lib" / "report.txt", "x");
  EXPECT_NE(runtime_identity(tmp.path).sha256, before);
}

TEST(RuntimeIdentity, EveryRuntimeChangeChangesTheHash) {
  tac::test::TempDir tmp("lab_runtime_changes");
  make_submission(tmp.path);
  const auto base = runtime_identity(tmp.path).sha256;
  write_text(tmp.path / "decode.py", "print('decodf')\n");  // one byte
  const auto edited = runtime_identity(tmp.path).sha256;
  EXPECT_NE(edited, base);
  fs::rename(tmp.path / "decode.py", tmp.path / "decode2.py");  // same bytes, new name
  const auto renamed = runtime_identity(tmp.path).sha256;
  EXPECT_NE(renamed, edited);
  write_text(tmp.path / ".hidden", "");  // an empty hidden file counts too
  EXPECT_NE(runtime_identity(tmp.path).sha256, renamed);
}

TEST(RuntimeIdentity, SymlinksAreHashedByTargetNotFollowed) {
  tac::test::TempDir tmp("lab_runtime_symlink");
  make_submission(tmp.path);
  write_text(tmp.path / "outside.txt", "a");
  ASSERT_EQ(::symlink("/etc/hostname", (tmp.path / "link").c_str()), 0);
  const auto id = runtime_identity(tmp.path);
  const auto it = std::find_if(id.files.begin(), id.files.end(), [](const auto& f) { return f.path == "link"; });
  ASSERT_NE(it, id.files.end());
  EXPECT_TRUE(it->symlink);
  EXPECT_EQ(it->sha256, sha_of("/etc/hostname"));
  EXPECT_EQ(it->bytes, std::string("/etc/hostname").size());
}

TEST(RuntimeIdentity, OddNamesCannotBreakTheListing) {
  tac::test::TempDir tmp("lab_runtime_names");
  make_submission(tmp.path);
  write_text(tmp.path / "evil\nname 1%", "x");
  const auto id = runtime_identity(tmp.path);
  EXPECT_NE(id.listing.find(" f evil%0Aname%201%25\n"), std::string::npos) << id.listing;
  // Four files, four lines.
  EXPECT_EQ(std::count(id.listing.begin(), id.listing.end(), '\n'), 4);
}

TEST(RuntimeIdentity, RefusesWhatIsNotADirectory) {
  tac::test::TempDir tmp("lab_runtime_refuse");
  try {
    runtime_identity(tmp.path / "missing");
    FAIL() << "no error";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::usage);
  }
  make_submission(tmp.path);
  comma_lab::custody::RuntimeLimits few;
  few.max_files = 2;
  try {
    runtime_identity(tmp.path, few);
    FAIL() << "no error";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::limit_exceeded);
  }
}

TEST(RuntimeIdentity, CliPrintsTheSameIdentity) {
  tac::test::TempDir tmp("lab_runtime_cli");
  make_submission(tmp.path);
  const auto id = runtime_identity(tmp.path);
  const auto tac_bin = comma_lab::test::quote(tac::test::built_program("tac"));
  const auto r = comma_lab::test::run(tac_bin + " lab runtime-hash --json " + comma_lab::test::quote(tmp.path), false);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["sha256"], id.sha256);
  EXPECT_EQ(j["files"].size(), 3u);
  const auto text = comma_lab::test::run(tac_bin + " lab runtime-hash " + comma_lab::test::quote(tmp.path));
  EXPECT_EQ(text.status, 0);
  EXPECT_NE(text.output.find(id.sha256), std::string::npos);
  const auto bad = comma_lab::test::run(tac_bin + " lab runtime-hash " + comma_lab::test::quote(tmp.path / "nope"));
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.output.find("not a submission directory"), std::string::npos) << bad.output;
}

}  // namespace
