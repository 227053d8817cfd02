#pragma once
// Bicubic resize exactly as PyTorch 1.13 computes F.interpolate(x, size, mode='bicubic',
// align_corners=False) for float32 on CPU (fixtures/README.md: the reference of every inflate):
// cubic convolution with a = -0.75, border taps clamped to the edge, then clamp to [0, 255],
// round half to even, uint8. Bit-exact with the reference, including its fused multiply-adds:
//   source x = float(in/out) * (i + 0.5) - 0.5 in double; t = float(x - floor(x));
//   w0 = c2(t + 1), w1 = c1(t), w2 = c1(1 - t), w3 = c2(2 - t) with
//   c1(x) = fma(A + 2, x, -(A + 3)) * x * x + 1, c2(x) = fma(fma(A, x, -5A), x, 8A) * x - 4A;
//   one row:  r = fma(s3, w3, fma(s2, w2, fma(s0, w0, s1 * w1)))   (width taps first)
//   output:   o = fma(r3, v3, fma(r2, v2, fma(r0, v0, r1 * v1)))   (then the four rows)
// Separable: each row sum is computed once per source row, which gives the same bits.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tac::image {

struct BicubicAxis {
  int in_size = 0, out_size = 0;
  std::vector<std::int32_t> index;  // out_size x 4 clamped source indices
  std::vector<float> weight;        // out_size x 4 weights
};
BicubicAxis make_bicubic_axis(int in_size, int out_size);

class BicubicUpscaler {
 public:
  BicubicUpscaler(int in_height, int in_width, int out_height, int out_width);
  int in_height() const { return rows_.in_size; }
  int in_width() const { return cols_.in_size; }
  int out_height() const { return rows_.out_size; }
  int out_width() const { return cols_.out_size; }
  const BicubicAxis& rows() const { return rows_; }
  const BicubicAxis& cols() const { return cols_; }

  // Three float planes (R, G, B), each in_height rows of `row_stride` floats (in_width used),
  // to interleaved uint8 RGB (out_height x out_width x 3). Not thread-safe (uses scratch):
  // one upscaler per thread.
  void planar_to_rgb8(const float* const planes[3], std::size_t row_stride, std::uint8_t* out);
  // Interleaved uint8 RGB (in_height x in_width x 3, e.g. a decoded classical frame) to uint8 RGB.
  void rgb8_to_rgb8(const std::uint8_t* in, std::uint8_t* out);

 private:
  BicubicAxis rows_, cols_;
  std::vector<float> planar_;   // rgb8 input converted to float planes
  std::vector<float> scratch_;  // horizontal-pass rows: 3 x kBicubicRingRows x out_width
};

// The plain, per-pixel formula (no separation, no vectors): the reference the fast path is tested against.
void bicubic_reference_planar_to_rgb8(const BicubicAxis& rows, const BicubicAxis& cols, const float* const planes[3],
                                      std::size_t row_stride, std::uint8_t* out);

}  // namespace tac::image
