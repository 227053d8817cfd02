#pragma once
// The hot loops of the maskgen generator, one build per instruction set (generator_kernels_impl.hpp
// over a vector lane; generator_kernels_<isa>.cpp), picked once at run time. Both builds compute
// the same formulas in the same order (torch 1.13's on this machine class: oneDNN's fused
// multiply-adds in the convolutions, GroupNorm's Welford moments and fused affine), exp from SLEEF (the 1-ulp function
// torch 1.13 vectorizes), so they agree with each other to the last bit wherever the generic
// build's SLEEF variant does. Planes are channel-major, `stride` floats apart.
#include <cstddef>

namespace tac::codec::maskgen::kernels {

inline constexpr std::size_t kMomentChunk = 128;  // floats of one Welford chunk (16 vectors of 8)

struct GeneratorKernels {
  const char* name;
  // 1x1 convolution of n pixels: out[o][p] = bias[o] + sum_c w[o][c] * in[c][p], c ascending (one
  // fused multiply-add each, starting from the bias); input / output channels *_stride floats apart.
  void (*pointwise)(const float* in, int ic, std::size_t in_stride, const float* w, const float* bias, int oc,
                    float* out, std::size_t out_stride, std::size_t n);
  // One output row (ow values) of a depthwise 3x3, zero padding 1, stride 1 or 2, no bias, from
  // the input rows above, at and below its centre (w values each; nullptr outside the plane): the
  // nine taps in row-major order, fused, starting from 0.
  void (*depthwise_row)(const float* const rows[3], int w, const float* k, int stride, float* out, int ow);
  // GroupNorm's mean and biased variance exactly as torch 1.13's RowwiseMoments computes them on
  // AVX2 (float, no fused operations): Welford updates per lane of 8 over chunks of 16 vectors
  // (chunk_moments: 8 lane means m1 and 8 sums of squared deviations m2 per chunk of
  // kMomentChunk floats), then the chunks merged in a binary cascade and the lanes in order
  // (merge_moments, over the chunks of the whole group in memory order).
  void (*chunk_moments)(const float* x, std::size_t chunks, float* m1, float* m2);
  void (*merge_moments)(const float* m1, const float* m2, std::size_t chunks, float* mean, float* variance);
  // x = silu(x * scale + shift) (GroupNorm's affine then SiLU), in place.
  void (*affine_silu)(float* x, std::size_t n, float scale, float shift);
  // out = silu(x + (r * scale + shift)): a residual block's end (out may be x).
  void (*residual_silu)(const float* x, const float* r, float* out, std::size_t n, float scale, float shift);
  // out = silu((x + (r * scale + shift) * film_scale) + film_shift): a FiLM block's end.
  void (*film_silu)(const float* x, const float* r, float* out, std::size_t n, float scale, float shift,
                    float film_scale, float film_shift);
  // One output row (2 w values) of a x2 bilinear upsample, align_corners false, from the source
  // rows a (weight hy) and b (weight ly), as torch 1.13 computes it: per row
  // t = fma(p0, w0, p1 * w1) along x, then fma(t_a, hy, t_b * ly).
  void (*upsample2x_row)(const float* a, const float* b, int w, float hy, float ly, float* out);
  // out = sigmoid(x) * 255, sigmoid as 1 / (1 + exp(-x)).
  void (*sigmoid255)(const float* x, float* out, std::size_t n);
};

GeneratorKernels generator_kernels_generic();
GeneratorKernels generator_kernels_avx2();
// The best build this processor runs (chosen once).
const GeneratorKernels& generator_kernels();

}  // namespace tac::codec::maskgen::kernels
