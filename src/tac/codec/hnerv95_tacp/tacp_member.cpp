#include "tac/codec/hnerv95_tacp/tacp_member.hpp"

#include <fmt/format.h>

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

// Sum of declared decoded sizes a packet may claim (the real one: ~35 KB of raw sections + 230 KB
// of int8 values are not declared; the raw coder sections declare their stream sizes).
constexpr std::uint64_t kMaxDecodedBytes = std::uint64_t(64) << 20;
constexpr std::uint32_t kMaxTensors = 256;
constexpr std::uint64_t kMaxTensorValues = std::uint64_t(16) << 20;

// One tensor record of the hnerv95 weights section: its header bytes [begin, end) and layout.
struct TensorRecord {
  std::size_t begin = 0, end = 0;
  WeightTensorLayout layout;
  std::size_t values_at = 0;  // with values: where they start
};

// Reads the records of a weights section (with_values) or of its headers alone.
std::vector<TensorRecord> read_records(ByteSpan bytes, bool with_values, const std::string& source) {
  ByteReader c(bytes, source);
  const std::uint32_t count = c.u32("tensor count");
  if (count == 0 || count > kMaxTensors) fail(ErrorKind::corrupt_input, "{}: tensor count {} is not in 1..{}", source, count, kMaxTensors);
  std::vector<TensorRecord> out;
  std::uint64_t total = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    TensorRecord rec;
    rec.begin = c.offset();
    const std::uint32_t name_len = c.u32("tensor name length");
    if (name_len == 0 || name_len > 256) fail(ErrorKind::corrupt_input, "{}: tensor {} name length {} is invalid", source, i, name_len);
    c.skip(name_len, "tensor name");
    const std::uint32_t rank = c.u32("tensor rank");
    if (rank == 0 || rank > 4) fail(ErrorKind::corrupt_input, "{}: tensor {} has rank {}", source, i, rank);
    std::uint64_t numel = 1;
    std::uint32_t first = 1;
    for (std::uint32_t d = 0; d < rank; ++d) {
      const std::uint32_t dim = c.u32("tensor dimension");
      if (dim == 0 || dim > (1u << 20)) fail(ErrorKind::corrupt_input, "{}: tensor {} has dimension {}", source, i, dim);
      if (d == 0) first = dim;
      numel *= dim;
      if (numel > kMaxTensorValues) fail(ErrorKind::limit_exceeded, "{}: tensor {} is too large", source, i);
    }
    c.skip(4, "tensor scale");
    const std::uint32_t size = c.u32("tensor size");
    if (size != numel) fail(ErrorKind::corrupt_input, "{}: tensor {} stores {} values but its shape holds {}", source, i, size, numel);
    total += size;
    if (total > hnerv95::kMaxTensorBytes) fail(ErrorKind::limit_exceeded, "{}: tensors hold more than {} values", source, hnerv95::kMaxTensorBytes);
    rec.end = c.offset();
    rec.layout.size = size;
    rec.layout.channel_length = rank >= 2 ? size / first : size;
    if (with_values) {
      rec.values_at = c.offset();
      c.skip(size, "tensor values");
    }
    out.push_back(rec);
  }
  if (!c.at_end()) fail(ErrorKind::corrupt_input, "{}: {} unexpected bytes after the last tensor", source, c.remaining());
  return out;
}

struct Chosen {
  container::CodecSpec codec;
  std::vector<transform::TransformStep> transforms;
  std::string profile;
  std::size_t candidates = 0;
};

