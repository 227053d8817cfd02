#include "tac/codec/hnerv95/hnerv95_archive.hpp"

#include <brotli/decode.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

namespace tac::codec::hnerv95 {
namespace {

struct Framed {
  std::size_t offset;
  std::span<const std::uint8_t> payload;
};

constexpr const char* kSectionNames[3] = {"meta", "weights", "latents"};

std::vector<Framed> split_sections(std::span<const std::uint8_t> bytes, const std::string& source) {
  ByteReader c(bytes, source);
  std::vector<Framed> out;
  for (const char* name : kSectionNames) {
    const std::size_t at = c.offset();
    const std::uint32_t n = c.u32(name);
    out.push_back({at, c.take(n, name)});
  }
  if (!c.at_end()) fail(ErrorKind::corrupt_input, "{}: {} unexpected bytes after the latents section", source, c.remaining());
  return out;
}

Meta parse_meta(std::span<const std::uint8_t> json_bytes, const std::string& source) {
  nlohmann::json j = nlohmann::json::parse(json_bytes.begin(), json_bytes.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail(ErrorKind::corrupt_input, "{}: meta section is not a JSON object", source);
  auto int_field = [&](const char* key, std::int64_t lo, std::int64_t hi) {
    if (!j.contains(key) || !j[key].is_number_integer()) fail(ErrorKind::corrupt_input, "{}: meta lacks integer '{}'", source, key);
    const auto v = j[key].get<std::int64_t>();
    if (v < lo || v > hi) fail(ErrorKind::corrupt_input, "{}: meta '{}' = {} outside [{}, {}]", source, key, v, lo, hi);
    return v;
  };
  Meta m;
  m.n_pairs = int_field("n_pairs", 1, 1'000'000);
  m.latent_dim = int_field("latent_dim", 1, 4096);
  m.base_channels = int_field("base_channels", 1, 1024);
  if (!j.contains("eval_size") || !j["eval_size"].is_array() || j["eval_size"].size() != 2 ||
      !j["eval_size"][0].is_number_integer() || !j["eval_size"][1].is_number_integer())
    fail(ErrorKind::corrupt_input, "{}: meta lacks 'eval_size' [height, width]", source);
  const auto h = j["eval_size"][0].get<std::int64_t>(), w = j["eval_size"][1].get<std::int64_t>();
  if (h != 384 || w != 512) fail(ErrorKind::corrupt_input, "{}: meta eval_size [{}, {}] is not [384, 512]", source, h, w);
  m.eval_height = static_cast<int>(h);
  m.eval_width = static_cast<int>(w);
  return m;
}

std::vector<Tensor> parse_tensors(std::span<const std::uint8_t> raw, const std::string& source) {
  ByteReader c(raw, source + " (weights section)");
  const std::uint32_t count = c.u32("tensor count");
  // Each tensor needs at least 4 + 4 + 4 + 4 bytes of header.
  if (count > 256 || std::uint64_t{count} * 16 > c.remaining())
    fail(ErrorKind::corrupt_input, "{}: tensor count {} does not fit the weights section", source, count);
  std::vector<Tensor> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    Tensor t;
    const std::uint32_t name_len = c.u32("tensor name length");
    if (name_len == 0 || name_len > 256) fail(ErrorKind::corrupt_input, "{}: tensor {} name length {} is invalid", source, i, name_len);
    t.name = c.text(name_len, "tensor name");
    const std::uint32_t ndim = c.u32("tensor rank");
    if (ndim == 0 || ndim > 4) fail(ErrorKind::corrupt_input, "{}: tensor '{}' has rank {}", source, t.name, ndim);
    std::uint64_t numel = 1;
    for (std::uint32_t d = 0; d < ndim; ++d) {
      const std::uint32_t dim = c.u32("tensor dimension");
      if (dim == 0 || dim > (1u << 20)) fail(ErrorKind::corrupt_input, "{}: tensor '{}' has dimension {}", source, t.name, dim);
      numel *= dim;
      if (numel > (16u << 20)) fail(ErrorKind::limit_exceeded, "{}: tensor '{}' is too large", source, t.name);
      t.shape.push_back(dim);
    }
    t.scale = c.f32("tensor scale");
    if (!std::isfinite(t.scale)) fail(ErrorKind::corrupt_input, "{}: tensor '{}' has a non-finite scale", source, t.name);
    const std::uint32_t size = c.u32("tensor size");
    if (size != numel) fail(ErrorKind::corrupt_input, "{}: tensor '{}' stores {} values but its shape holds {}", source, t.name, size, numel);
    const auto q = c.take(size, "tensor values");
    t.values.resize(size);
    for (std::uint32_t k = 0; k < size; ++k) {
      const std::uint8_t u = q[k];
      const int v = (u & 1) ? -static_cast<int>((u + 1) >> 1) : static_cast<int>(u >> 1);  // zigzag
      t.values[k] = static_cast<float>(v) * t.scale;
    }
    for (const auto& prev : out)
      if (prev.name == t.name) fail(ErrorKind::corrupt_input, "{}: tensor '{}' appears twice", source, t.name);
    out.push_back(std::move(t));
  }
  if (!c.at_end()) fail(ErrorKind::corrupt_input, "{}: {} unexpected bytes after the last tensor", source, c.remaining());
  return out;
}

std::vector<float> parse_latents(std::span<const std::uint8_t> raw, const Meta& meta, const std::string& source, Archive& grid) {
  ByteReader c(raw, source + " (latents section)");
  const std::uint32_t n = c.u32("latent count"), d = c.u32("latent dimension");
  if (n != meta.n_pairs || d != meta.latent_dim)
    fail(ErrorKind::corrupt_input, "{}: latents are {}x{} but meta says {}x{}", source, n, d, meta.n_pairs, meta.latent_dim);
  const std::uint64_t cells = std::uint64_t{n} * d;
  if (std::uint64_t{d} * 4 + cells * 2 != c.remaining())
    fail(ErrorKind::corrupt_input, "{}: latents section holds {} bytes, expected {}", source, c.remaining(), std::uint64_t{d} * 4 + cells * 2);
  std::vector<float> mins(d), scales(d);
  grid.latent_min_bits.resize(d);
  grid.latent_scale_bits.resize(d);
  auto header = c.block(std::uint64_t{d} * 4, "latent min/scale");
  for (std::uint32_t k = 0; k < d; ++k) mins[k] = io::half_to_float(grid.latent_min_bits[k] = header.u16());
  for (std::uint32_t k = 0; k < d; ++k) scales[k] = io::half_to_float(grid.latent_scale_bits[k] = header.u16());
  const auto lo = c.take(cells, "latent low bytes");
  const auto hi = c.take(cells, "latent high bytes");
  std::vector<float> out(cells);
  std::vector<std::uint8_t> q(d, 0);
  for (std::uint64_t i = 0; i < cells; ++i) {
    const std::uint32_t dim = static_cast<std::uint32_t>(i % d);
    const std::uint32_t u = lo[i] | (std::uint32_t(hi[i]) << 8);
    const std::int32_t delta = (u & 1) ? -static_cast<std::int32_t>((u + 1) >> 1) : static_cast<std::int32_t>(u >> 1);
    q[dim] = static_cast<std::uint8_t>(q[dim] + delta);  // running sum wraps to uint8
    out[i] = static_cast<float>(q[dim]) * scales[dim] + mins[dim];  // two float32 roundings (no fma)
  }
  grid.latent_mins = std::move(mins);
  grid.latent_scales = std::move(scales);
  return out;
}

}  // namespace

std::vector<std::uint8_t> brotli_decode_capped(std::span<const std::uint8_t> in, std::size_t cap,
                                               const std::string& what) {
  BrotliDecoderState* s = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (!s) fail(ErrorKind::internal, "{}: cannot create a brotli decoder", what);
  std::vector<std::uint8_t> out;
  std::size_t avail_in = in.size();
  const std::uint8_t* next_in = in.data();
  BrotliDecoderResult r = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    const std::size_t old = out.size();
    if (old >= cap) break;
    out.resize(std::min(cap, std::max<std::size_t>(old * 2, 4096)));
    std::size_t avail_out = out.size() - old;
    std::uint8_t* next_out = out.data() + old;
    r = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    out.resize(out.size() - avail_out);
  }
  BrotliDecoderDestroyInstance(s);
  if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) fail(ErrorKind::limit_exceeded, "{}: decompresses to more than {} bytes", what, cap);
  if (r != BROTLI_DECODER_RESULT_SUCCESS) fail(ErrorKind::corrupt_input, "{}: corrupt or truncated brotli stream", what);
  if (avail_in != 0) fail(ErrorKind::corrupt_input, "{}: {} bytes after the end of the brotli stream", what, avail_in);
  return out;
}

