// maskgen lossless repack: every repacked record unpacks to exactly the raw bytes of the original
// record (on the PR 97 archive and on a synthetic payload), every split layout rebuilds its record,
// and damaged or crafted packets are refused as corrupt input.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "maskgen_fixture.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/codec/maskgen/generator_schema.hpp"
#include "tac/codec/maskgen/maskgen_repack.hpp"
#include "tac/codec/maskgen/maskgen_repack_streams.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"
#include "tac/codec/maskgen/sidecar.hpp"
#include "tac/container/lossless_profiles.hpp"
#include "tac/container/packet.hpp"
#include "tac/core/error.hpp"
#include "tac/entropy/generic_codecs.hpp"

namespace mg = tac::codec::maskgen;
namespace tc = tac::container;
using Bytes = std::vector<std::uint8_t>;

namespace {

using tac::test::kind_of;

using tac::test::put_le;

// A raw pose record: dimension d has bits[d] bits; values follow a slow random walk.
Bytes synthetic_pose_raw(const std::array<int, mg::kPoseDims>& bits, std::mt19937& rng) {
  Bytes b;
  put_le(b, mg::kPairs, 4);
  put_le(b, mg::kPoseDims, 4);
  for (int v : bits) put_le(b, v, 1);
  for (int d = 0; d < mg::kPoseDims; ++d) put_le(b, 0x3C000000u + d, 4), put_le(b, 0x38000000u + d, 4);  // lo, scale
  std::vector<int> stream;
  for (int d = 0; d < mg::kPoseDims; ++d) {
    std::uint64_t v = bits[d] ? rng() % (std::uint64_t(1) << bits[d]) : 0;
    for (int p = 0; p < mg::kPairs; ++p) {
      if (bits[d]) v = (v + rng() % 7 - 3) & ((std::uint64_t(1) << bits[d]) - 1);
      for (int k = bits[d] - 1; k >= 0; --k) stream.push_back(int((v >> k) & 1));
    }
  }
  for (std::size_t i = 0; i < stream.size(); i += 8) {
    std::uint8_t byte = 0;
    for (std::size_t k = 0; k < 8; ++k) byte |= std::uint8_t((i + k < stream.size() ? stream[i + k] : 0) << (7 - k));
    b.push_back(byte);
  }
  return b;
}

// A raw model record of the generator's schema: skewed nibbles, f16 scales and values.
Bytes synthetic_model_raw(std::mt19937& rng) {
  Bytes b;
  std::geometric_distribution<int> level(0.4);
  const auto half = [&] { return std::uint16_t(0x2000 + rng() % 0x1800 + ((rng() & 1) << 15)); };
  for (const auto& spec : mg::generator_schema()) {
    const std::size_t n = spec.numel();
    if (spec.storage == mg::Storage::fp4) {
      const std::size_t blocks = (n + mg::kFp4Block - 1) / mg::kFp4Block;
      for (std::size_t i = 0; i < blocks * mg::kFp4Block / 2; ++i) {
        int q[2];
        for (int& v : q) v = std::min(level(rng), 7), v |= v ? int(rng() & 8) : 0;  // no negative zero
        b.push_back(std::uint8_t(q[0] << 4 | q[1]));
      }
      for (std::size_t i = 0; i < blocks; ++i) put_le(b, half() & 0x7FFF, 2);
    } else {
      for (std::size_t i = 0; i < n; ++i) put_le(b, half(), 2);
    }
  }
  return b;
}

std::uint32_t patch(int x, int y, int label, int pattern = 0) {
  return std::uint32_t(x) | (std::uint32_t(y) << 9) | (std::uint32_t(label) << 18) | (std::uint32_t(pattern) << 21);
}

// A raw sidecar with every record kind, a u8 pair delta, a 0xFF jump and an empty patch list.
Bytes synthetic_sidecar_raw() {
  Bytes b = {'B', 'P', 'G', 'D'};
  put_le(b, 4, 2);
  put_le(b, 3, 2);  // pair 3: two 2x2 patches and pose corrections
  put_le(b, 1 | 8, 1);
  put_le(b, 2, 1), put_le(b, patch(10, 20, 1), 3), put_le(b, patch(511, 383, 4), 3);
  put_le(b, 0x05FD01, 3);
  put_le(b, 5, 1);  // pair 8: a pixel, a pattern patch, a warp
  put_le(b, 2 | 4 | 16, 1);
  put_le(b, 1, 1), put_le(b, patch(100, 200, 2), 3);
  put_le(b, 1, 1), put_le(b, patch(300, 100, 3, 4), 3);
  put_le(b, 0xFE03, 2);
  put_le(b, 0xFF, 1), put_le(b, 300, 2);  // pair 300: no edits
  put_le(b, 0, 1);
  put_le(b, 1, 1);  // pair 301: an empty 2x2 list
  put_le(b, 1, 1), put_le(b, 0, 1);
  return b;
}

Bytes framed_payload(const std::vector<Bytes>& records) {
  Bytes out;
  for (const auto& r : records) {
    put_le(out, r.size(), 4);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

// Every layout of the record that accepts these raw bytes rebuilds them exactly.
void expect_layouts_rebuild(mg::RecordId id, const Bytes& raw) {
  for (const auto& layout : mg::stream_layouts(id)) {
    const auto streams = layout.split(raw);
    ASSERT_TRUE(streams.has_value()) << layout.name;
    ASSERT_EQ(streams->size(), layout.streams.size()) << layout.name;
    EXPECT_EQ(layout.join(*streams, "test"), raw) << layout.name;
  }
}

// The repacked record unpacks to the raw bytes, is never larger than the stored record, and a
// flipped byte anywhere in its packet is refused.
void expect_lossless(const mg::RecordRepack& r, const Bytes& raw, const std::string& name) {
  EXPECT_EQ(r.raw_bytes, raw.size()) << name;
  EXPECT_EQ(mg::unpack_record(r.id, r.packet, "test"), raw) << name;
  EXPECT_EQ(r.packet.size(), r.candidates.at(r.best).bytes) << name;
  for (const auto& c : r.candidates) EXPECT_GE(c.bytes, r.packet.size()) << name << " " << c.layout;
  for (std::size_t at : {std::size_t(0), r.packet.size() / 2, r.packet.size() - 1}) {
    Bytes bad = r.packet;
    bad[at] ^= 0x10;
    EXPECT_EQ(kind_of([&] { mg::unpack_record(r.id, bad, "test"); }), tac::ErrorKind::corrupt_input) << name << " @" << at;
  }
  const Bytes cut(r.packet.begin(), r.packet.end() - 1);
  EXPECT_EQ(kind_of([&] { mg::unpack_record(r.id, cut, "test"); }), tac::ErrorKind::corrupt_input) << name;
}

// A packet of stored (uncoded) sections: valid framing and CRCs around crafted stream contents.
Bytes stored_packet(const std::vector<std::pair<std::string, Bytes>>& streams) {
  std::vector<tc::SectionInput> sections;
  for (const auto& [name, data] : streams) sections.push_back({name, {}, {}, data});
  return tc::write_packet(sections);
}

}  // namespace

TEST(MaskgenRepack, ArchiveRecordsUnpackToTheirRawBytes) {
  TAC_FIXTURE(zip, std::string(tac::test::kMaskgenDir) + "archive.zip");
  const auto payload = tac::test::maskgen_payload_bytes(zip);
  const auto parts = mg::split_payload(payload, "p");
  const auto r = mg::repack_payload(payload, "p");
  EXPECT_EQ(r.mask_bytes, parts[mg::RecordId::mask].bytes.size());
  for (const auto& rec : r.records) {
    const auto& stored = parts[rec.id].bytes;
    EXPECT_EQ(rec.original_bytes, stored.size());
    const Bytes raw = mg::inflate_record(rec.id, stored, "p");
    expect_lossless(rec, raw, std::string(mg::kRecordNames[int(rec.id)]));
    expect_layouts_rebuild(rec.id, raw);
  }
  // The unpacked bytes decode to what the stored records decode to.
  const auto& pose = r.records[0];
  ASSERT_EQ(pose.id, mg::RecordId::pose);
  const auto poses = mg::parse_poses(mg::unpack_record(pose.id, pose.packet, "p"), "p");
  const auto stored_poses = mg::decode_pose_record(parts[mg::RecordId::pose].bytes, "p");
  EXPECT_EQ(std::memcmp(poses.data(), stored_poses.data(), poses.size() * sizeof(mg::Pose)), 0);
  const auto& model = r.records[1];
  const auto weights = mg::parse_generator_weights(mg::unpack_record(model.id, model.packet, "p"), "p");
  EXPECT_EQ(weights.tensors, mg::decode_model_record(parts[mg::RecordId::model].bytes, "p").tensors);
  const auto& side = r.records[2];
  const auto sidecar = mg::parse_sidecar(mg::unpack_record(side.id, side.packet, "p"), "p");
  const auto stored_sidecar = mg::decode_sidecar_record(parts[mg::RecordId::sidecar].bytes, "p");
  EXPECT_EQ(sidecar.pairs.size(), stored_sidecar.pairs.size());
  EXPECT_EQ(sidecar.counts().pattern, stored_sidecar.counts().pattern);
  EXPECT_EQ(r.original_bytes(), payload.size() - 4 * mg::kRecordCount);
  EXPECT_EQ(r.saved_bytes(), std::int64_t(r.original_bytes()) - std::int64_t(r.repacked_bytes()));
}

TEST(MaskgenRepack, SyntheticPayloadRoundTrips) {
  std::mt19937 rng(97);
  const Bytes pose = synthetic_pose_raw({12, 9, 0, 17, 32, 5}, rng);
  const Bytes model = synthetic_model_raw(rng);
  const Bytes sidecar = synthetic_sidecar_raw();
  // The synthetic records are what the format's parsers accept.
  ASSERT_NO_THROW(mg::parse_poses(pose, "test"));
  ASSERT_NO_THROW(mg::parse_generator_weights(model, "test"));
  ASSERT_EQ(mg::parse_sidecar(sidecar, "test").pairs.size(), 4u);
  const Bytes payload = framed_payload({{'Q', 'M', 'A', '9'},
                                        tac::entropy::brotli_compress(pose, {}),
                                        tac::entropy::brotli_compress(model, {}),
                                        tac::entropy::xz_compress(sidecar, {6, false})});
  const auto r = mg::repack_payload(payload, "synthetic");
  EXPECT_EQ(r.mask_bytes, 4u);
  const std::array<const Bytes*, 3> raws = {&pose, &model, &sidecar};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& rec = r.records[i];
    EXPECT_EQ(rec.candidates.size(), 1 + mg::stream_layouts(rec.id).size());
    expect_lossless(rec, *raws[i], std::string(mg::kRecordNames[int(rec.id)]));
    expect_layouts_rebuild(rec.id, *raws[i]);
  }
}

TEST(MaskgenRepack, CraftedStreamsAreRefused) {
  std::mt19937 rng(5);
  const Bytes pose = synthetic_pose_raw({4, 4, 4, 4, 4, 4}, rng);
  const auto& pose_layouts = mg::stream_layouts(mg::RecordId::pose);
  for (const auto& l : pose_layouts) {
    auto streams = *l.split(pose);
    auto header = streams;
    header[0][0] ^= 1;  // 601 pairs
    EXPECT_EQ(kind_of([&] { l.join(header, "test"); }), tac::ErrorKind::corrupt_input) << l.name;
    auto wide = streams;
    wide[1][7] = 0x10;  // a 4-bit value of 16
    EXPECT_EQ(kind_of([&] { l.join(wide, "test"); }), tac::ErrorKind::corrupt_input) << l.name;
    auto shorter = streams;
    shorter[1].pop_back();
    EXPECT_EQ(kind_of([&] { l.join(shorter, "test"); }), tac::ErrorKind::corrupt_input) << l.name;
    // The same through a packet with valid framing and CRCs.
    const Bytes packet = stored_packet({{l.streams[0], streams[0]}, {l.streams[1], wide[1]}});
    EXPECT_EQ(kind_of([&] { mg::unpack_record(mg::RecordId::pose, packet, "test"); }), tac::ErrorKind::corrupt_input);
  }

  const Bytes model = synthetic_model_raw(rng);
  for (const auto& l : mg::stream_layouts(mg::RecordId::model)) {
    const auto streams = *l.split(model);
    for (std::size_t s = 0; s < streams.size(); ++s) {  // any stream one byte short or long
      auto cut = streams;
      cut[s].pop_back();
      EXPECT_EQ(kind_of([&] { l.join(cut, "test"); }), tac::ErrorKind::corrupt_input) << l.name << " " << l.streams[s];
      auto grown = streams;
      grown[s].push_back(0);
      EXPECT_EQ(kind_of([&] { l.join(grown, "test"); }), tac::ErrorKind::corrupt_input) << l.name << " " << l.streams[s];
    }
    auto fewer = streams;
    fewer.pop_back();
    EXPECT_EQ(kind_of([&] { l.join(fewer, "test"); }), tac::ErrorKind::corrupt_input) << l.name;
  }
  int value_streams = 0;
  for (const auto& l : mg::stream_layouts(mg::RecordId::model)) {
    for (std::size_t i = 0; i < l.streams.size(); ++i) {
      if (l.streams[i] != "nib.v" && l.streams[i] != "nib.mag") continue;
      auto streams = *l.split(model);
      streams[i][3] = 16;  // above a nibble (or a 3-bit magnitude)
      EXPECT_EQ(kind_of([&] { l.join(streams, "test"); }), tac::ErrorKind::corrupt_input) << l.name;
      ++value_streams;
    }
    for (std::size_t i = 0; i < l.streams.size(); ++i) {
      if (l.streams[i] != "nib.nzs") continue;
      auto streams = *l.split(model);
      streams[i].push_back(0);  // a sign byte more than the non-zero magnitudes need
      EXPECT_EQ(kind_of([&] { l.join(streams, "test"); }), tac::ErrorKind::corrupt_input) << l.name;
      ++value_streams;
    }
  }
  EXPECT_EQ(value_streams, 6);

  const Bytes sidecar = synthetic_sidecar_raw();
  for (const auto& l : mg::stream_layouts(mg::RecordId::sidecar)) {
    const auto streams = *l.split(sidecar);
    for (std::size_t s = 0; s < streams.size(); ++s) {
      if (streams[s].empty()) continue;
      auto cut = streams;
      cut[s].pop_back();
      EXPECT_EQ(kind_of([&] { l.join(cut, "test"); }), tac::ErrorKind::corrupt_input) << l.name << " " << l.streams[s];
    }
    auto extra = streams;
    extra.back().push_back(1);
    EXPECT_EQ(kind_of([&] { l.join(extra, "test"); }), tac::ErrorKind::corrupt_input) << l.name;
  }

  // Sections that name no layout; the mask record, which is never repacked.
  const Bytes unknown = stored_packet({{"nib", {1, 2}}, {"f16", {3, 4}}});
  EXPECT_EQ(kind_of([&] { mg::unpack_record(mg::RecordId::model, unknown, "test"); }), tac::ErrorKind::corrupt_input);
  EXPECT_EQ(kind_of([&] { mg::unpack_record(mg::RecordId::mask, unknown, "test"); }), tac::ErrorKind::usage);
  EXPECT_EQ(kind_of([&] { mg::repack_record(mg::RecordId::mask, unknown, "test"); }), tac::ErrorKind::usage);
  // A stored record that does not parse is refused before any packing.
  Bytes bad_model = model;
  bad_model.pop_back();
  EXPECT_EQ(kind_of([&] { mg::repack_record(mg::RecordId::model, tac::entropy::brotli_compress(bad_model, {}), "t"); }),
            tac::ErrorKind::corrupt_input);
}

TEST(MaskgenRepack, NegativeZeroNibbleSkipsOnlyTheNonzeroSignLayouts) {
  std::mt19937 rng(11);
  Bytes model = synthetic_model_raw(rng);
  std::size_t at = 0;  // the first FP4 tensor's nibbles
  for (const auto& spec : mg::generator_schema()) {
    if (spec.storage == mg::Storage::fp4) break;
    at += spec.numel() * 2;
  }
  model.at(at + 5) = 0x83;  // -0, then +1.5
  std::size_t skipped = 0;
  for (const auto& l : mg::stream_layouts(mg::RecordId::model)) {
    const auto streams = l.split(model);
    if (!streams) {
      ++skipped;  // the layouts that keep signs of non-zero magnitudes only
      EXPECT_TRUE(l.name == "magnitude+nonzero-signs+planes" || l.name == "by-tensor-kind") << l.name;
      continue;
    }
    EXPECT_EQ(l.join(*streams, "test"), model) << l.name;
  }
  EXPECT_EQ(skipped, 2u);
  const auto r = mg::repack_record(mg::RecordId::model, tac::entropy::brotli_compress(model, {}), "test");
  EXPECT_EQ(r.candidates.size(), mg::stream_layouts(mg::RecordId::model).size() - 1);  // whole + all but two
  EXPECT_EQ(mg::unpack_record(r.id, r.packet, "test"), model);
}

TEST(MaskgenRepack, LayoutsOfARecordHaveDistinctStreamNames) {
  for (const auto id : {mg::RecordId::pose, mg::RecordId::model, mg::RecordId::sidecar}) {
    const auto& layouts = mg::stream_layouts(id);
    EXPECT_FALSE(layouts.empty());
    for (std::size_t i = 0; i < layouts.size(); ++i) {
      EXPECT_NE(layouts[i].streams, std::vector<std::string>{tc::kLosslessSection});
      for (std::size_t j = i + 1; j < layouts.size(); ++j) EXPECT_NE(layouts[i].streams, layouts[j].streams);
    }
  }
  EXPECT_TRUE(mg::stream_layouts(mg::RecordId::mask).empty());
}
