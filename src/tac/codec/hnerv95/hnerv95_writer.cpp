#include "tac/codec/hnerv95/hnerv95_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tac/core/error.hpp"
#include "tac/entropy/generic_codecs.hpp"

namespace tac::codec::hnerv95 {
namespace {

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) out.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
}

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void put_f32(std::vector<std::uint8_t>& out, float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, 4);
  put_u32(out, bits);
}

std::uint32_t checked_u32(std::size_t v, const char* what) {
  if (v > 0xffffffffu) fail(ErrorKind::limit_exceeded, "hnerv95 writer: {} {} does not fit 32 bits", what, v);
  return static_cast<std::uint32_t>(v);
}

void check_finite(float v, const char* what) {
  if (!std::isfinite(v)) fail(ErrorKind::usage, "hnerv95 writer: a {} is not finite", what);
}

}  // namespace

std::int8_t weight_level(float w, float scale) {
  check_finite(w, "weight");
  if (scale == 0.0f) return 0;
  const float v = std::nearbyint(w / scale);  // float32 division, ties to even (as at::round)
  return static_cast<std::int8_t>(std::clamp(v, -128.0f, 127.0f));
}

std::uint8_t latent_level(float z, float min, float scale) {
  check_finite(z, "latent");
  if (scale == 0.0f) return 0;
  const float q = std::nearbyint((z - min) / scale);
  return static_cast<std::uint8_t>(std::clamp(q, 0.0f, 255.0f));
}

RawSections encode_raw_sections(const Archive& a) {
  RawSections raw;
  raw.meta_json = a.meta_json;
  if (raw.meta_json.empty()) fail(ErrorKind::usage, "hnerv95 writer: the archive has no meta JSON");

  auto& t = raw.tensors;
  put_u32(t, checked_u32(a.tensors.size(), "tensor count"));
  for (const Tensor& x : a.tensors) {
    put_u32(t, checked_u32(x.name.size(), "name length"));
    t.insert(t.end(), x.name.begin(), x.name.end());
    put_u32(t, checked_u32(x.shape.size(), "rank"));
    std::size_t numel = 1;
    for (const auto d : x.shape) {
      put_u32(t, checked_u32(static_cast<std::size_t>(d), "dimension"));
      numel *= static_cast<std::size_t>(d);
    }
    if (numel != x.values.size()) fail(ErrorKind::usage, "hnerv95 writer: tensor '{}' holds {} values, its shape {}", x.name, x.values.size(), numel);
    check_finite(x.scale, "tensor scale");
    put_f32(t, x.scale);
    put_u32(t, checked_u32(numel, "tensor size"));
    for (const float w : x.values) {
      const int v = weight_level(w, x.scale);
      t.push_back(static_cast<std::uint8_t>(v >= 0 ? 2 * v : -2 * v - 1));  // zigzag
    }
  }

  const auto n = static_cast<std::size_t>(a.meta.n_pairs), d = static_cast<std::size_t>(a.meta.latent_dim);
  if (a.latents.size() != n * d || a.latent_mins.size() != d || a.latent_scales.size() != d || a.latent_min_bits.size() != d ||
      a.latent_scale_bits.size() != d)
    fail(ErrorKind::usage, "hnerv95 writer: latents or their grid do not match {} x {}", n, d);
  auto& l = raw.latents;
  put_u32(l, checked_u32(n, "latent count"));
  put_u32(l, checked_u32(d, "latent dimension"));
  for (const auto b : a.latent_min_bits) put_u16(l, b);
  for (const auto b : a.latent_scale_bits) put_u16(l, b);
  std::vector<std::uint8_t> low(n * d), high(n * d);
  std::vector<int> previous(d, 0);
  for (std::size_t i = 0; i < n * d; ++i) {
    const std::size_t k = i % d;
    const int q = latent_level(a.latents[i], a.latent_mins[k], a.latent_scales[k]);
    const int delta = q - previous[k];  // row 0: the value itself
    previous[k] = q;
    const auto u = static_cast<std::uint16_t>(delta >= 0 ? 2 * delta : -2 * delta - 1);
    low[i] = static_cast<std::uint8_t>(u);
    high[i] = static_cast<std::uint8_t>(u >> 8);
  }
  l.insert(l.end(), low.begin(), low.end());
  l.insert(l.end(), high.begin(), high.end());
  return raw;
}

std::vector<std::uint8_t> write_member(const RawSections& raw, const WriteOptions& options) {
  const entropy::BrotliSettings brotli{options.brotli_quality, options.brotli_window};
  std::vector<std::uint8_t> out;
  for (const auto* section : {&raw.meta_json, &raw.tensors, &raw.latents}) {
    const auto packed = entropy::brotli_compress(*section, brotli);
    put_u32(out, checked_u32(packed.size(), "section size"));
    out.insert(out.end(), packed.begin(), packed.end());
  }
  return out;
}

std::vector<std::uint8_t> write_member(const Archive& archive, const WriteOptions& options) {
  return write_member(encode_raw_sections(archive), options);
}

}  // namespace tac::codec::hnerv95
