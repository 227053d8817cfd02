// Zip safety: one crafted archive per rule, each caught with its finding id; a clean archive and
// the public fixture archives raise nothing.
#include <gtest/gtest.h>

#include <functional>

#include "comma_lab/check/zip_rules.hpp"
#include "support/fixtures.hpp"
#include "zip_builder.hpp"

namespace {
using comma_lab::check::check_zip_bytes;
using comma_lab::check::Findings;
using comma_lab::check::ZipLimits;
using comma_lab::test::build_zip;
using comma_lab::test::TestMember;
using comma_lab::test::TestZip;

TestMember member(std::string name, std::string data = "payload bytes", std::uint16_t method = 0) {
  TestMember m;
  m.name = std::move(name);
  m.data = std::move(data);
  m.method = method;
  return m;
}

TestZip clean() { return TestZip{{member("0.bin", std::string(3000, 'x') + "tail", 8), member("meta/info.txt")}}; }

std::string ids(const Findings& f) {
  std::string s;
  for (const auto& x : f) s += x.id + " (" + x.reason + ")\n";
  return s;
}

bool has(const Findings& f, const std::string& id) {
  return std::any_of(f.begin(), f.end(), [&](const auto& x) { return x.id == id; });
}

struct Case {
  std::string id;
  std::function<TestZip()> make;
  ZipLimits limits = {};
};

std::vector<Case> cases() {
  std::vector<Case> c;
  auto one = [](TestMember m) { return TestZip{{member("0.bin"), std::move(m)}}; };
  c.push_back({"zip.absolute-path", [=] { return one(member("/etc/passwd")); }});
  c.push_back({"zip.parent-dir", [=] { return one(member("a/../../x.bin")); }});
  c.push_back({"zip.backslash", [=] { return one(member("a\\b.bin")); }});
  c.push_back({"zip.drive-letter", [=] { return one(member("C:x.bin")); }});
  c.push_back({"zip.control-char", [=] { return one(member("bad\nname")); }});
  c.push_back({"zip.hidden-file", [=] { return one(member("dir/.secret")); }});
  c.push_back({"zip.macos-metadata", [=] { return one(member("__MACOSX/0.bin")); }});
  c.push_back({"zip.macos-metadata", [=] { return one(member("._0.bin")); }});
  c.push_back({"zip.macos-metadata", [=] { return one(member(".DS_Store")); }});
  c.push_back({"zip.empty-name", [=] { return one(member("")); }});
  c.push_back({"zip.duplicate-name", [=] { return one(member("0.bin", "other")); }});
  c.push_back({"zip.duplicate-name", [=] { return one(member("0.BIN", "other")); }});
  c.push_back({"zip.name-encoding", [=] { return one(member("caf\xe9.bin")); }});
  c.push_back({"zip.local-name-mismatch", [=] { auto m = member("a.bin"); m.local_name = "b.bin"; return one(m); }});
  c.push_back({"zip.local-flags-mismatch", [=] { auto m = member("a.bin"); m.local_flags = 0x0800; return one(m); }});
  c.push_back({"zip.local-method-mismatch", [=] { auto m = member("a.bin"); m.local_method = 8; return one(m); }});
  c.push_back({"zip.local-crc-mismatch", [=] { auto m = member("a.bin"); m.local_crc = 0x12345678; return one(m); }});
  c.push_back({"zip.local-size-mismatch", [=] { auto m = member("a.bin"); m.local_usize = 99; m.local_csize = 99; return one(m); }});
  c.push_back({"zip.local-missing", [=] { auto m = member("a.bin"); m.local_offset = 3; return one(m); }});
  c.push_back({"zip.stored-size-mismatch", [=] { auto m = member("a.bin"); m.usize = 5; m.local_usize = 5; return one(m); }});
  c.push_back({"zip.data-crc-mismatch", [=] { auto m = member("a.bin"); m.crc = 0xdeadbeef; return one(m); }});
  c.push_back({"zip.data-size-mismatch", [=] { auto m = member("a.bin", std::string(500, 'z'), 8); m.usize = 400; return one(m); }});
  c.push_back({"zip.data-corrupt", [=] { auto m = member("a.bin", "\xff\xff\xff not a deflate stream", 8); m.raw = true; return one(m); }});
  c.push_back({"zip.symlink", [=] { auto m = member("link", "/etc/passwd"); m.external = 0120777u << 16; return one(m); }});
  c.push_back({"zip.encrypted", [=] { auto m = member("a.bin"); m.flags = 1; return one(m); }});
  c.push_back({"zip.unsupported-method", [=] { auto m = member("a.bin"); m.method = 12; return one(m); }});
  c.push_back({"zip.member-too-large", [=] { return one(member("big.bin", std::string(2000, 'q'))); }, ZipLimits{.max_member_bytes = 1000}});
  c.push_back({"zip.total-too-large", [=] { return TestZip{{member("a", std::string(600, 'a')), member("b", std::string(600, 'b'))}}; },
               ZipLimits{.max_total_bytes = 1000}});
  c.push_back({"zip.too-many-members", [=] { return TestZip{{member("a"), member("b"), member("c")}}; }, ZipLimits{.max_members = 2}});
  c.push_back({"zip.archive-too-large", [=] { return one(member("a.bin", std::string(5000, 'r'))); }, ZipLimits{.max_archive_bytes = 4096}});
  // 16 MiB of zeros deflate to ~16 KB: a ratio near 1000.
  c.push_back({"zip.bomb-ratio", [=] { return one(member("bomb.bin", std::string(16u << 20, '\0'), 8)); }});
  // Two central entries sharing one local header and its data.
  c.push_back({"zip.overlapping-members", [=] { auto z = TestZip{{member("a.bin"), member("b.bin")}}; z.members[1].local_offset = 0; return z; }});
  c.push_back({"zip.unaccounted-bytes", [=] { auto z = clean(); z.prefix = "HIDDEN DATA"; return z; }});
  c.push_back({"zip.comment", [=] { auto z = clean(); z.comment = "a comment"; return z; }});
  c.push_back({"zip.entry-count-mismatch", [=] { auto z = clean(); z.declared_entries = 5; return z; }});
  c.push_back({"zip.zip64", [=] { auto z = clean(); z.zip64_locator = true; return z; }});
  c.push_back({"zip.empty", [=] { return TestZip{}; }});
  return c;
}

TEST(CheckZip, CleanArchiveRaisesNothing) {
  const auto bytes = build_zip(clean());
  const auto f = check_zip_bytes(bytes, "clean.zip");
  EXPECT_TRUE(f.empty()) << ids(f);
}

TEST(CheckZip, EveryCraftedArchiveIsCaughtWithItsId) {
  for (const auto& c : cases()) {
    const auto bytes = build_zip(c.make());
    const auto f = check_zip_bytes(bytes, "crafted.zip", c.limits);
    EXPECT_TRUE(has(f, c.id)) << "expected " << c.id << ", got:\n" << ids(f);
    for (const auto& x : f) EXPECT_FALSE(x.reason.empty()) << x.id;
  }
}

TEST(CheckZip, WhatIsNotAZipIsMalformed) {
  auto bytes = build_zip(clean());
  bytes.resize(bytes.size() - 10);  // the end record is cut
  const auto f = check_zip_bytes(bytes, "cut.zip");
  EXPECT_TRUE(has(f, "zip.malformed")) << ids(f);
  const std::vector<std::uint8_t> noise(5000, 0x50);
  EXPECT_TRUE(has(check_zip_bytes(noise, "noise.zip"), "zip.malformed"));
}

TEST(CheckZip, TruncatedFilesNeverCrash) {
  // Every prefix of a valid archive: either a finding or malformed, never a crash or a throw.
  const auto bytes = build_zip(clean());
  for (std::size_t n = 0; n < bytes.size(); n += 7) {
    const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    const auto f = check_zip_bytes(cut, "cut.zip");
    EXPECT_FALSE(f.empty()) << n;
  }
}

TEST(CheckZip, PublicFixtureArchivesPass) {
  for (const auto* rel : {"replay/qhnerv_ft_best/archive.zip", "replay/vibe_coder_final_boss/archive.zip",
                          "scorer/clip16/recon_archive.zip"}) {
    const auto path = tac::test::find_fixture(rel);
    if (!path) {
      if (tac::test::fixtures_required()) FAIL() << "fixture missing: " << rel;
      continue;
    }
    const auto f = comma_lab::check::check_zip_file(*path);
    EXPECT_TRUE(f.empty()) << rel << ":\n" << ids(f);
  }
}

}  // namespace
