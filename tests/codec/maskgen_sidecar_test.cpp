// maskgen poses and sidecar: poses after the sidecar's corrections equal golden.safetensors bit for
// bit, masks after its patches hash to golden.json, and hostile records fail as corrupt input.
#include <gtest/gtest.h>

#include <cstring>

#include "maskgen_fixture.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"
#include "tac/codec/maskgen/sidecar.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/safetensors.hpp"

namespace mg = tac::codec::maskgen;

namespace {

using tac::test::kind_of;

using tac::test::put_le;
void put_f32(std::vector<std::uint8_t>& b, float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  put_le(b, u, 4);
}

// A pose record: every dimension `bits` wide, value v of pair p = (p + d) mod 2^bits.
std::vector<std::uint8_t> pose_raw(int bits, float lo, float scale, int pairs = mg::kPairs) {
  std::vector<std::uint8_t> b;
  put_le(b, pairs, 4);
  put_le(b, mg::kPoseDims, 4);
  for (int d = 0; d < mg::kPoseDims; ++d) put_le(b, bits, 1);
  for (int d = 0; d < mg::kPoseDims; ++d) put_f32(b, lo), put_f32(b, scale);
  std::vector<int> stream;
  for (int d = 0; d < mg::kPoseDims; ++d)
    for (int p = 0; p < pairs; ++p)
      for (int k = bits - 1; k >= 0; --k) stream.push_back((((p + d) % (1 << bits)) >> k) & 1);
  for (std::size_t i = 0; i < stream.size(); i += 8) {
    std::uint8_t byte = 0;
    for (std::size_t k = 0; k < 8; ++k) byte = static_cast<std::uint8_t>(byte << 1 | (i + k < stream.size() ? stream[i + k] : 0));
    b.push_back(byte);
  }
  return b;
}

std::vector<std::uint8_t> sidecar_header(int records) {
  std::vector<std::uint8_t> b = {'B', 'P', 'G', 'D'};
  put_le(b, records, 2);
  return b;
}
// One 24-bit patch word.
void patch(std::vector<std::uint8_t>& b, int x, int y, int label, int pattern = 0) {
  put_le(b, std::uint32_t(x) | std::uint32_t(y) << 9 | std::uint32_t(label) << 18 | std::uint32_t(pattern) << 21, 3);
}

}  // namespace

TEST(MaskgenPose, BitPackedValuesDecodeInFloat32) {
  const float lo = -0.37f, scale = 0.0123f;
  const auto poses = mg::parse_poses(pose_raw(7, lo, scale), "test");
  ASSERT_EQ(poses.size(), std::size_t(mg::kPairs));
  for (int p : {0, 1, 127, 128, 599})
    for (int d = 0; d < mg::kPoseDims; ++d) {
      const float step = float((p + d) % 128) * scale;
      EXPECT_EQ(poses[p][d], lo + step) << p << " " << d;
    }
}

TEST(MaskgenPose, DamagedPoseRecordsAreCorruptInput) {
  const auto good = pose_raw(5, 0.0f, 1.0f);
  auto parse = [](const std::vector<std::uint8_t>& b) { return [b] { mg::parse_poses(b, "test"); }; };
  const std::vector<std::uint8_t> cut(good.begin(), good.end() - 1);
  EXPECT_EQ(kind_of(parse(cut)), tac::ErrorKind::corrupt_input);
  auto trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(kind_of(parse(trailing)), tac::ErrorKind::corrupt_input);
  EXPECT_EQ(kind_of(parse(pose_raw(5, 0.0f, 1.0f, 599))), tac::ErrorKind::corrupt_input);
  auto wide = good;
  wide[8] = 33;  // 33 bits per value
  EXPECT_EQ(kind_of(parse(wide)), tac::ErrorKind::corrupt_input);
  const std::vector<std::uint8_t> not_brotli = {1, 2, 3, 4, 5};
  EXPECT_EQ(kind_of([&] { mg::decode_pose_record(not_brotli, "test"); }), tac::ErrorKind::corrupt_input);
}

