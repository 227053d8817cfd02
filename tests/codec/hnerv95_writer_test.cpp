// The hnerv95 writer (the reader's inverse): the public archive re-written from its parsed values
// decodes to bitwise the same parameters and the same frames, its raw sections are the original's
// byte for byte, values off the grid go to the nearest level, and bad values are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "support/error_kind.hpp"
#include "codec/hnerv95_test_util.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/codec.hpp"
#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/codec/hnerv95/hnerv95_format.hpp"
#include "tac/codec/hnerv95/hnerv95_writer.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/zip_reader.hpp"

namespace hn = tac::codec::hnerv95;

namespace {

using tac::test::hnerv95::bitwise_equal;
using tac::test::hnerv95::member_bytes;

struct HashSink final : tac::codec::FrameSink {
  std::vector<std::string> hashes;
  void write_frame(std::span<const std::uint8_t> rgb) override { hashes.push_back(tac::sha256_hex(rgb)); }
};

std::vector<std::string> inflate_hashes(std::span<const std::uint8_t> member, std::int64_t frames) {
  const auto archive = tac::codec::ArchiveContents::from_bytes("0.bin", {member.begin(), member.end()});
  HashSink sink;
  tac::codec::InflateOptions options;
  options.max_frames = frames;
  hn::format().inflate(archive.members().front(), sink, options);
  return sink.hashes;
}

}  // namespace

TEST(Hnerv95Writer, RewrittenArchiveHasTheOriginalRawSectionsParametersAndFrames) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  const auto original = member_bytes(zip);
  const auto a = hn::parse_archive(original, "0.bin");
  const auto raw_original = hn::decode_raw_sections(original, "0.bin");
  const auto raw = hn::encode_raw_sections(a);
  EXPECT_EQ(raw.meta_json, raw_original.meta_json);
  EXPECT_EQ(raw.tensors, raw_original.tensors);
  EXPECT_EQ(raw.latents, raw_original.latents);

  const auto written = hn::write_member(a);
  const auto b = hn::parse_archive(written, "rewritten");
  ASSERT_EQ(b.tensors.size(), a.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    EXPECT_EQ(b.tensors[i].name, a.tensors[i].name);
    EXPECT_EQ(b.tensors[i].shape, a.tensors[i].shape);
    EXPECT_TRUE(bitwise_equal(b.tensors[i].values, a.tensors[i].values)) << a.tensors[i].name;
  }
  EXPECT_TRUE(bitwise_equal(b.latents, a.latents));
  // Through the real codec: the first pairs' frames are identical (all of them follow from the
  // bitwise-equal parameters above; four pairs keep the test quick).
  EXPECT_EQ(inflate_hashes(written, 8), inflate_hashes(original, 8));
}

TEST(Hnerv95Writer, OffGridValuesGoToTheNearestLevelClamped) {
  EXPECT_EQ(hn::weight_level(0.26f, 0.1f), 3);
  EXPECT_EQ(hn::weight_level(-0.24f, 0.1f), -2);
  EXPECT_EQ(hn::weight_level(100.0f, 0.1f), 127);
  EXPECT_EQ(hn::weight_level(-100.0f, 0.1f), -128);
  EXPECT_EQ(hn::weight_level(0.25f, 0.5f), 0);   // a tie goes to the even level
  EXPECT_EQ(hn::weight_level(0.75f, 0.5f), 2);
  EXPECT_EQ(hn::latent_level(1.26f, 1.0f, 0.1f), 3);
  EXPECT_EQ(hn::latent_level(-5.0f, 1.0f, 0.1f), 0);
  EXPECT_EQ(hn::latent_level(50.0f, 1.0f, 0.1f), 255);
  for (int v = -128; v <= 127; ++v) EXPECT_EQ(hn::weight_level(static_cast<float>(v) * 0.0173f, 0.0173f), v);
}

TEST(Hnerv95Writer, ChangedValuesReadBackOnTheGridAndBadValuesAreRefused) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  auto a = hn::parse_archive(member_bytes(zip), "0.bin");
  auto& t = a.tensors[3];
  t.values[0] += 2.4f * t.scale;  // two levels up (or clamped)
  a.latents[5] = a.latent_mins[5] + 1e6f;  // far above the grid: clamped to level 255
  const auto b = hn::parse_archive(hn::write_member(a), "changed");
  const float expect = static_cast<float>(hn::weight_level(t.values[0], t.scale)) * t.scale;
  EXPECT_EQ(b.tensors[3].values[0], expect);
  EXPECT_EQ(b.latents[5], 255.0f * a.latent_scales[5] + a.latent_mins[5]);

  a.tensors[0].values[1] = std::numeric_limits<float>::quiet_NaN();
  auto e = tac::test::error_of([&] { hn::write_member(a); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
  a = hn::parse_archive(member_bytes(zip), "0.bin");
  a.latents.pop_back();
  e = tac::test::error_of([&] { hn::write_member(a); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), tac::ErrorKind::usage);
}
