#include "tac/transform/byte_transforms.hpp"

#include "tac/core/error.hpp"
#include "tac/transform/zigzag.hpp"

namespace tac::transform {
namespace {

void need_positive(std::size_t n, const char* what) {
  if (n == 0) fail(ErrorKind::usage, "{} must be at least 1", what);
}

}  // namespace

Bytes delta(ByteSpan in, std::size_t stride) {
  need_positive(stride, "delta stride");
  Bytes out(in.begin(), in.end());
  for (std::size_t i = stride; i < in.size(); ++i) out[i] = static_cast<std::uint8_t>(in[i] - in[i - stride]);
  return out;
}

Bytes undelta(ByteSpan in, std::size_t stride) {
  need_positive(stride, "delta stride");
  Bytes out(in.begin(), in.end());
  for (std::size_t i = stride; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(out[i] + out[i - stride]);
  return out;
}

Bytes byte_planes(ByteSpan in, std::size_t width) {
  need_positive(width, "byte-plane width");
  const std::size_t n = in.size() / width;
  Bytes out(in.size());
  for (std::size_t plane = 0; plane < width; ++plane)
    for (std::size_t i = 0; i < n; ++i) out[plane * n + i] = in[i * width + plane];
  std::copy(in.begin() + std::ptrdiff_t(n * width), in.end(), out.begin() + std::ptrdiff_t(n * width));
  return out;
}

Bytes unbyte_planes(ByteSpan in, std::size_t width) {
  need_positive(width, "byte-plane width");
  const std::size_t n = in.size() / width;
  Bytes out(in.size());
  for (std::size_t plane = 0; plane < width; ++plane)
    for (std::size_t i = 0; i < n; ++i) out[i * width + plane] = in[plane * n + i];
  std::copy(in.begin() + std::ptrdiff_t(n * width), in.end(), out.begin() + std::ptrdiff_t(n * width));
  return out;
}

// Transposing rows of `columns` is byte-plane splitting with width = columns.
Bytes transpose(ByteSpan in, std::size_t columns) { return byte_planes(in, columns); }
Bytes untranspose(ByteSpan in, std::size_t columns) { return unbyte_planes(in, columns); }

namespace {
template <typename F>
Bytes map_bytes(ByteSpan in, F f) {
  Bytes out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = f(in[i]);
  return out;
}
}  // namespace

Bytes zigzag_bytes(ByteSpan in) {
  return map_bytes(in, [](std::uint8_t b) { return zigzag8(static_cast<std::int8_t>(b)); });
}
Bytes unzigzag_bytes(ByteSpan in) {
  return map_bytes(in, [](std::uint8_t b) { return static_cast<std::uint8_t>(unzigzag8(b)); });
}
Bytes negated_zigzag_bytes(ByteSpan in) {
  return map_bytes(in, [](std::uint8_t b) { return negated_zigzag8(static_cast<std::int8_t>(b)); });
}
Bytes unnegated_zigzag_bytes(ByteSpan in) {
  return map_bytes(in, [](std::uint8_t b) { return static_cast<std::uint8_t>(unnegated_zigzag8(b)); });
}
Bytes offset_bytes(ByteSpan in, std::uint8_t k) {
  return map_bytes(in, [k](std::uint8_t b) { return offset8(b, k); });
}

}  // namespace tac::transform