TEST(MaskgenSidecar, PosesAfterCorrectionsEqualGoldenBitForBit) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  TAC_FIXTURE(golden, std::string(tac::test::kMaskgenDir) + "golden.safetensors");
  const auto payload = tac::test::maskgen_payload_bytes(zip);
  auto poses = mg::decode_pose_record(tac::test::maskgen_record(payload, mg::RecordId::pose), "p");
  const auto sidecar = mg::decode_sidecar_record(tac::test::maskgen_record(payload, mg::RecordId::sidecar), "p");
  for (const auto& [pair, edits] : sidecar.pairs) mg::apply_pose_edits(edits, poses[pair]);
  const auto want = tac::io::Safetensors::open(golden).to_float32("poses");
  ASSERT_EQ(want.size(), poses.size() * mg::kPoseDims);
  int differing = 0;
  for (std::size_t p = 0; p < poses.size(); ++p)
    differing += std::memcmp(poses[p].data(), &want[p * mg::kPoseDims], sizeof(mg::Pose)) != 0;
  EXPECT_EQ(differing, 0);
}

TEST(MaskgenSidecar, CountsMatchTheReference) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  TAC_FIXTURE(golden, std::string(tac::test::kMaskgenDir) + "golden.json");
  const auto payload = tac::test::maskgen_payload_bytes(zip);
  const auto c = mg::decode_sidecar_record(tac::test::maskgen_record(payload, mg::RecordId::sidecar), "p").counts();
  const auto want = tac::test::read_json(golden)["sidecar_counts"];
  EXPECT_EQ(c.x2, want["x2"].get<int>());
  EXPECT_EQ(c.cmaes, want["cmaes"].get<int>());
  EXPECT_EQ(c.pattern, want["pattern"].get<int>());
  EXPECT_EQ(c.pose, want["pose"].get<int>());
  EXPECT_EQ(c.warp, want["warp"].get<int>());
}

TEST(MaskgenSidecar, MasksAfterPatchesMatchTheReferenceHash) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  TAC_FIXTURE(golden, std::string(tac::test::kMaskgenDir) + "golden.json");
  const auto payload = tac::test::maskgen_payload_bytes(zip);
  auto masks = tac::test::maskgen_decoded_masks(zip);
  auto poses = mg::decode_pose_record(tac::test::maskgen_record(payload, mg::RecordId::pose), "p");
  const auto sidecar = mg::decode_sidecar_record(tac::test::maskgen_record(payload, mg::RecordId::sidecar), "p");
  mg::apply_sidecar(sidecar, masks, poses);
  EXPECT_EQ(tac::sha256_hex(masks), tac::test::read_json(golden)["masks_after_sidecar_sha256"].get<std::string>());
}

TEST(MaskgenSidecar, PatchesPaintInOrderAndClipAtTheBorder) {
  auto b = sidecar_header(2);
  put_le(b, 7, 2);     // pair 7
  put_le(b, 1 | 2 | 4, 1);
  put_le(b, 1, 1), patch(b, 511, 383, 3);           // x2 in the corner: one pixel survives
  put_le(b, 1, 1), patch(b, 10, 10, 4);             // cmaes: one pixel, painted last
  put_le(b, 1, 1), patch(b, 9, 9, 2, 1);            // pattern 1 (3x3) at (9, 9)
  put_le(b, 0xFF, 1), put_le(b, 3, 2), put_le(b, 16, 1);  // pair 3: warp only
  put_le(b, std::uint8_t(-5), 1), put_le(b, 12, 1);
  const auto s = mg::parse_sidecar(b, "test");
  ASSERT_EQ(s.pairs.size(), 2u);
  EXPECT_EQ(s.pairs.at(3).warp->qx, -5);
  EXPECT_EQ(s.pairs.at(3).warp->qy, 12);
  std::vector<std::uint8_t> mask(mg::kMaskPixels, 0);
  mg::apply_mask_edits(s.pairs.at(7), mask);
  auto at = [&](int x, int y) { return mask[std::size_t(y) * mg::kMaskW + x]; };
  EXPECT_EQ(at(511, 383), 3);
  EXPECT_EQ(at(9, 9), 2);
  EXPECT_EQ(at(11, 11), 2);
  EXPECT_EQ(at(12, 12), 0);
  EXPECT_EQ(at(10, 10), 4);
  int painted = 0;
  for (auto v : mask) painted += v != 0;
  EXPECT_EQ(painted, 1 + 9);
}

