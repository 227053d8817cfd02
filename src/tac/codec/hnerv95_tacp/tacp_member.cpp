#include "tac/codec/hnerv95_tacp/tacp_member.hpp"

#include <fmt/format.h>

#include "tac/codec/hnerv95_tacp/header_section.hpp"
#include "tac/codec/hnerv95_tacp/latents_coder.hpp"
#include "tac/codec/hnerv95_tacp/weights_coder.hpp"
#include "tac/container/lossless_profiles.hpp"
#include "tac/container/packet.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::hnerv95_tacp {
namespace {

using container::Bytes;
using container::ByteSpan;

// Cap on the sum of the sections' declared decoded sizes (the header's fields and the two coder
// streams; the real archive declares ~176 KB). The decoded tensors are capped by the readers.
constexpr std::uint64_t kMaxDecodedBytes = std::uint64_t(64) << 20;

struct Chosen {
  container::CodecSpec codec;
  std::vector<transform::TransformStep> transforms;
  std::string profile;
  std::size_t candidates = 0;
};

// The lossless profile that codes `data` smallest (params + payload; the first on ties), and raw
// LZMA1 over its literal-context/position settings (small inputs are sensitive to them).
Chosen smallest_profile(ByteSpan data) {
  std::vector<container::LosslessProfile> candidates = container::lossless_profiles();
  for (int lc = 0; lc <= 4; ++lc)
    for (const int lp : {0, 2})
      for (const int pb : {0, 2}) {
        if (lc + lp > 4) continue;  // LZMA1's limit
        container::LosslessProfile p{fmt::format("lzma9e lc{} lp{} pb{}", lc, lp, pb), "", {}, {}};
        p.codec.tag = container::CodecTag::lzma1;
        p.codec.lzma.lc = lc;
        p.codec.lzma.lp = lp;
        p.codec.lzma.pb = pb;
        candidates.push_back(p);
      }
  Chosen best;
  std::size_t best_size = SIZE_MAX;
  for (const auto& p : candidates) {
    const auto enc = container::encode_with(p.codec, transform::apply_forward(p.transforms, data));
    ++best.candidates;
    const std::size_t size = enc.params.size() + enc.payload.size() + 2 * p.transforms.size();
    if (size < best_size) {
      best_size = size;
      best.codec = p.codec;
      best.transforms = p.transforms;
      best.profile = p.name;
    }
  }
  return best;
}

const container::SectionEntry& entry(const container::PacketTable& table, int i) { return table.sections[std::size_t(i)]; }

container::PacketTable checked_table(ByteSpan packet, const std::string& source, bool check_crc = true) {
  container::PacketTable table = container::read_packet_table(packet, source, kMaxDecodedBytes, check_crc);
  if (table.sections.size() != kSections)
    fail(ErrorKind::corrupt_input, "{}: hnerv95_tacp packet has {} sections, expected {} (header, weights, latents)", source,
         table.sections.size(), kSections);
  for (int i = 0; i < kSections; ++i)
    if (entry(table, i).name != kSectionNames[i])
      fail(ErrorKind::corrupt_input, "{}: section {} is '{}', expected '{}'", source, i, entry(table, i).name, kSectionNames[i]);
  for (int i = 1; i < kSections; ++i)
    if (entry(table, i).codec != container::CodecTag::raw || !entry(table, i).transforms.empty())
      fail(ErrorKind::corrupt_input, "{}: section '{}' must be stored raw (it holds its own coder stream)", source,
           kSectionNames[i]);
  return table;
}

std::vector<WeightTensorLayout> layouts_of(const std::vector<TensorHeader>& headers) {
  std::vector<WeightTensorLayout> out;
  for (const auto& t : headers) out.push_back({t.size(), t.dims.size() >= 2 ? t.size() / t.dims[0] : t.size()});
  return out;
}

}  // namespace

