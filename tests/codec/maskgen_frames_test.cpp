// maskgen frames: pairs rendered (generator, resize to 874x1164, round half to even, the first
// frame's warp) against the reference's stored frames: >= 99.9 % identical bytes and max |diff| <= 1
// (the tolerance), for pair 0 and for warped pair 564; the Format streams the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "maskgen_fixture.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/codec.hpp"
#include "tac/codec/maskgen/maskgen_format.hpp"
#include "tac/codec/maskgen/maskgen_inflate.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/safetensors.hpp"

namespace mg = tac::codec::maskgen;

namespace {

struct Parity {
  double identical = 0;
  int max_diff = 0;
};

Parity compare(std::span<const std::uint8_t> mine, std::span<const std::uint8_t> ref) {
  std::size_t same = 0;
  int worst = 0;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    same += mine[i] == ref[i];
    worst = std::max(worst, std::abs(int(mine[i]) - int(ref[i])));
  }
  return {double(same) / double(mine.size()), worst};
}

const mg::DecodedArchive& decoded(const std::filesystem::path& zip) {
  static const auto bytes = tac::test::maskgen_payload_bytes(zip);
  static const auto archive = mg::decode_archive(bytes, "p", 0);
  return archive;
}

void expect_pair_matches(int pair, const std::filesystem::path& zip, const std::filesystem::path& golden_dir) {
  const auto golden = tac::io::Safetensors::open(golden_dir / "golden.safetensors");
  const auto hashes = tac::test::read_json(golden_dir / "golden.json")["frame_sha256"];
  mg::PairRenderer renderer(decoded(zip));
  std::vector<std::uint8_t> frames(2 * tac::contest::kFrameBytes);
  renderer.render(pair, frames);
  for (int f = 0; f < 2; ++f) {
    const int index = 2 * pair + f;
    const auto mine = std::span(frames).subspan(f * tac::contest::kFrameBytes, tac::contest::kFrameBytes);
    const auto& ref = golden.at("frame_" + std::to_string(index));
    ASSERT_EQ(ref.data.size(), mine.size());
    const auto p = compare(mine, ref.data);
    EXPECT_GE(p.identical, 0.999) << "frame " << index;
    EXPECT_LE(p.max_diff, 1) << "frame " << index;
    const bool exact = tac::sha256_hex(mine) == hashes[std::to_string(index)].get<std::string>();
    ::testing::Test::RecordProperty("frame_" + std::to_string(index) + "_identical", std::to_string(p.identical));
    ::testing::Test::RecordProperty("frame_" + std::to_string(index) + "_bit_exact", exact ? "yes" : "no");
  }
}

class CollectSink final : public tac::codec::FrameSink {
 public:
  void write_frame(std::span<const std::uint8_t> rgb) override { frames.emplace_back(rgb.begin(), rgb.end()); }
  std::vector<std::vector<std::uint8_t>> frames;
};

}  // namespace

TEST(MaskgenFrames, PairZeroMatchesTheReferenceFrames) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  TAC_FIXTURE(dir, std::string(tac::test::kMaskgenDir));
  expect_pair_matches(0, zip, dir);
}

TEST(MaskgenFrames, WarpedPairMatchesTheReferenceFrames) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  TAC_FIXTURE(dir, std::string(tac::test::kMaskgenDir));
  // frame_1128 / frame_1129 are pair 564, whose first frame the sidecar warps.
  const auto active = tac::test::read_json(dir / "golden.json")["warp_active_pairs_in_batches"];
  ASSERT_NE(std::find(active.begin(), active.end(), 564), active.end());
  ASSERT_TRUE(decoded(zip).sidecar.pairs.at(564).warp->active());
  expect_pair_matches(564, zip, dir);
}

TEST(MaskgenFrames, FormatStreamsTheRenderedPairsInOrder) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto bytes = tac::test::maskgen_payload_bytes(zip);
  CollectSink sink;
  tac::codec::InflateOptions options;
  options.max_frames = 3;  // pairs 0 and 1, the last frame cut
  options.threads = 2;
  mg::format().inflate({"p", bytes}, sink, options);
  ASSERT_EQ(sink.frames.size(), 3u);
  mg::PairRenderer renderer(decoded(zip));
  std::vector<std::uint8_t> frames(2 * tac::contest::kFrameBytes);
  for (int pair = 0; pair < 2; ++pair) {
    renderer.render(pair, frames);
    for (int f = 0; f < 2 && 2 * pair + f < 3; ++f)
      EXPECT_TRUE(std::equal(sink.frames[2 * pair + f].begin(), sink.frames[2 * pair + f].end(),
                             frames.begin() + f * tac::contest::kFrameBytes))
          << "frame " << 2 * pair + f;
  }
}
