#include "tac/codec/maskgen/maskgen_repack.hpp"

#include <fmt/ranges.h>

#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/codec/maskgen/maskgen_repack_streams.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"
#include "tac/codec/maskgen/sidecar.hpp"
#include "tac/container/lossless_profiles.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

namespace tc = tac::container;

// Every raw record of this format is far below this (the model, the largest, is ~105 KB).
constexpr std::uint64_t kMaxRawBytes = std::uint64_t(1) << 22;

std::string record_source(RecordId id, const std::string& source) {
  return fmt::format("{}: {} record", source, kRecordNames[static_cast<int>(id)]);
}

// The raw bytes must be what the record's own parser accepts (so a layout sees a valid record).
void check_parses(RecordId id, std::span<const std::uint8_t> raw, const std::string& source) {
  switch (id) {
    case RecordId::pose: parse_poses(raw, source); return;
    case RecordId::model: parse_generator_weights(raw, source); return;
    case RecordId::sidecar:
      if (!raw.empty()) parse_sidecar(raw, source);
      return;
    case RecordId::mask: break;
  }
  fail(ErrorKind::usage, "{}: the mask record is context-coded and is not repacked", source);
}

// One packet of the given streams, each coded with its own best lossless profile.
RepackCandidate pack_streams(const std::string& layout, const std::vector<std::string>& names,
                             const std::vector<RawBytes>& streams, std::vector<std::uint8_t>& packet) {
  RepackCandidate c{layout, names, {}, {}, {}, 0};
  std::vector<tc::SectionInput> sections;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    // An empty stream is stored: nothing to code, and not every coder takes empty input.
    const std::string profile = streams[i].empty() ? "store" : tc::lossless_pack(streams[i], tc::kBestProfile).profile;
    const auto& p = tc::find_profile(profile);
    sections.push_back({names[i], p.codec, p.transforms, streams[i]});
    c.profiles.push_back(profile);
  }
  packet = tc::write_packet(sections);
  c.bytes = packet.size();
  for (const auto& e : tc::read_packet_table(packet, layout, kMaxRawBytes).sections) {
    c.raw_bytes.push_back(e.decoded_size);
    c.coded_bytes.push_back(e.stored_size);
  }
  return c;
}

}  // namespace

std::vector<std::uint8_t> inflate_record(RecordId id, std::span<const std::uint8_t> record, const std::string& source) {
  switch (id) {
    case RecordId::pose: return inflate_pose_record(record, source);
    case RecordId::model: return inflate_model_record(record, source);
    case RecordId::sidecar: return inflate_sidecar_record(record, source);
    case RecordId::mask: break;
  }
  fail(ErrorKind::usage, "{}: the mask record is context-coded and is not repacked", source);
}

RecordRepack repack_record(RecordId id, std::span<const std::uint8_t> record, const std::string& source) {
  const auto raw = inflate_record(id, record, source);
  check_parses(id, raw, source);
  RecordRepack r;
  r.id = id;
  r.original_bytes = record.size();
  r.raw_bytes = raw.size();
  const auto keep = [&](RepackCandidate c, std::vector<std::uint8_t> packet) {
    // Every candidate is unpacked once more: a layout that did not rebuild the record exactly
    // would be a bug here, never a smaller number in the table.
    if (unpack_record(id, packet, "repack self-check") != raw)
      fail(ErrorKind::internal, "{}: layout {} does not rebuild the record", record_source(id, source), c.layout);
    if (r.candidates.empty() || packet.size() < r.packet.size()) {
      r.best = r.candidates.size();
      r.packet = std::move(packet);
    }
    r.candidates.push_back(std::move(c));
  };
  std::vector<std::uint8_t> whole;
  auto c = pack_streams(kWholeLayout, {tc::kLosslessSection}, {raw}, whole);
  keep(std::move(c), std::move(whole));
  for (const auto& layout : stream_layouts(id)) {
    const auto streams = layout.split(raw);
    if (!streams) continue;  // these bytes do not have this layout's shape
    std::vector<std::uint8_t> packet;
    auto candidate = pack_streams(layout.name, layout.streams, *streams, packet);
    keep(std::move(candidate), std::move(packet));
  }
  return r;
}

std::vector<std::uint8_t> unpack_record(RecordId id, std::span<const std::uint8_t> packet, const std::string& source) {
  const std::string where = record_source(id, source);
  if (id == RecordId::mask) fail(ErrorKind::usage, "{}: the mask record is not repacked", where);
  auto sections = tc::read_packet(packet, where, kMaxRawBytes);
  std::vector<std::string> names;
  std::vector<RawBytes> streams;
  for (auto& s : sections) {
    names.push_back(s.name);
    streams.push_back(std::move(s.data));
  }
  if (names.size() == 1 && names[0] == tc::kLosslessSection) return std::move(streams[0]);
  for (const auto& layout : stream_layouts(id))
    if (layout.streams == names) return layout.join(streams, where + " (" + layout.name + ")");
  fail(ErrorKind::corrupt_input, "{}: packet sections ({}) match no repack layout of this record", where,
       fmt::join(names, ", "));
}

std::size_t PayloadRepack::original_bytes() const {
  std::size_t n = mask_bytes;
  for (const auto& r : records) n += r.original_bytes;
  return n;
}

std::size_t PayloadRepack::repacked_bytes() const {
  std::size_t n = mask_bytes;
  for (const auto& r : records) n += r.repacked_bytes();
  return n;
}

double PayloadRepack::score_saving() const {
  return 25.0 * double(saved_bytes()) / double(contest::kOriginalVideoBytes);
}

PayloadRepack repack_payload(std::span<const std::uint8_t> payload, const std::string& source) {
  const Payload p = split_payload(payload, source);
  PayloadRepack out;
  out.mask_bytes = p[RecordId::mask].bytes.size();
  const std::array<RecordId, 3> ids = {RecordId::pose, RecordId::model, RecordId::sidecar};
  for (std::size_t i = 0; i < ids.size(); ++i) out.records[i] = repack_record(ids[i], p[ids[i]].bytes, source);
  return out;
}

}  // namespace tac::codec::maskgen
