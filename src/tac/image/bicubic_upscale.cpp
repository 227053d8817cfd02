#include "tac/image/bicubic_upscale.hpp"

#include <algorithm>
#include <cmath>

#include "tac/core/error.hpp"
#include "tac/image/bicubic_upscale_kernels.hpp"

namespace tac::image {
namespace {

constexpr float kA = -0.75f;

// Coefficient polynomials with the reference's fused multiply-adds (see the header).
float cubic1(float x) { return std::fma(kA + 2.0f, x, -(kA + 3.0f)) * x * x + 1.0f; }
float cubic2(float x) { return std::fma(std::fma(kA, x, -5.0f * kA), x, 8.0f * kA) * x - 4.0f * kA; }

float quantize(float v) { return std::nearbyint(std::min(std::max(v, 0.0f), 255.0f)); }

}  // namespace

BicubicAxis make_bicubic_axis(int in_size, int out_size) {
  if (in_size <= 0 || out_size <= 0 || in_size > (1 << 20) || out_size > (1 << 20))
    fail(ErrorKind::internal, "bicubic resize: bad sizes {} -> {}", in_size, out_size);
  BicubicAxis axis;
  axis.in_size = in_size;
  axis.out_size = out_size;
  axis.index.resize(std::size_t(out_size) * 4);
  axis.weight.resize(std::size_t(out_size) * 4);
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  for (int i = 0; i < out_size; ++i) {
    const double real = static_cast<double>(scale) * (i + 0.5) - 0.5;
    const double floor_real = std::floor(real);
    const auto input_index = static_cast<std::int64_t>(floor_real);
    const float t = static_cast<float>(real - floor_real);
    const float x2 = 1.0f - t;
    const float w[4] = {cubic2(t + 1.0f), cubic1(t), cubic1(x2), cubic2(x2 + 1.0f)};
    for (int j = 0; j < 4; ++j) {
      axis.index[std::size_t(i) * 4 + j] =
          static_cast<std::int32_t>(std::clamp<std::int64_t>(input_index - 1 + j, 0, in_size - 1));
      axis.weight[std::size_t(i) * 4 + j] = w[j];
    }
  }
  return axis;
}

BicubicUpscaler::BicubicUpscaler(int in_height, int in_width, int out_height, int out_width)
    : rows_(make_bicubic_axis(in_height, out_height)), cols_(make_bicubic_axis(in_width, out_width)) {}

void BicubicUpscaler::planar_to_rgb8(const float* const planes[3], std::size_t row_stride, std::uint8_t* out) {
  scratch_.resize(std::size_t(3) * detail::kBicubicRingRows * cols_.out_size);
  detail::bicubic_kernels().planar_to_rgb8(rows_, cols_, planes, row_stride, scratch_.data(), out);
}

void BicubicUpscaler::rgb8_to_rgb8(const std::uint8_t* in, std::uint8_t* out) {
  const std::size_t plane = std::size_t(rows_.in_size) * cols_.in_size;
  planar_.resize(plane * 3);
  for (std::size_t p = 0; p < plane; ++p)
    for (int c = 0; c < 3; ++c) planar_[c * plane + p] = static_cast<float>(in[p * 3 + c]);
  const float* planes[3] = {planar_.data(), planar_.data() + plane, planar_.data() + 2 * plane};
  planar_to_rgb8(planes, cols_.in_size, out);
}

void bicubic_reference_planar_to_rgb8(const BicubicAxis& rows, const BicubicAxis& cols, const float* const planes[3],
                                      std::size_t row_stride, std::uint8_t* out) {
  for (int oy = 0; oy < rows.out_size; ++oy)
    for (int ox = 0; ox < cols.out_size; ++ox)
      for (int c = 0; c < 3; ++c) {
        float r[4];
        for (int j = 0; j < 4; ++j) {
          const float* row = planes[c] + std::size_t(rows.index[oy * 4 + j]) * row_stride;
          const std::int32_t* xi = &cols.index[std::size_t(ox) * 4];
          const float* xw = &cols.weight[std::size_t(ox) * 4];
          r[j] = std::fma(row[xi[3]], xw[3], std::fma(row[xi[2]], xw[2], std::fma(row[xi[0]], xw[0], row[xi[1]] * xw[1])));
        }
        const float* yw = &rows.weight[std::size_t(oy) * 4];
        const float v = std::fma(r[3], yw[3], std::fma(r[2], yw[2], std::fma(r[0], yw[0], r[1] * yw[1])));
        out[(std::size_t(oy) * cols.out_size + ox) * 3 + c] = static_cast<std::uint8_t>(quantize(v));
      }
}

}  // namespace tac::image