// The lossless profile that codes `data` smallest (params + payload; the first on ties).
Chosen smallest_profile(ByteSpan data) {
  Chosen best;
  std::size_t best_size = SIZE_MAX;
  for (const auto& p : container::lossless_profiles()) {
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

std::string describe(const WeightCoderSettings& s) {
  return fmt::format("bit-tree per tensor, rates {}/{}{}, previous-value classes {}", s.rates.fast, s.rates.slow,
                     s.rates.warmup ? " warm-up" : "", s.previous_classes);
}

std::string describe(const LatentCoderSettings& s) {
  return fmt::format("AR(1) per dimension; residuals: {} greater flags, Exp-Golomb {}, rates {}/{}{}, {} contexts, {} "
                     "previous-residual classes",
                     s.greater_flags, s.golomb_order, s.rates.fast, s.rates.slow, s.rates.warmup ? " warm-up" : "",
                     s.per_dimension ? "per-dimension" : "shared", s.classes);
}

const container::SectionEntry& entry(const container::PacketTable& table, int i) { return table.sections[std::size_t(i)]; }

container::PacketTable checked_table(ByteSpan packet, const std::string& source) {
  container::PacketTable table = container::read_packet_table(packet, source, kMaxDecodedBytes);
  if (table.sections.size() != 4)
    fail(ErrorKind::corrupt_input, "{}: hnerv95_tacp packet has {} sections, expected 4 (meta, tensors, weights, latents)",
         source, table.sections.size());
  for (int i = 0; i < 4; ++i)
    if (entry(table, i).name != kSectionNames[i])
      fail(ErrorKind::corrupt_input, "{}: section {} is '{}', expected '{}'", source, i, entry(table, i).name, kSectionNames[i]);
  for (int i = 2; i < 4; ++i)
    if (entry(table, i).codec != container::CodecTag::raw || !entry(table, i).transforms.empty())
      fail(ErrorKind::corrupt_input, "{}: section '{}' must be stored raw (it holds its own coder stream)", source,
           kSectionNames[i]);
  return table;
}

}  // namespace

RepackResult repack(std::span<const std::uint8_t> member, const std::string& source) {
  const hnerv95::RawSections raw = hnerv95::decode_raw_sections(member, source);
  // Parsing the original proves it is a valid hnerv95 member (meta, shapes and latent sizes).
  (void)hnerv95::parse_raw_sections(raw, source);
  const auto original = hnerv95::describe_sections(member, source);

  const auto records = read_records(raw.tensors, true, source + " (weights section)");
  Bytes headers(raw.tensors.begin(), raw.tensors.begin() + 4);
  std::vector<std::span<const std::uint8_t>> values;
  std::vector<WeightTensorLayout> layouts;
  for (const auto& r : records) {
    headers.insert(headers.end(), raw.tensors.begin() + std::ptrdiff_t(r.begin), raw.tensors.begin() + std::ptrdiff_t(r.end));
    values.push_back(std::span<const std::uint8_t>(raw.tensors).subspan(r.values_at, r.layout.size));
    layouts.push_back(r.layout);
  }
  const WeightSearch weights = search_weights(values, layouts);
  const LatentSearch latents = search_latents(latents_from_raw(raw.latents, source + " (latents section)"));
  const Chosen meta = smallest_profile(raw.meta_json);
  const Chosen tensors = smallest_profile(headers);

  container::CodecSpec raw_codec;
  raw_codec.tag = container::CodecTag::raw;
  RepackResult result;
  result.member = container::write_packet({{kSectionNames[0], meta.codec, meta.transforms, raw.meta_json},
                                           {kSectionNames[1], tensors.codec, tensors.transforms, headers},
                                           {kSectionNames[2], raw_codec, {}, weights.stream},
                                           {kSectionNames[3], raw_codec, {}, latents.stream}});
  // The packet must give back the very same raw sections.
  const auto back = unpack_raw_sections(result.member, source + " (repacked)");
  if (back.meta_json != raw.meta_json || back.tensors != raw.tensors ||
      latents_from_raw(back.latents, "repacked latents") != latents_from_raw(raw.latents, "original latents"))
    fail(ErrorKind::internal, "{}: the repacked member does not decode to the original sections", source);

  const auto table = checked_table(result.member, source + " (repacked)");
  result.packet_header_bytes = table.table_bytes;
  for (const auto& e : table.sections) result.packet_header_bytes -= e.entry_size + 4;
  const std::string choices[4] = {"lossless profile " + meta.profile, "lossless profile " + tensors.profile,
                                  describe(weights.settings), describe(latents.settings)};
  const std::size_t candidates[4] = {meta.candidates, tensors.candidates, weights.tried.size(), latents.tried};
  const std::uint64_t before[4] = {original[0].bytes, 0, original[1].bytes, original[2].bytes};
  for (int i = 0; i < 4; ++i) {
    const auto& e = entry(table, i);
    result.sections.push_back({kSectionNames[i], before[i], e.entry_size + 4 + e.stored_size, e.decoded_size, choices[i],
                               candidates[i]});
  }
  return result;
}

hnerv95::RawSections unpack_raw_sections(std::span<const std::uint8_t> packet, const std::string& source) {
  const auto table = checked_table(packet, source);
  const auto sections = container::read_packet(packet, source, kMaxDecodedBytes);
  auto where = [&](int i) { return fmt::format("{}: section '{}'", source, kSectionNames[i]); };
  hnerv95::RawSections raw;
  raw.meta_json = sections[0].data;
  if (raw.meta_json.size() > hnerv95::kMaxMetaBytes) fail(ErrorKind::limit_exceeded, "{}: meta exceeds {} bytes", where(0), hnerv95::kMaxMetaBytes);
  const Bytes& headers = sections[1].data;
  const auto records = read_records(headers, false, where(1));
  std::vector<WeightTensorLayout> layouts;
  for (const auto& r : records) layouts.push_back(r.layout);
  const auto values = decode_weights(sections[2].data, layouts, where(2));
  raw.tensors.assign(headers.begin(), headers.begin() + 4);
  for (std::size_t t = 0; t < records.size(); ++t) {
    raw.tensors.insert(raw.tensors.end(), headers.begin() + std::ptrdiff_t(records[t].begin),
                       headers.begin() + std::ptrdiff_t(records[t].end));
    raw.tensors.insert(raw.tensors.end(), values[t].begin(), values[t].end());
  }
  raw.latents = latents_to_raw(decode_latents(sections[3].data, where(3)));
  (void)table;
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
  static const char* coders[4] = {"", "", "tac bit-tree range coder (int8 zigzag, per tensor)",
                                  "tac AR(1) + binarized range coder (quantized latents)"};
  for (int i = 0; i < 4; ++i) {
    const auto& e = entry(table, i);
    Section s;
    s.name = e.name;
    s.offset = e.payload_offset;
    s.bytes = e.stored_size;
    s.codec = i < 2 ? container::codec_name(e.codec) : coders[i];
    s.decoded_bytes = e.decoded_size;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace tac::codec::hnerv95_tacp