const Tensor* Archive::find(std::string_view name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

const Tensor& Archive::at(std::string_view name) const {
  const Tensor* t = find(name);
  if (!t) fail(ErrorKind::corrupt_input, "hnerv95 archive: tensor '{}' is missing", name);
  return *t;
}

std::vector<Section> describe_sections(std::span<const std::uint8_t> bytes, const std::string& source) {
  const auto parts = split_sections(bytes, source);
  static const char* codecs[3] = {"brotli(JSON)", "brotli(int8 zigzag, f32 scale per tensor)",
                                  "brotli(zigzag int16 deltas as uint8 planes, f16 min/scale)"};
  std::vector<Section> out;
  for (int i = 0; i < 3; ++i) {
    Section s;
    s.name = kSectionNames[i];
    s.offset = parts[i].offset;
    s.bytes = 4 + parts[i].payload.size();
    s.codec = codecs[i];
    try {
      s.decoded_bytes = brotli_decode_capped(parts[i].payload, i == 0 ? kMaxMetaBytes : kMaxTensorBytes, source).size();
    } catch (const Error&) {
      s.detail = "corrupt brotli stream";
    }
    out.push_back(std::move(s));
  }
  return out;
}

RawSections decode_raw_sections(std::span<const std::uint8_t> bytes, const std::string& source) {
  const auto parts = split_sections(bytes, source);
  RawSections raw;
  raw.meta_json = brotli_decode_capped(parts[0].payload, kMaxMetaBytes, source + " (meta section)");
  raw.tensors = brotli_decode_capped(parts[1].payload, kMaxTensorBytes, source + " (weights section)");
  raw.latents = brotli_decode_capped(parts[2].payload, kMaxLatentBytes, source + " (latents section)");
  return raw;
}

Archive parse_raw_sections(const RawSections& raw, const std::string& source) {
  Archive a;
  a.meta = parse_meta(raw.meta_json, source);
  a.tensors = parse_tensors(raw.tensors, source);
  a.latents = parse_latents(raw.latents, a.meta, source, a);
  a.meta_json = raw.meta_json;
  return a;
}

Archive parse_archive(std::span<const std::uint8_t> bytes, const std::string& source) {
  Archive a = parse_raw_sections(decode_raw_sections(bytes, source), source);
  a.sections = describe_sections(bytes, source);
  return a;
}

bool looks_like_hnerv95(std::span<const std::uint8_t> bytes) {
  try {
    ByteReader c(bytes, "probe");
    const std::uint32_t n = c.u32("meta");
    const auto payload = c.take(n, "meta");
    // Three sections must frame the member exactly.
    const std::uint32_t n2 = c.u32("weights");
    c.take(n2, "weights");
    const std::uint32_t n3 = c.u32("latents");
    c.take(n3, "latents");
    if (!c.at_end()) return false;
    const auto json = brotli_decode_capped(payload, kMaxMetaBytes, "probe");
    parse_meta(json, "probe");
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace tac::codec::hnerv95