RepackResult repack(std::span<const std::uint8_t> member, const std::string& source) {
  const hnerv95::RawSections raw = hnerv95::decode_raw_sections(member, source);
  // Parsing the original proves it is a valid hnerv95 member (meta, shapes and latent sizes).
  (void)hnerv95::parse_raw_sections(raw, source);
  const auto original = hnerv95::describe_sections(member, source);

  HeaderSection header;
  header.meta_json = raw.meta_json;
  std::vector<std::span<const std::uint8_t>> values;
  header.tensors = split_weights_section(raw.tensors, values, source + " (weights section)");
  const Bytes header_bytes = write_header_section(header);
  const Chosen header_coder = smallest_profile(header_bytes);
  const WeightSearch weights = search_weights(values, layouts_of(header.tensors));
  const LatentSearch latents = search_latents(latents_from_raw(raw.latents, source + " (latents section)"));

  container::CodecSpec raw_codec;
  raw_codec.tag = container::CodecTag::raw;
  RepackResult result;
  result.member = container::write_packet({{kSectionNames[0], header_coder.codec, header_coder.transforms, header_bytes},
                                           {kSectionNames[1], raw_codec, {}, weights.stream},
                                           {kSectionNames[2], raw_codec, {}, latents.stream}});
  // The packet must give back the very same raw sections.
  const auto back = unpack_raw_sections(result.member, source + " (repacked)");
  if (back.meta_json != raw.meta_json || back.tensors != raw.tensors ||
      latents_from_raw(back.latents, "repacked latents") != latents_from_raw(raw.latents, "original latents"))
    fail(ErrorKind::internal, "{}: the repacked member does not decode to the original sections", source);

  const auto table = checked_table(result.member, source + " (repacked)");
  result.packet_header_bytes = table.table_bytes;
  for (const auto& e : table.sections) result.packet_header_bytes -= e.entry_size + 4;
  const std::string choices[kSections] = {"lossless profile " + header_coder.profile, describe(weights.settings),
                                          latents.choice};
  const std::size_t candidates[kSections] = {header_coder.candidates, weights.tried, latents.tried};
  for (int i = 0; i < kSections; ++i) {
    const auto& e = entry(table, i);
    result.sections.push_back({kSectionNames[i], original[std::size_t(i)].name, original[std::size_t(i)].bytes,
                               e.entry_size + 4 + e.stored_size, e.decoded_size, choices[i], candidates[i]});
  }
  return result;
}

hnerv95::RawSections unpack_raw_sections(std::span<const std::uint8_t> packet, const std::string& source,
                                         bool check_crc) {
  (void)checked_table(packet, source, check_crc);
  const auto sections = container::read_packet(packet, source, kMaxDecodedBytes, check_crc);
  auto where = [&](int i) { return fmt::format("{}: section '{}'", source, kSectionNames[i]); };
  const HeaderSection header = read_header_section(sections[0].data, where(0));
  hnerv95::RawSections raw;
  raw.meta_json = header.meta_json;
  raw.tensors = join_weights_section(header.tensors, decode_weights(sections[1].data, layouts_of(header.tensors), where(1)));
  raw.latents = latents_to_raw(decode_latents(sections[2].data, where(2)));
  return raw;
}

hnerv95::Archive parse_member(std::span<const std::uint8_t> packet, const std::string& source) {
  hnerv95::Archive a = hnerv95::parse_raw_sections(unpack_raw_sections(packet, source), source);
  a.sections = describe_member(packet, source);
  return a;
}

bool looks_like_member(std::span<const std::uint8_t> bytes) {
  if (!container::looks_like_packet(bytes)) return false;
  try {
    (void)checked_table(bytes, "probe");
    return true;
  } catch (const Error&) {
    return false;
  }
}

std::vector<Section> describe_member(std::span<const std::uint8_t> packet, const std::string& source) {
  const auto table = checked_table(packet, source);
  std::vector<Section> out;
  Section head;
  head.name = "packet table";
  head.offset = 0;
  head.bytes = table.table_bytes;
  head.codec = "TACP v1 header and section table (names, codecs, sizes, CRC32)";
  out.push_back(head);
  static const char* coders[kSections] = {"", "tac bit-tree range coder (int8 zigzag, per tensor)",
                                          "tac predictive range coder (quantized latents)"};
  for (int i = 0; i < kSections; ++i) {
    const auto& e = entry(table, i);
    Section s;
    s.name = e.name;
    s.offset = e.payload_offset;
    s.bytes = e.stored_size;
    s.codec = i == 0 ? std::string("header fields, ") + container::codec_name(e.codec) : coders[i];
    s.decoded_bytes = e.decoded_size;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace tac::codec::hnerv95_tacp
