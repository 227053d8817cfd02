// maskgen generator kernels: the generic build (any processor) and the AVX2 build compute the same
// values — bit for bit where both do the same float operations (1x1 and depthwise convolutions,
// GroupNorm moments, x2 upsample), within an ulp or two where the exp differs (SLEEF's pure-C and
// vector variants) — and the run-time choice is one of them.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tac/codec/maskgen/generator_kernels.hpp"

namespace k = tac::codec::maskgen::kernels;

namespace {

std::vector<float> random_values(std::size_t n, unsigned seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.3f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

bool have_avx2() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

}  // namespace

TEST(MaskgenKernels, RunTimeChoiceIsOneOfTheBuilds) {
  const std::string chosen = k::generator_kernels().name;
  EXPECT_TRUE(chosen == "generic" || chosen == "avx2") << chosen;
  if (have_avx2()) {
    EXPECT_EQ(chosen, "avx2");
  }
}

#if defined(__x86_64__)  // the AVX2 build exists on x86-64 only
TEST(MaskgenKernels, GenericAndAvx2AgreeOnTheConvolutionsMomentsAndUpsample) {
  if (!have_avx2()) GTEST_SKIP() << "no AVX2 + FMA here";
  const auto g = k::generator_kernels_generic(), a = k::generator_kernels_avx2();
  // 1x1: 13 inputs -> 11 outputs (both register-block remainders), 100 pixels (a scalar tail).
  constexpr int ic = 13, oc = 11, n = 100, stride = 112;
  const auto in = random_values(std::size_t(ic) * stride, 1), w = random_values(std::size_t(ic) * oc, 2),
             bias = random_values(oc, 3);
  std::vector<float> out_g(std::size_t(oc) * stride), out_a(out_g.size());
  g.pointwise(in.data(), ic, stride, w.data(), bias.data(), oc, out_g.data(), stride, n);
  a.pointwise(in.data(), ic, stride, w.data(), bias.data(), oc, out_a.data(), stride, n);
  for (int o = 0; o < oc; ++o)
    for (int p = 0; p < n; ++p) ASSERT_EQ(out_g[o * stride + p], out_a[o * stride + p]) << o << "," << p;
  // The first output by hand: the bias, then one fused multiply-add per input channel.
  float first = bias[0];
  for (int c = 0; c < ic; ++c) first = std::fma(in[std::size_t(c) * stride], w[std::size_t(c)], first);
  EXPECT_EQ(out_a[0], first);

  // Depthwise rows, stride 1 and 2, at the top, middle and bottom of a 5 x 37 plane.
  constexpr int h = 5, width = 37;
  const auto plane = random_values(std::size_t(h) * width, 4), kern = random_values(9, 5);
  for (int s : {1, 2})
    for (int y = 0; y < h; y += s) {
      const float* rows[3] = {y > 0 ? &plane[std::size_t(y - 1) * width] : nullptr, &plane[std::size_t(y) * width],
                              y + 1 < h ? &plane[std::size_t(y + 1) * width] : nullptr};
      const int ow = (width + s - 1) / s;
      std::vector<float> rg(ow), ra(ow);
      g.depthwise_row(rows, width, kern.data(), s, rg.data(), ow);
      a.depthwise_row(rows, width, kern.data(), s, ra.data(), ow);
      EXPECT_EQ(rg, ra) << "stride " << s << " row " << y;
      // The middle output by hand: taps in row-major order, fused, from 0.
      const int x = ow / 2 * s;
      float want = 0.0f;
      for (int r = 0; r < 3; ++r)
        if (rows[r])
          for (int dx = -1; dx <= 1; ++dx) want = std::fma(rows[r][x + dx], kern[r * 3 + dx + 1], want);
      EXPECT_EQ(ra[ow / 2], want) << "stride " << s << " row " << y;
    }

  // GroupNorm moments of 6 chunks (768 values), against a double computation.
  const auto m = random_values(6 * k::kMomentChunk, 6, 2.0f);
  const auto moments = [&](const k::GeneratorKernels& ks, float* mean, float* var) {
    std::vector<float> m1(6 * 8), m2(6 * 8);
    ks.chunk_moments(m.data(), 2, m1.data(), m2.data());  // in two calls, as rows arrive
    ks.chunk_moments(m.data() + 2 * k::kMomentChunk, 4, m1.data() + 16, m2.data() + 16);
    ks.merge_moments(m1.data(), m2.data(), 6, mean, var);
  };
  float mean_g, var_g, mean_a, var_a;
  moments(g, &mean_g, &var_g);
  moments(a, &mean_a, &var_a);
  EXPECT_EQ(mean_g, mean_a);
  EXPECT_EQ(var_g, var_a);
  double sum = 0, squares = 0;
  for (float v : m) sum += v;
  for (float v : m) squares += (v - sum / 768) * (v - sum / 768);
  EXPECT_NEAR(mean_a, sum / 768, 1e-5);
  EXPECT_NEAR(var_a, squares / 768, 1e-4);

  // x2 upsample of a row pair.
  const auto ra = random_values(40, 7), rb = random_values(40, 8);
  std::vector<float> ug(80), ua(80);
  g.upsample2x_row(ra.data(), rb.data(), 40, 0.25f, 0.75f, ug.data());
  a.upsample2x_row(ra.data(), rb.data(), 40, 0.25f, 0.75f, ua.data());
  EXPECT_EQ(ug, ua);
  EXPECT_EQ(ua[0], std::fma(ra[0], 0.25f, rb[0] * 0.75f));  // left border: the first column itself
}

TEST(MaskgenKernels, GenericAndAvx2AgreeOnTheActivations) {
  if (!have_avx2()) GTEST_SKIP() << "no AVX2 + FMA here";
  const auto g = k::generator_kernels_generic(), a = k::generator_kernels_avx2();
  constexpr std::size_t n = 1003;
  const auto x = random_values(n, 9, 4.0f), r = random_values(n, 10, 4.0f);
  const auto close = [](const std::vector<float>& u, const std::vector<float>& v, const char* what) {
    for (std::size_t i = 0; i < u.size(); ++i)
      ASSERT_NEAR(u[i], v[i], 4e-7f * std::max(1.0f, std::fabs(v[i]))) << what << " " << i;
  };
  std::vector<float> sg = x, sa = x;
  g.affine_silu(sg.data(), n, 1.5f, -0.25f);
  a.affine_silu(sa.data(), n, 1.5f, -0.25f);
  close(sg, sa, "affine_silu");
  // silu(x * s + b) by hand for one value, with the fused affine.
  const float t = std::fma(x[5], 1.5f, -0.25f);
  EXPECT_NEAR(sa[5], t / (1.0f + std::exp(-t)), 1e-6f);
  std::vector<float> rg(n), rs(n);
  g.residual_silu(x.data(), r.data(), rg.data(), n, 0.5f, 0.1f);
  a.residual_silu(x.data(), r.data(), rs.data(), n, 0.5f, 0.1f);
  close(rg, rs, "residual_silu");
  g.film_silu(x.data(), r.data(), rg.data(), n, 0.5f, 0.1f, 1.25f, -0.5f);
  a.film_silu(x.data(), r.data(), rs.data(), n, 0.5f, 0.1f, 1.25f, -0.5f);
  close(rg, rs, "film_silu");
  g.sigmoid255(x.data(), rg.data(), n);
  a.sigmoid255(x.data(), rs.data(), n);
  close(rg, rs, "sigmoid255");
  EXPECT_NEAR(rs[3], 255.0f / (1.0f + std::exp(-x[3])), 1e-4f);
}
#endif
