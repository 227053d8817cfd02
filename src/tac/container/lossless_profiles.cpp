#include "tac/container/lossless_profiles.hpp"

#include <fmt/format.h>

namespace tac::container {
namespace {

using transform::TransformKind;
using transform::TransformStep;

LosslessProfile profile(std::string name, std::string description, CodecTag tag,
                        std::vector<TransformStep> transforms = {}) {
  LosslessProfile p{std::move(name), std::move(description), {}, std::move(transforms)};
  p.codec.tag = tag;
  return p;
}

std::vector<LosslessProfile> build() {
  std::vector<LosslessProfile> v;
  v.push_back(profile("store", "no coding (raw bytes)", CodecTag::raw));
  v.push_back(profile("brotli11", "brotli quality 11, window 2^24", CodecTag::brotli));
  v.push_back(profile("xz9e", "xz -9e stream (no integrity check: the packet has a CRC32)", CodecTag::xz));
  v.push_back(profile("zstd19", "zstd level 19", CodecTag::zstd));
  auto zstd22 = profile("zstd22long", "zstd level 22 with long-distance matching", CodecTag::zstd);
  zstd22.codec.zstd = {22, 27, true};
  v.push_back(zstd22);
  v.push_back(profile("lzma9e", "raw LZMA1 preset 9e, lc3 lp0 pb2 (xz -9e without the .xz framing)", CodecTag::lzma1));
  auto words = profile("lzma9e-words", "raw LZMA1 9e tuned for 32-bit words: lc0 lp2 pb2", CodecTag::lzma1);
  words.codec.lzma.lc = 0;
  words.codec.lzma.lp = 2;
  v.push_back(words);
  auto bytes = profile("lzma9e-bytes", "raw LZMA1 9e for unaligned byte data: lc4 lp0 pb0", CodecTag::lzma1);
  bytes.codec.lzma.lc = 4;
  bytes.codec.lzma.pb = 0;
  v.push_back(bytes);
  auto planes4 = profile("planes4-lzma", "byte planes of 32-bit words, then raw LZMA1 9e", CodecTag::lzma1,
                         {{TransformKind::byte_planes, 4}});
  v.push_back(planes4);
  auto planes2 = profile("planes2-lzma", "byte planes of 16-bit words, then raw LZMA1 9e", CodecTag::lzma1,
                         {{TransformKind::byte_planes, 2}});
  v.push_back(planes2);
  v.push_back(profile("delta-lzma", "byte delta, then raw LZMA1 9e", CodecTag::lzma1, {{TransformKind::delta, 1}}));
  v.push_back(profile("delta-brotli", "byte delta, then brotli 11", CodecTag::brotli, {{TransformKind::delta, 1}}));
  auto rans0 = profile("rans0", "htscodecs static rANS 4x16, order 0", CodecTag::rans);
  v.push_back(rans0);
  auto rans1 = profile("rans1", "htscodecs static rANS 4x16, order 1", CodecTag::rans);
  rans1.codec.hts_order = 1;
  v.push_back(rans1);
  auto arith0 = profile("arith0", "htscodecs adaptive arithmetic, order 0", CodecTag::arith);
  v.push_back(arith0);
  auto arith1 = profile("arith1", "htscodecs adaptive arithmetic, order 1", CodecTag::arith);
  arith1.codec.hts_order = 1;
  v.push_back(arith1);
  v.push_back(profile("adaptive0", "tac range coder, adaptive 256-symbol model, order 0", CodecTag::adaptive_bytes));
  auto adaptive1 = profile("adaptive1", "tac range coder, adaptive 256-symbol models, order 1 (previous byte)",
                           CodecTag::adaptive_bytes);
  adaptive1.codec.order = 1;
  adaptive1.codec.increment = 32;
  adaptive1.codec.limit = 1u << 13;
  v.push_back(adaptive1);
  v.push_back(
      profile("huffman", "tac static canonical Huffman, order 0, codes of at most 12 bits", CodecTag::huffman_bytes));
  auto binary0 = profile("binary0", "tac adaptive binary coder, bit-tree contexts, order 0", CodecTag::binary_bytes);
  binary0.codec.rates.warmup = true;
  v.push_back(binary0);
  auto binary1 = profile("binary1", "tac adaptive binary coder, bit-tree contexts, order 1", CodecTag::binary_bytes);
  binary1.codec.order = 1;
  binary1.codec.rates.warmup = true;
  v.push_back(binary1);
  auto zigzag1 = profile("zigzag-binary1", "int8 zigzag, then the adaptive binary coder order 1 (signed weights)",
                         CodecTag::binary_bytes, {{TransformKind::zigzag, 0}});
  zigzag1.codec.order = 1;
  zigzag1.codec.rates.warmup = true;
  v.push_back(zigzag1);
  return v;
}

}  // namespace

const std::vector<LosslessProfile>& lossless_profiles() {
  static const std::vector<LosslessProfile> profiles = build();
  return profiles;
}

const LosslessProfile& find_profile(const std::string& name) {
  std::string known = kBestProfile;
  for (const auto& p : lossless_profiles()) {
    if (p.name == name) return p;
    known += ", " + p.name;
  }
  fail(ErrorKind::usage, "unknown lossless profile '{}' (known: {})", name, known);
}

PackResult lossless_pack(ByteSpan data, const std::string& name) {
  if (name != kBestProfile) {
    const auto& p = find_profile(name);
    return {p.name, write_packet({{kLosslessSection, p.codec, p.transforms, data}})};
  }
  PackResult best;
  for (const auto& p : lossless_profiles()) {
    Bytes packet = write_packet({{kLosslessSection, p.codec, p.transforms, data}});
    if (best.packet.empty() || packet.size() < best.packet.size()) best = {p.name, std::move(packet)};
  }
  return best;
}

Bytes lossless_unpack(ByteSpan packet, const std::string& source) {
  auto sections = read_packet(packet, source);
  if (sections.size() != 1 || sections[0].name != kLosslessSection)
    fail(ErrorKind::corrupt_input, "{}: a lossless packet holds one section named '{}'", source, kLosslessSection);
  return std::move(sections[0].data);
}

}  // namespace tac::container
