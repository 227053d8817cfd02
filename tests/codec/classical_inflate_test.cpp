// The classical format: detection from bytes, and parity of its inflate with upstream's
// baseline_fast inflate.sh on the fixture archive (fixtures/README.md, scorer/clip16).
#include <gtest/gtest.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "support/fixtures.hpp"
#include "tac/codec/classical/classical_format.hpp"
#include "tac/codec/codec.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"

namespace {

std::vector<std::uint8_t> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::uint8_t> zstd_decompress_file(const std::filesystem::path& path) {
  const auto packed = read_all(path);
  std::vector<std::uint8_t> out;
  ZSTD_DStream* stream = ZSTD_createDStream();
  ZSTD_initDStream(stream);
  ZSTD_inBuffer in{packed.data(), packed.size(), 0};
  std::vector<std::uint8_t> chunk(ZSTD_DStreamOutSize());
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    const auto status = ZSTD_decompressStream(stream, &o, &in);
    if (ZSTD_isError(status)) {
      ZSTD_freeDStream(stream);
      throw std::runtime_error(ZSTD_getErrorName(status));
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(o.pos));
  }
  ZSTD_freeDStream(stream);
  return out;
}

struct CollectSink final : tac::codec::FrameSink {
  std::vector<std::uint8_t> bytes;
  void write_frame(std::span<const std::uint8_t> rgb) override { bytes.insert(bytes.end(), rgb.begin(), rgb.end()); }
};

TEST(ClassicalFormat, DetectsVideoStreamsFromBytes) {
  using tac::codec::classical::looks_like_video_stream;
  const std::vector<std::uint8_t> mkv{0x1A, 0x45, 0xDF, 0xA3, 0x9F};
  const std::vector<std::uint8_t> ivf{'D', 'K', 'I', 'F', 0, 0};
  const std::vector<std::uint8_t> hevc{0, 0, 0, 1, 0x40, 0x01, 0x0C};  // VPS NAL (type 32)
  const std::vector<std::uint8_t> hevc_sps{0, 0, 0, 1, 0x42, 0x01};    // SPS first: not a stream start
  const std::vector<std::uint8_t> zip{'P', 'K', 3, 4};
  const std::vector<std::uint8_t> tiny{0, 0};
  EXPECT_TRUE(looks_like_video_stream(mkv));
  EXPECT_TRUE(looks_like_video_stream(ivf));
  EXPECT_TRUE(looks_like_video_stream(hevc));
  EXPECT_FALSE(looks_like_video_stream(hevc_sps));
  EXPECT_FALSE(looks_like_video_stream(zip));
  EXPECT_FALSE(looks_like_video_stream(tiny));
  EXPECT_FALSE(looks_like_video_stream({}));
}

TEST(ClassicalFormat, RegisteredAndFoundByMemberName) {
  TAC_FIXTURE(zip, "scorer/clip16/recon_archive.zip");
  const auto archive = tac::codec::ArchiveContents::from_zip(zip);
  const auto& format = tac::codec::detect_format(archive);
  EXPECT_EQ(format.name(), "classical");
  ASSERT_NE(format.member_for(archive, "0.mkv"), nullptr);
  EXPECT_EQ(format.member_for(archive, "0.mkv")->name, "0.mkv");
  EXPECT_EQ(format.member_for(archive, "1.mkv"), nullptr);
  const auto sections = format.describe(*format.member_for(archive, "0.mkv"));
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_NE(sections[0].codec.find("hevc"), std::string::npos) << sections[0].codec;
}

TEST(ClassicalFormat, CorruptStreamIsAClearError) {
  std::vector<std::uint8_t> bytes{0x1A, 0x45, 0xDF, 0xA3};
  bytes.resize(4096, 0x5A);
  const auto archive = tac::codec::ArchiveContents::from_bytes("0.mkv", bytes);
  CollectSink sink;
  EXPECT_THROW(tac::codec::classical::format().inflate(archive.members()[0], sink, {}), tac::Error);
}

// Upstream baseline_fast inflate of recon_archive.zip is recon.raw(.zst): demand >= 99.9 % equal
// bytes and max |delta| <= 1 (fixtures README tolerance), and report how close to bit-exact.
TEST(ClassicalFormat, InflateMatchesUpstreamBaselineFast) {
  TAC_FIXTURE(zip, "scorer/clip16/recon_archive.zip");
  TAC_FIXTURE(reference_zst, "scorer/clip16/recon.raw.zst");
  const auto reference = zstd_decompress_file(reference_zst);
  ASSERT_EQ(reference.size() % tac::contest::kFrameBytes, 0u);

  const auto archive = tac::codec::ArchiveContents::from_zip(zip);
  const auto& format = tac::codec::detect_format(archive);
  CollectSink sink;
  tac::codec::InflateOptions options;
  options.threads = 2;
  format.inflate(*format.member_for(archive, "0.mkv"), sink, options);
  ASSERT_EQ(sink.bytes.size(), reference.size());

  std::uint64_t equal = 0;
  int max_delta = 0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const int d = std::abs(int{sink.bytes[i]} - int{reference[i]});
    equal += d == 0;
    max_delta = std::max(max_delta, d);
  }
  const double fraction = static_cast<double>(equal) / static_cast<double>(reference.size());
  const bool bit_exact = tac::sha256_hex(sink.bytes) == tac::sha256_hex(reference);
  std::printf("classical inflate vs upstream: %llu of %zu bytes equal (%.6f %%), max |delta| %d, bit-exact: %s\n",
              static_cast<unsigned long long>(equal), reference.size(), 100.0 * fraction, max_delta, bit_exact ? "yes" : "no");
  RecordProperty("equal_fraction", std::to_string(fraction));
  RecordProperty("max_delta", max_delta);
  EXPECT_GE(fraction, 0.999);
  EXPECT_LE(max_delta, 1);
}

}  // namespace
