// Bilinear resize coefficients against the spec's test vectors (scorer_architecture.md §1.3 table;
// spec constants, not fixture data) and basic properties of the resize.
#include "tac/image/bilinear_resize.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

struct Row {
  int d, i0, i1;
  float src, l0, l1;
};

void expect_rows(const tac::image::BilinearAxis& ax, const std::vector<Row>& rows, float src_tol) {
  for (const Row& r : rows) {
    SCOPED_TRACE(r.d);
    EXPECT_EQ(ax.i0[r.d], r.i0);
    EXPECT_EQ(ax.i1[r.d], r.i1);
    EXPECT_NEAR(static_cast<float>(ax.i0[r.d]) + ax.l1[r.d], r.src, src_tol);
    EXPECT_NEAR(ax.l0[r.d], r.l0, 1e-7f);
    EXPECT_NEAR(ax.l1[r.d], r.l1, 1e-7f);
  }
}

TEST(BilinearAxis, HeightTableOfSpec) {
  const auto ax = tac::image::bilinear_axis(874, 384);
  expect_rows(ax, {{0, 0, 1, 0.63802087f, 0.36197913f, 0.63802087f},
                   {1, 2, 3, 2.9140625f, 0.0859375f, 0.9140625f},
                   {2, 5, 6, 5.1901045f, 0.80989552f, 0.19010448f},
                   {383, 872, 873, 872.36200f, 0.63800049f, 0.36199951f}},
              2e-5f);
  // The float32 (torch >= 2) index differs from a double computation in the last row: the
  // double value of l0 there would be 0.6380208..., the float32 one is 0.63800049.
  EXPECT_LT(ax.l0[383], 0.63801f);
}

TEST(BilinearAxis, WidthTableOfSpec) {
  const auto ax = tac::image::bilinear_axis(1164, 512);
  expect_rows(ax, {{0, 0, 1, 0.63671875f, 0.36328125f, 0.63671875f},
                   {511, 1162, 1163, 1162.36328125f, 0.63671875f, 0.36328125f}},
              0.0f);
}

TEST(BilinearAxis, ClampsAtBordersWhenUpsampling) {
  const auto ax = tac::image::bilinear_axis(4, 8);
  EXPECT_EQ(ax.i0[0], 0);  // src = -0.25 clamps to 0
  EXPECT_FLOAT_EQ(ax.l1[0], 0.0f);
  EXPECT_EQ(ax.i0[7], 3);  // last source pixel: i1 stays at the border
  EXPECT_EQ(ax.i1[7], 3);
}

TEST(BilinearResize, ConstantImageStaysConstantAndPlanar) {
  const int h = 874, w = 1164;
  std::vector<std::uint8_t> img(static_cast<std::size_t>(h) * w * 3);
  for (std::size_t i = 0; i < img.size(); i += 3) {
    img[i] = 10;
    img[i + 1] = 200;
    img[i + 2] = 255;
  }
  std::vector<float> out(3 * 384 * 512);
  tac::image::resize_bilinear_u8_to_planar(img.data(), h, w, 3, out.data(), 384, 512);
  for (int c = 0; c < 3; ++c) {
    const float want = c == 0 ? 10.0f : c == 1 ? 200.0f : 255.0f;
    for (int i = 0; i < 384 * 512; i += 997) ASSERT_FLOAT_EQ(out[static_cast<std::size_t>(c) * 384 * 512 + i], want);
  }
}

TEST(BilinearResize, PlanarAndInterleavedAgree) {
  const int h = 37, w = 53, c = 3;
  std::vector<std::uint8_t> img(static_cast<std::size_t>(h) * w * c);
  std::vector<float> planar(img.size());
  for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 24);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k)
        planar[(static_cast<std::size_t>(k) * h + y) * w + x] = img[(static_cast<std::size_t>(y) * w + x) * c + k];
  std::vector<float> a(static_cast<std::size_t>(c) * 16 * 24), b(a.size());
  tac::image::resize_bilinear_u8_to_planar(img.data(), h, w, c, a.data(), 16, 24);
  tac::image::resize_bilinear_planar(planar.data(), h, w, c, b.data(), 16, 24);
  EXPECT_EQ(a, b);
}

}  // namespace
