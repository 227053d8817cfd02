// `tac lossless profiles | pack | unpack | bench` through the built binary on small inputs: every
// profile round-trips, best is no larger than brotli q11 / xz -9e plus framing, damage is refused.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "entropy/entropy_test_inputs.hpp"
#include "support/fixtures.hpp"
#include "support/run_command.hpp"
#include "tac/entropy/generic_codecs.hpp"

namespace {

using Run = tac::test::CommandResult;
Run run(const std::string& command) { return tac::test::run_command(command); }

std::string q(const std::filesystem::path& p) {
  std::string s(1, '\'');
  s += p.string();
  s += '\'';
  return s;
}

std::string tac_cmd() { return q(tac::test::built_program("tac")); }

void write(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

std::vector<std::uint8_t> read(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// Structured bytes: little-endian 32-bit counters with noise, then text.
std::vector<std::uint8_t> mixed_input() {
  std::vector<std::uint8_t> v;
  for (std::uint32_t i = 0; i < 3000; ++i) {
    const std::uint32_t w = i * 1000 + (i * 2654435761u >> 28);
    for (int b = 0; b < 4; ++b) v.push_back(std::uint8_t(w >> (8 * b)));
  }
  const std::string text = "lossless lossless profiles pack unpack bench\n";
  for (int i = 0; i < 50; ++i) v.insert(v.end(), text.begin(), text.end());
  return v;
}

std::vector<std::string> profile_names() {
  const auto r = run(tac_cmd() + " lossless profiles --json");
  EXPECT_EQ(r.status, 0) << r.output;
  std::vector<std::string> names;
  for (const auto& p : nlohmann::json::parse(r.output)) names.push_back(p["name"]);
  return names;
}

TEST(LosslessCli, ProfilesListBestBrotliAndXz) {
  const auto names = profile_names();
  EXPECT_EQ(names.front(), "best");
  EXPECT_NE(std::find(names.begin(), names.end(), "brotli11"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "xz9e"), names.end());
}

TEST(LosslessCli, EveryProfileRoundTripsEveryInput) {
  tac::test::TempDir tmp("lossless_rt");
  auto inputs = tac::test::small_inputs();
  inputs.push_back({"mixed", mixed_input()});
  const auto names = profile_names();
  for (const auto& in : inputs) {
    if (in.name == "uniform" || in.name == "skewed" || in.name == "all_zero" || in.name == "ramp")
      continue;  // covered by the library tests (speed: every profile is a process here)
    write(tmp.path / "in", in.bytes);
    for (const auto& name : names) {
      SCOPED_TRACE(name + " / " + in.name);
      auto r = run(tac_cmd() + " lossless pack --json --profile " + name + " " + q(tmp.path / "in") + " " +
                   q(tmp.path / "packet"));
      ASSERT_EQ(r.status, 0) << r.output;
      EXPECT_EQ(nlohmann::json::parse(r.output)["output_bytes"].get<std::size_t>(),
                std::filesystem::file_size(tmp.path / "packet"));
      r = run(tac_cmd() + " lossless unpack " + q(tmp.path / "packet") + " " + q(tmp.path / "out"));
      ASSERT_EQ(r.status, 0) << r.output;
      EXPECT_EQ(read(tmp.path / "out"), in.bytes);
    }
  }
}

TEST(LosslessCli, BestIsNoLargerThanBrotli11OrXz9ePlusFraming) {
  tac::test::TempDir tmp("lossless_best");
  for (const auto& bytes : {mixed_input(), tac::test::small_inputs()[6].bytes, tac::test::skewed_bytes(20000, 8)}) {
    write(tmp.path / "in", bytes);
    const auto r = run(tac_cmd() + " lossless pack --json " + q(tmp.path / "in") + " " + q(tmp.path / "packet"));
    ASSERT_EQ(r.status, 0) << r.output;
    const auto best = std::filesystem::file_size(tmp.path / "packet");
    const auto brotli = tac::entropy::brotli_compress(bytes, {11, 24}).size();
    const auto xz = tac::entropy::xz_compress(bytes, {9, true}).size();
    constexpr std::size_t kFraming = 32;
    EXPECT_LE(best, brotli + kFraming) << r.output;
    EXPECT_LE(best, xz + kFraming) << r.output;
    EXPECT_EQ(read(tmp.path / "in"), bytes);
  }
}

TEST(LosslessCli, BenchVerifiesEveryProfile) {
  tac::test::TempDir tmp("lossless_bench");
  write(tmp.path / "in", mixed_input());
  const auto r = run(tac_cmd() + " lossless bench --json " + q(tmp.path / "in"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_TRUE(j["round_trip_all"].get<bool>());
  EXPECT_EQ(j["profiles"].size() + 1, profile_names().size());
  for (const auto& p : j["profiles"]) {
    EXPECT_TRUE(p["round_trip"].get<bool>()) << p;
    EXPECT_GT(p["bytes"].get<std::size_t>(), 0u);
  }
}

TEST(LosslessCli, RefusesDamageAndUnknownProfiles) {
  tac::test::TempDir tmp("lossless_bad");
  write(tmp.path / "in", mixed_input());
  auto r = run(tac_cmd() + " lossless pack --profile nope " + q(tmp.path / "in") + " " + q(tmp.path / "packet"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("unknown lossless profile 'nope'"), std::string::npos) << r.output;
  r = run(tac_cmd() + " lossless pack --profile lzma9e " + q(tmp.path / "in") + " " + q(tmp.path / "packet"));
  ASSERT_EQ(r.status, 0) << r.output;
  auto packet = read(tmp.path / "packet");
  packet[packet.size() / 2] ^= 0x10;
  write(tmp.path / "bad", packet);
  r = run(tac_cmd() + " lossless unpack " + q(tmp.path / "bad") + " " + q(tmp.path / "out"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("section 'data'"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(tmp.path / "out"));
}

}  // namespace
