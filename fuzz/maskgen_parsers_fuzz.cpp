// libFuzzer target: every parser of the maskgen family (payload framing, mask chunk table, QMA9
// tile decoder, poses, sidecar, FP4 model, the section anatomy) on arbitrary bytes. Bytes that
// start like a zip are opened first (the contest archive seeds the run: maskgen_parsers.fixtures);
// each member and the raw input then go through the payload path and, as bare records, through
// each record parser. Tiles decode at a small fixed shape so one input stays fast.
#include <cstddef>
#include <cstdint>

#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/mask_tile_decoder.hpp"
#include "tac/codec/maskgen/maskgen_format.hpp"
#include "tac/codec/maskgen/maskgen_payload.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"
#include "tac/codec/maskgen/sidecar.hpp"
#include "tac/core/error.hpp"
#include "tac/io/zip_reader.hpp"

namespace mg = tac::codec::maskgen;

namespace {

template <typename F>
void guarded(F&& f) {
  try {
    f();
  } catch (const tac::Error&) {
  }
}

void decode_small_tile(std::span<const std::uint8_t> coded) {
  std::vector<std::uint8_t> tile(3 * 16 * 12);
  guarded([&] { mg::decode_mask_tile(coded, 3, 16, 12, tile, "fuzz tile"); });
}

void read_payload(std::span<const std::uint8_t> bytes) {
  (void)mg::looks_like_maskgen(bytes);
  guarded([&] {
    const auto p = mg::split_payload(bytes, "fuzz");
    guarded([&] {
      for (const auto& c : mg::parse_mask_chunks(p[mg::RecordId::mask].bytes, "fuzz")) decode_small_tile(c.coded);
    });
    guarded([&] { mg::decode_pose_record(p[mg::RecordId::pose].bytes, "fuzz"); });
    guarded([&] { mg::decode_model_record(p[mg::RecordId::model].bytes, "fuzz"); });
    guarded([&] {
      auto s = mg::decode_sidecar_record(p[mg::RecordId::sidecar].bytes, "fuzz");
      std::vector<std::uint8_t> mask(mg::kMaskPixels);
      for (const auto& [pair, e] : s.pairs) mg::apply_mask_edits(e, mask);
    });
    guarded([&] { mg::describe_sections(bytes, "fuzz"); });
  });
}

void read_records(std::span<const std::uint8_t> bytes) {
  decode_small_tile(bytes);
  guarded([&] { mg::parse_poses(bytes, "fuzz"); });
  guarded([&] {
    auto s = mg::parse_sidecar(bytes, "fuzz");
    std::vector<std::uint8_t> mask(mg::kMaskPixels);
    mg::Pose pose{};
    for (const auto& [pair, e] : s.pairs) mg::apply_mask_edits(e, mask), mg::apply_pose_edits(e, pose);
  });
  guarded([&] { mg::parse_generator_weights(bytes, "fuzz"); });
  guarded([&] { mg::parse_mask_chunks(bytes, "fuzz"); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  if (tac::io::looks_like_zip(bytes)) {
    tac::io::ZipLimits limits;
    limits.max_member_bytes = 16u << 20;
    limits.max_total_bytes = 32u << 20;
    guarded([&] {
      const auto zip = tac::io::ZipReader::parse(bytes, "fuzz.zip", limits);
      for (const auto& m : zip.members()) read_payload(zip.read(m));
    });
  }
  read_payload(bytes);
  read_records(bytes);
  return 0;
}
