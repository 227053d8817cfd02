// maskgen mask stream: the 22 QMA9 tiles decode, unflip and place to the reference's masks
// (SHA-256 in golden.json), and damaged chunk tables or coded bits fail as corrupt input.
#include <gtest/gtest.h>

#include <cstring>

#include "maskgen_fixture.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/maskgen/mask_context_table.hpp"
#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/mask_tile_decoder.hpp"
#include "tac/codec/maskgen/maskgen_payload.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"

namespace mg = tac::codec::maskgen;

namespace {

std::vector<std::uint8_t> mask_record(const std::vector<std::uint8_t>& payload) {
  return tac::test::maskgen_record(payload, mg::RecordId::mask);
}

using tac::test::kind_of;

void put_u32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get_u32(const std::vector<std::uint8_t>& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | b[at + i];
  return v;
}

}  // namespace

TEST(MaskgenMask, DecodedMasksMatchTheReferenceHash) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  TAC_FIXTURE(golden, std::string(tac::test::kMaskgenDir) + "golden.json");
  const auto& masks = tac::test::maskgen_decoded_masks(zip);
  ASSERT_EQ(masks.size(), std::size_t(mg::kPairs) * mg::kMaskPixels);
  EXPECT_EQ(tac::sha256_hex(masks), tac::test::read_json(golden)["masks_decoded_sha256"].get<std::string>());
}

TEST(MaskgenMask, ChunkTableCoversTheRecordInBandOrder) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto record = mask_record(tac::test::maskgen_payload_bytes(zip));
  const auto chunks = mg::parse_mask_chunks(record, "p");
  std::uint64_t covered = 4;
  int widths = 0;
  for (const auto& c : chunks) {
    EXPECT_EQ(c.offset, covered);
    covered += c.stored_bytes();
    if (c.band == 0) widths += c.w;
  }
  EXPECT_EQ(covered, record.size());
  EXPECT_EQ(widths, mg::kMaskH);  // the first band's tiles tile the whole y range
}

TEST(MaskgenMask, DamagedChunkTablesAreCorruptInput) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto good = mask_record(tac::test::maskgen_payload_bytes(zip));
  const auto parse = [](const std::vector<std::uint8_t>& r) { return [&r] { mg::parse_mask_chunks(r, "p"); }; };
  auto count = good;
  put_u32(count, 0, 21);
  EXPECT_EQ(kind_of(parse(count)), tac::ErrorKind::corrupt_input);
  auto size = good;  // first chunk claims more bytes than the record has
  put_u32(size, 4, static_cast<std::uint32_t>(good.size()));
  EXPECT_EQ(kind_of(parse(size)), tac::ErrorKind::corrupt_input);
  auto magic = good;
  magic[8 + 3] = '8';
  EXPECT_EQ(kind_of(parse(magic)), tac::ErrorKind::corrupt_input);
  auto shape = good;  // a 48-wide tile where a 128-wide one belongs
  put_u32(shape, 8 + 12, 48);
  EXPECT_EQ(kind_of(parse(shape)), tac::ErrorKind::corrupt_input);
  auto coded = good;  // coded length lies: one byte more than the chunk holds
  put_u32(coded, 8 + 16, get_u32(good, 8 + 16) + 1);
  EXPECT_EQ(kind_of(parse(coded)), tac::ErrorKind::corrupt_input);
  auto truncated = good;
  truncated.resize(good.size() - 1);
  EXPECT_EQ(kind_of(parse(truncated)), tac::ErrorKind::corrupt_input);
}

TEST(MaskgenMask, TruncatedOrDamagedCodedBitsAreCorruptInput) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto record = mask_record(tac::test::maskgen_payload_bytes(zip));
  const auto chunks = mg::parse_mask_chunks(record, "p");
  // The smallest tile keeps this quick.
  const mg::MaskChunk* c = &chunks[0];
  for (const auto& k : chunks)
    if (k.coded.size() < c->coded.size()) c = &k;
  std::vector<std::uint8_t> tile(std::size_t(c->t) * c->h * c->w);
  const std::vector<std::uint8_t> bits(c->coded.begin(), c->coded.end());
  const auto s = mg::decode_mask_tile(bits, c->t, c->h, c->w, tile, "tile");
  EXPECT_LE(s.bytes_past_end, 4u);
  const std::vector<std::uint8_t> cut(bits.begin(), bits.end() - bits.size() / 10);
  EXPECT_EQ(kind_of([&] { mg::decode_mask_tile(cut, c->t, c->h, c->w, tile, "tile"); }), tac::ErrorKind::corrupt_input);
  auto flipped = bits;
  flipped[flipped.size() / 2] ^= 0x5A;
  EXPECT_EQ(kind_of([&] { mg::decode_mask_tile(flipped, c->t, c->h, c->w, tile, "tile"); }),
            tac::ErrorKind::corrupt_input);
}

TEST(MaskgenMask, InitialCountsFollowTheCascadePriors) {
  // up outside: its flag is impossible; left equals prev: prev's flag is impossible.
  const std::array<std::uint8_t, mg::kCascade> n = {mg::kOutside, 1, 1, 2, 3, 4, 0, 0, 2};
  const auto m = mg::initial_models(n);
  EXPECT_GT(m.flag[0][0], 1000);  // up: outside
  EXPECT_EQ(m.flag[1][0], 1);     // left: possible
  EXPECT_GT(m.flag[2][0], 1000);  // prev == left
  EXPECT_EQ(m.flag[6][0], 1);     // pr (0) is new
  EXPECT_GT(m.flag[7][0], 1000);  // up2 == pr
  EXPECT_GT(m.flag[8][0], 1000);  // left2 == ul
  for (int c = 0; c < 5; ++c) EXPECT_EQ(m.label[c], 1) << c;  // every class is some neighbour's
}

TEST(MaskgenMask, ContextTableStopsAtItsCap) {
  mg::ContextTable table;
  std::array<std::uint8_t, mg::kCascade> n{};
  auto key_of = [&](std::size_t i) {  // distinct neighbour sets, from i in base 6
    for (auto& v : n) v = static_cast<std::uint8_t>(i % 6), i /= 6;
    return mg::context_key(n);
  };
  for (std::size_t i = 0; i < mg::kMaxContexts; ++i) table.at(key_of(i), n);
  EXPECT_EQ(table.size(), mg::kMaxContexts);
  table.at(key_of(0), n);  // a known context is still found
  EXPECT_EQ(kind_of([&] { table.at(key_of(mg::kMaxContexts), n); }), tac::ErrorKind::limit_exceeded);
}
