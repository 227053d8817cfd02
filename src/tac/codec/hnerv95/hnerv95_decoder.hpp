#pragma once
// The hnerv95 decoder (sin-activated HNeRV, fixtures/README.md "Decoder") in plain C++, with the
// reference's arithmetic reproduced operation by operation. The reference (PyTorch 1.13 CPU,
// batches of 16 pairs, one thread) runs:
//   stem: BLAS sgemm  -> sum_l z_l * w_l (no fma, l ascending), then + bias;
//   3x3 convs: oneDNN jit:avx512_core direct conv -> per 16-input-channel block an fma chain from
//     0 over (kh, kw, ic), then block 0 + bias, block k + running sum;
//   1x1 skips: oneDNN jit_1x1 when the batch has 16 pairs -> fma chain from the bias over ic;
//     THNN (im2col + BLAS) for smaller batches -> (bias + w*x) + w*x ... without fma;
//   small 3x3 convs in a batch of one pair (input <= 20480 values) -> THNN order (c, kh, kw);
//   bilinear x2: fma(x0, l0, x1 * l1) along the width, then the same along the height;
//   sin, exp: SLEEF u10 (as libtorch's vectorized kernels); sigmoid = 1 / (1 + exp(-x)).
// TorchBatch says which of these paths the reference took for a pair.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"

namespace tac::codec::hnerv95 {

enum class TorchBatch {
  single,   // a batch of 1 pair (how decoder_out_pair0 of the fixture was made)
  partial,  // 2..15 pairs (the last batch of the video)
  full,     // 16 pairs
};
inline constexpr std::int64_t kReferenceBatch = 16;
TorchBatch torch_batch_for_pair(std::int64_t pair, std::int64_t n_pairs);

struct Conv {
  int out = 0, in = 0, k = 0, dilation = 1;
  std::vector<float> weight;  // [out][in][k][k]
  std::vector<float> bias;
  // [in][k][k][out]: for one (input channel, tap) the weights of all outputs are contiguous, so a
  // kernel's block of output channels broadcasts them from one short run.
  std::vector<float> packed;
};

struct Model {
  int latent_dim = 0;
  int grid_h = 0, grid_w = 0;    // stem grid (6 x 8)
  int out_h = 0, out_w = 0;      // 384 x 512
  std::vector<int> widths;       // 7 stage widths
  std::vector<float> stem_weight, stem_bias;  // [w0*gh*gw][latent_dim]
  Conv blocks[6];
  std::optional<Conv> skips[6];
  Conv refine0, refine1;
  Conv heads;  // rgb_0 (3 outputs) then rgb_1 (3 outputs)
};

// Builds and validates the decoder from the archive's tensors (every shape checked).
Model build_model(const Archive& archive);

// Padded channel planes; padding stays zero because only the interior is ever written.
// A plane may also be a band: a window of h rows (plus padding) over a taller image, which slides
// down as rows are produced and consumed, so large intermediates stay in cache. Row y of the image
// is stored at physical row y - y0 + pad; the band holds image rows [y0 - pad, y0 + h + pad).
struct Planes {
  std::vector<float> data;
  int c = 0, h = 0, w = 0, pad = 0;
  int y0 = 0;
  std::size_t stride = 0, plane = 0;
  void init(int channels, int height, int width, int padding);
  float* at(int ch, int y, int x) { return data.data() + ch * plane + std::size_t(y - y0 + pad) * stride + (x + pad); }
  const float* at(int ch, int y, int x) const {
    return data.data() + ch * plane + std::size_t(y - y0 + pad) * stride + (x + pad);
  }
  // Band use: back to image row 0, all zero.
  void reset();
  // Before writing image row `row`: when it is past the band, slide the band so that
  // `first_needed` (the lowest row still to be read) becomes its first row; rows the slide
  // uncovers are zero (an image's bottom padding).
  void make_room(int row, int first_needed);
};

// Per-decoder scratch. The 3x3 convs write their results through fused epilogues (pixel shuffle +
// identity + sin, x + 0.1 sin, 255 sigmoid), so no full-size conv output is ever stored; up/ident
// exist only for stages with a skip conv (the others compute their bilinear identity on the spot).
inline constexpr int kBandRows = 16;
struct Workspace {
  Planes x[7], up[6], ident[6], r0, x2;  // x[6], r0, x2: bands of kBandRows
  std::vector<float> hrows;
};

namespace detail {
struct DecoderKernels {
  const char* name;
  void (*decode)(const Model& model, Workspace& ws, const float* latent, TorchBatch batch, float* out);
};
const DecoderKernels& decoder_kernels();  // the best build for this processor
DecoderKernels decoder_kernels_avx512();  // x86-64 only (TAC_X86_KERNELS); the caller checks the CPU
DecoderKernels decoder_kernels_avx2();
DecoderKernels decoder_kernels_generic();
}  // namespace detail

class Decoder {
 public:
  // `kernels`: a specific build (tests compare them); default: the best one for this processor.
  explicit Decoder(std::shared_ptr<const Model> model, const detail::DecoderKernels* kernels = nullptr);
  // One pair: `out` receives 2 x 3 x out_h x out_w floats (frame t=0 RGB planes, then t=1).
  void decode(const float* latent, TorchBatch batch, float* out);
  const Model& model() const { return *model_; }
  static const char* kernel_name();

 private:
  std::shared_ptr<const Model> model_;
  detail::DecoderKernels kernels_;
  Workspace ws_;
};

}  // namespace tac::codec::hnerv95
