// maskgen FP4 model: the schema equals generator_schema.tsv, nibbles and block scales dequantize,
// the re-quantization round trip is the reference's, and the archive's model record loads exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "maskgen_fixture.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/codec/maskgen/generator_schema.hpp"
#include "tac/core/error.hpp"

namespace mg = tac::codec::maskgen;

namespace {

std::string kind_text(const mg::TensorSpec& s) {
  if (s.storage == mg::Storage::fp4) return "fp4_w";
  return s.is_bias ? "fp16_b" : "fp16_w";
}
std::string shape_text(const mg::TensorSpec& s) {
  std::string out;
  for (int d : s.shape) {
    if (!out.empty()) out += 'x';
    out += std::to_string(d);
  }
  return out;
}

}  // namespace

TEST(MaskgenModel, SchemaEqualsTheFixtureSchema) {
  TAC_FIXTURE(tsv, std::string(tac::test::kMaskgenDir) + "generator_schema.tsv");
  std::ifstream in(tsv);
  std::string line;
  std::getline(in, line);  // header
  const auto& schema = mg::generator_schema();
  std::size_t i = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream row(line);
    std::string name, kind, shape;
    std::getline(row, name, '\t');
    std::getline(row, kind, '\t');
    std::getline(row, shape, '\t');
    ASSERT_LT(i, schema.size());
    EXPECT_EQ(schema[i].name, name);
    EXPECT_EQ(kind_text(schema[i]), kind) << name;
    EXPECT_EQ(shape_text(schema[i]), shape) << name;
    ++i;
  }
  EXPECT_EQ(i, schema.size());
}

TEST(MaskgenModel, NibblesAndBlockScalesDequantize) {
  // Block 0 scale 1.0 (f16 0x3C00), block 1 scale 0.5 (0x3800); 33 values.
  std::vector<std::uint8_t> nibbles(32, 0x00);
  nibbles[0] = 0x1F;   // +0.5, -6
  nibbles[15] = 0x7E;  // +6, -4
  nibbles[16] = 0xB0;  // value 32: -1.5 (x 0.5); value 33 is padding
  const std::vector<std::uint16_t> scales = {0x3C00, 0x3800};
  const auto v = mg::fp4_dequantize(nibbles, scales, 33);
  ASSERT_EQ(v.size(), 33u);
  EXPECT_EQ(v[0], 0.5f);
  EXPECT_EQ(v[1], -6.0f);
  EXPECT_EQ(v[30], 6.0f);
  EXPECT_EQ(v[31], -4.0f);
  EXPECT_EQ(v[32], -0.75f);
  EXPECT_EQ(v[2], 0.0f);
}

TEST(MaskgenModel, RoundTripRescalesBlocksWhoseMaximumIsNotSix) {
  // A block whose largest level is 4: the round trip picks scale max/6 and level 6, so the maximum
  // becomes 6 * fl(max / 6) (an ulp away for many scales), the rest snap to the new grid.
  int moved = 0;
  for (int k = 1; k <= 50; ++k) {
    const float s = 0.01f * static_cast<float>(k);
    std::vector<float> block = {4 * s, -2 * s, s, 0.0f};
    mg::fp4_round_trip(block);
    const float scale = (4 * s) / 6.0f;
    EXPECT_EQ(block[0], 6.0f * scale);
    moved += block[0] != 4 * s;
    EXPECT_EQ(block[3], 0.0f);
    EXPECT_EQ(block[1], -3.0f * scale);  // -2s / scale = -3
  }
  EXPECT_GT(moved, 0);
  // Ties go to the first (smaller) level: 1.75 sits between 1.5 and 2.
  std::vector<float> tie = {6.0f, 1.75f, -1.25f};
  mg::fp4_round_trip(tie);
  EXPECT_EQ(tie[1], 1.5f);
  EXPECT_EQ(tie[2], -1.0f);
}

TEST(MaskgenModel, ArchiveModelRecordLoadsEveryTensor) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto record = tac::test::maskgen_record(tac::test::maskgen_payload_bytes(zip), mg::RecordId::model);
  const auto w = mg::decode_model_record(record, "p");
  const auto& schema = mg::generator_schema();
  ASSERT_EQ(w.tensors.size(), schema.size());
  for (std::size_t i = 0; i < schema.size(); ++i) {
    ASSERT_EQ(w.tensors[i].size(), schema[i].numel()) << schema[i].name;
    bool finite = true, nonzero = false;
    for (float v : w.tensors[i]) finite = finite && std::isfinite(v), nonzero = nonzero || v != 0.0f;
    EXPECT_TRUE(finite) << schema[i].name;
    EXPECT_TRUE(nonzero) << schema[i].name;
  }
  EXPECT_EQ(w.at("trunk.emb.weight").size(), 30u);
}

TEST(MaskgenModel, DamagedModelRecordsAreCorruptInput) {
  std::vector<std::uint8_t> raw(1000, 0);
  try {
    mg::parse_generator_weights(raw, "test");
    ADD_FAILURE() << "a short model record parsed";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), tac::ErrorKind::corrupt_input);
  }
}
