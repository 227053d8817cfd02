// The CPU kernels of the folded networks against plain ATen on random data: fused oneDNN convs
// (activations, residual add, groups, stride, asymmetric padding) and the phase-decomposed
// upsample+concat+conv of the SegNet decoder.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "tac/scorer/dnnl_conv.hpp"
#include "tac/scorer/torch_weights.hpp"
#include "tac/scorer/upsample_conv.hpp"

namespace {

namespace nn = tac::scorer::nn;
using tac::scorer::ConvActivation;

double max_abs(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

nn::Conv random_conv(std::int64_t out, std::int64_t in, int k, int stride, int groups) {
  nn::Conv c;
  c.weight = at::randn({out, in / groups, k, k}) * 0.3;
  c.bias = at::randn({out});
  c.stride = stride;
  c.padding = k / 2;
  c.groups = groups;
  return c;
}

TEST(DnnlConv, MatchesAtenWithFusedActivationAndResidual) {
  at::manual_seed(3);
  struct Case {
    std::int64_t in, out;
    int k, stride, groups;
    ConvActivation act;
    bool residual;
  };
  const Case cases[] = {{12, 64, 3, 2, 1, ConvActivation::GeluTanh, false},
                        {32, 32, 3, 1, 32, ConvActivation::Silu, false},
                        {64, 128, 7, 2, 64, ConvActivation::None, false},
                        {48, 48, 1, 1, 1, ConvActivation::None, true},
                        {24, 16, 5, 1, 1, ConvActivation::Relu, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in * 1000 + c.out);
    const nn::Conv conv = random_conv(c.out, c.in, c.k, c.stride, c.groups);
    const at::Tensor x = at::randn({2, c.in, 19, 23});
    const nn::FusedConv aten = nn::make_fused(conv, c.act, c.residual, at::kCPU, nn::Backend::Aten);
    const nn::FusedConv fused = nn::make_fused(conv, c.act, c.residual, at::kCPU, nn::Backend::Dnnl);
    ASSERT_TRUE(fused.dnnl != nullptr);
    at::Tensor res;
    if (c.residual) res = at::randn({2, c.out, 19, 23});
    const at::Tensor want = aten(x, res);
    const at::Tensor got = fused(x, res);
    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_LE(max_abs(got, want), 1e-4 * (1.0 + want.abs().max().item<double>()));
  }
}

TEST(UpsampleConcatConv, MatchesUpsampleCatConvRelu) {
  at::manual_seed(5);
  for (const std::int64_t skip_channels : {4, 0}) {
    SCOPED_TRACE(skip_channels);
    const std::int64_t cy = 8, cout = 6;
    const nn::Conv conv = random_conv(cout, cy + skip_channels, 3, 1, 1);
    const at::Tensor y = at::randn({1, cy, 5, 7});
    const at::Tensor skip = skip_channels > 0 ? at::randn({1, skip_channels, 10, 14}) : at::Tensor();
    at::Tensor ref = at::upsample_nearest2d(y, {10, 14});
    if (skip_channels > 0) ref = at::cat({ref, skip}, 1);
    ref = at::relu(at::conv2d(ref, conv.weight, conv.bias, {1, 1}, {1, 1}));
    const nn::UpsampleConcatConv op(conv, cy);
    const at::Tensor got = op(y, skip_channels > 0 ? &skip : nullptr);
    ASSERT_EQ(got.sizes(), ref.sizes());
    EXPECT_LE(max_abs(got, ref), 1e-4);
    EXPECT_GT(ref.abs().max().item<double>(), 0.5);  // not a trivially zero comparison
  }
}

}  // namespace