TEST(MaskgenSidecar, LaterRecordOfAPairReplacesItsEntries) {
  auto b = sidecar_header(2);
  put_le(b, 4, 2), put_le(b, 8, 1), put_le(b, 1, 1), put_le(b, 2, 1), put_le(b, 3, 1);  // pair 4: pose (1, 2, 3)
  put_le(b, 0, 1), put_le(b, 8 | 16, 1), put_le(b, 9, 1), put_le(b, 0, 1), put_le(b, 0, 1), put_le(b, 1, 1), put_le(b, 0, 1);
  const auto s = mg::parse_sidecar(b, "test");
  ASSERT_EQ(s.pairs.size(), 1u);
  EXPECT_EQ((*s.pairs.at(4).pose)[0], 9);
  EXPECT_TRUE(s.pairs.at(4).warp->active());
  mg::Pose pose{};
  mg::apply_pose_edits(s.pairs.at(4), pose);
  EXPECT_EQ(pose[1], static_cast<float>(9 * 0.005));
  EXPECT_EQ(pose[0], 0.0f);
}

TEST(MaskgenSidecar, DamagedSidecarsAreCorruptInput) {
  auto parse = [](std::vector<std::uint8_t> b) { return [b] { mg::parse_sidecar(b, "test"); }; };
  auto one = [](int pair, int flags, std::vector<std::uint8_t> body) {
    auto b = sidecar_header(1);
    put_le(b, pair, 2), put_le(b, flags, 1);
    b.insert(b.end(), body.begin(), body.end());
    return b;
  };
  std::vector<std::uint8_t> p5, pat9, row, ok;
  patch(p5, 0, 0, 5);
  patch(pat9, 0, 0, 1, 5);
  patch(row, 0, 384, 1);
  patch(ok, 0, 0, 1);
  auto with_count = [](std::vector<std::uint8_t> w) { w.insert(w.begin(), 1); return w; };
  EXPECT_EQ(kind_of(parse(one(0, 1, with_count(ok)))), tac::ErrorKind::internal);  // the well-formed control
  EXPECT_EQ(kind_of(parse(one(0, 1, with_count(p5)))), tac::ErrorKind::corrupt_input);     // class 5
  EXPECT_EQ(kind_of(parse(one(0, 4, with_count(pat9)))), tac::ErrorKind::corrupt_input);   // pattern 5
  EXPECT_EQ(kind_of(parse(one(0, 2, with_count(row)))), tac::ErrorKind::corrupt_input);    // pixel below the mask
  EXPECT_EQ(kind_of(parse(one(600, 8, {1, 2, 3}))), tac::ErrorKind::corrupt_input);        // pair out of range
  EXPECT_EQ(kind_of(parse(one(0, 8, {1, 2}))), tac::ErrorKind::corrupt_input);             // truncated pose
  EXPECT_EQ(kind_of(parse(one(0, 16, {1, 2, 3}))), tac::ErrorKind::corrupt_input);         // trailing byte
  auto magic = one(0, 0, {});
  magic[0] = 'X';
  EXPECT_EQ(kind_of(parse(magic)), tac::ErrorKind::corrupt_input);
  const std::vector<std::uint8_t> not_xz = {0xFD, '7', 'z', 'X', 'Z', 0, 1, 2};
  EXPECT_EQ(kind_of([&] { mg::decode_sidecar_record(not_xz, "test"); }), tac::ErrorKind::corrupt_input);
}
