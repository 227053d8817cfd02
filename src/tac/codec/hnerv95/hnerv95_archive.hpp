#pragma once
// Reader of the "hnerv95" member format (contest entries #95/#104, e.g. qhnerv_ft_best's 0.bin),
// byte by byte as in ../shared/fixtures/README.md ("Format of 0.bin"):
//   3 x (u32 n, n bytes of brotli): JSON meta; int8 zigzag tensors with f32 scales; latents as
//   uint8 temporal deltas (zigzag int16 split in low/high byte planes) with f16 min/scale.
// Hostile-input safe: every length and count is checked against the remaining bytes, brotli
// output is capped, and shapes are validated against the decoder before anything is allocated.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tac/codec/codec.hpp"

namespace tac::codec::hnerv95 {

struct Tensor {
  std::string name;
  std::vector<std::int64_t> shape;
  float scale = 0;
  std::vector<float> values;  // dequantized: float32(v) * scale
};

struct Meta {
  std::int64_t n_pairs = 0;
  std::int64_t latent_dim = 0;
  std::int64_t base_channels = 0;
  int eval_height = 0, eval_width = 0;
};

struct Archive {
  Meta meta;
  std::vector<Tensor> tensors;  // in stored order
  std::vector<float> latents;   // n_pairs x latent_dim
  // The latents' grid per dimension (f16 bits as stored, and as float): latent = float32(q) x
  // scale + min for q in 0..255. Kept for writers and trainers that re-quantize onto it.
  std::vector<std::uint16_t> latent_min_bits, latent_scale_bits;
  std::vector<float> latent_mins, latent_scales;
  std::vector<std::uint8_t> meta_json;  // the meta section after brotli, as stored
  std::vector<Section> sections;
  const Tensor* find(std::string_view name) const;
  const Tensor& at(std::string_view name) const;
};

// Limits on decoded sizes (the real archive: meta 80 B, tensors ~260 KB, latents ~34 KB).
inline constexpr std::size_t kMaxMetaBytes = 1 << 16;
inline constexpr std::size_t kMaxTensorBytes = 64u << 20;
inline constexpr std::size_t kMaxLatentBytes = 64u << 20;

Archive parse_archive(std::span<const std::uint8_t> bytes, const std::string& source);

// The seam for other containers of the same quantized tensors (codec/hnerv95_tacp): the three
// sections after brotli, byte for byte in the layouts of fixtures/README.md, and the parser that
// turns them into the decoder's tensors (parse_archive = parse_raw_sections(decode_raw_sections)).
struct RawSections {
  std::vector<std::uint8_t> meta_json;  // JSON meta
  std::vector<std::uint8_t> tensors;    // u32 count, then per tensor name, dims, f32 scale, zigzag int8 values
  std::vector<std::uint8_t> latents;    // u32 N, u32 D, f16 mins, f16 scales, low and high byte planes
};
RawSections decode_raw_sections(std::span<const std::uint8_t> bytes, const std::string& source);
// Everything but Archive::sections (the caller describes its own container).
Archive parse_raw_sections(const RawSections& raw, const std::string& source);
// Cheap: checks the framing and decodes only the meta section. Never throws.
bool looks_like_hnerv95(std::span<const std::uint8_t> bytes);
// Section anatomy without decoding the tensors.
std::vector<Section> describe_sections(std::span<const std::uint8_t> bytes, const std::string& source);

// Brotli decompression with a hard cap on the output (throws when exceeded or corrupt).
std::vector<std::uint8_t> brotli_decode_capped(std::span<const std::uint8_t> in, std::size_t cap,
                                               const std::string& what);

}  // namespace tac::codec::hnerv95
