// yuv420_to_rgb against a scalar reference written straight from scorer_architecture.md §1.2/§1.3.
#include "tac/image/yuv420_to_rgb.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "tac/core/error.hpp"

namespace {

using tac::image::Yuv420Planes;

// A frame stored like libav stores it: chroma planes of ceil(size / 2) samples, every row padded
// to its line size with bytes that must never influence the result.
struct Frame {
  int width = 0, height = 0;
  int y_stride = 0, c_stride = 0;
  std::vector<std::uint8_t> y, u, v;

  Frame(int w, int h, int padding, std::mt19937& rng) : width(w), height(h) {
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    y_stride = w + padding;
    c_stride = cw + padding;
    std::uniform_int_distribution<int> byte(0, 255);
    y.resize(static_cast<std::size_t>(y_stride) * h);
    u.resize(static_cast<std::size_t>(c_stride) * ch);
    v.resize(static_cast<std::size_t>(c_stride) * ch);
    for (auto* plane : {&y, &u, &v})
      for (auto& b : *plane) b = static_cast<std::uint8_t>(byte(rng));
  }
  Yuv420Planes planes() const {
    return {y.data(), u.data(), v.data(), y_stride, c_stride, c_stride, width, height};
  }
  // Overwrites the padding bytes (past each row's width) with new random values.
  void scramble_padding(std::mt19937& rng) {
    const int cw = (width + 1) / 2;
    std::uniform_int_distribution<int> byte(0, 255);
    for (int r = 0; r < height; ++r)
      for (int x = width; x < y_stride; ++x) y[static_cast<std::size_t>(r) * y_stride + x] = static_cast<std::uint8_t>(byte(rng));
    for (int r = 0; r < (height + 1) / 2; ++r)
      for (int x = cw; x < c_stride; ++x) {
        u[static_cast<std::size_t>(r) * c_stride + x] = static_cast<std::uint8_t>(byte(rng));
        v[static_cast<std::size_t>(r) * c_stride + x] = static_cast<std::uint8_t>(byte(rng));
      }
  }
};

// §1.3, torch >= 2: per-axis source index and weights in float32.
struct Tap {
  int i0, i1;
  float l0, l1;
};
Tap tap(int n_in, int n_out, int d) {
  const float scale = static_cast<float>(n_in) / static_cast<float>(n_out);
  float src = scale * (static_cast<float>(d) + 0.5f) - 0.5f;
  src = std::max(src, 0.0f);
  const int i0 = std::min(static_cast<int>(std::floor(src)), n_in - 1);
  const int i1 = i0 + (i0 < n_in - 1 ? 1 : 0);
  const float l1 = std::clamp(src - static_cast<float>(i0), 0.0f, 1.0f);
  return {i0, i1, 1.0f - l1, l1};
}

// F.interpolate(c[None, None], size=(H, W), mode='bilinear') at (row, col), nested as torch does.
float upsample(const std::uint8_t* c, int stride, int cw, int ch, int width, int height, int row, int col) {
  const Tap th = tap(ch, height, row), tw = tap(cw, width, col);
  auto at = [&](int r, int x) { return static_cast<float>(c[static_cast<std::ptrdiff_t>(r) * stride + x]); };
  const float top = tw.l0 * at(th.i0, tw.i0) + tw.l1 * at(th.i0, tw.i1);
  const float bottom = tw.l0 * at(th.i1, tw.i0) + tw.l1 * at(th.i1, tw.i1);
  return th.l0 * top + th.l1 * bottom;
}

// §1.2 step 1 for the exact factor 2, transcribed literally (even sizes only).
float factor2_axis(const std::uint8_t* c, std::ptrdiff_t step, int n, int d) {
  auto at = [&](int k) { return static_cast<float>(c[k * step]); };
  if (d == 0) return at(0);
  if (d == 2 * n - 1) return at(n - 1);
  const int k = d / 2;
  return d % 2 == 0 ? 0.25f * at(k - 1) + 0.75f * at(k) : 0.75f * at(k) + 0.25f * at(k + 1);
}
float upsample_factor2(const std::uint8_t* c, int stride, int cw, int ch, int row, int col) {
  std::vector<float> column(static_cast<std::size_t>(ch));
  for (int r = 0; r < ch; ++r) column[static_cast<std::size_t>(r)] = factor2_axis(c + static_cast<std::ptrdiff_t>(r) * stride, 1, cw, col);
  // Exact in float32 (dyadic weights, integer inputs), so the axis order does not matter.
  if (row == 0) return column[0];
  if (row == 2 * ch - 1) return column[static_cast<std::size_t>(ch - 1)];
  const int k = row / 2;
  return row % 2 == 0 ? 0.25f * column[static_cast<std::size_t>(k - 1)] + 0.75f * column[static_cast<std::size_t>(k)]
                      : 0.75f * column[static_cast<std::size_t>(k)] + 0.25f * column[static_cast<std::size_t>(k + 1)];
}

std::uint8_t to_u8(float x) { return static_cast<std::uint8_t>(std::nearbyint(std::min(std::max(x, 0.0f), 255.0f))); }

// The upstream function: chroma [:H//2, :W//2], bilinear to (H, W), BT.601 limited range.
std::vector<std::uint8_t> reference(const Frame& f, bool literal_factor2 = false) {
  const float k1 = static_cast<float>(255.0 / 219.0), k2 = static_cast<float>(255.0 / 224.0);
  const int cw = f.width / 2, ch = f.height / 2;
  std::vector<std::uint8_t> out(static_cast<std::size_t>(f.width) * f.height * 3);
  for (int r = 0; r < f.height; ++r)
    for (int x = 0; x < f.width; ++x) {
      const float uu = literal_factor2 ? upsample_factor2(f.u.data(), f.c_stride, cw, ch, r, x)
                                       : upsample(f.u.data(), f.c_stride, cw, ch, f.width, f.height, r, x);
      const float vv = literal_factor2 ? upsample_factor2(f.v.data(), f.c_stride, cw, ch, r, x)
                                       : upsample(f.v.data(), f.c_stride, cw, ch, f.width, f.height, r, x);
      const float yf = (static_cast<float>(f.y[static_cast<std::size_t>(r) * f.y_stride + x]) - 16.0f) * k1;
      const float uf = (uu - 128.0f) * k2;
      const float vf = (vv - 128.0f) * k2;
      const float red = yf + static_cast<float>(1.402) * vf;
      const float green = (yf - static_cast<float>(0.344136) * uf) - static_cast<float>(0.714136) * vf;
      const float blue = yf + static_cast<float>(1.772) * uf;
      std::uint8_t* px = &out[(static_cast<std::size_t>(r) * f.width + x) * 3];
      px[0] = to_u8(red);
      px[1] = to_u8(green);
      px[2] = to_u8(blue);
    }
  return out;
}

std::vector<std::uint8_t> convert(const Frame& f, int threads = 1) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(f.width) * f.height * 3, 0xAB);
  tac::image::yuv420_to_rgb_parallel(f.planes(), out, threads);
  return out;
}

std::size_t first_difference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  return static_cast<std::size_t>(std::mismatch(a.begin(), a.end(), b.begin()).first - a.begin());
}

}  // namespace

TEST(Yuv420ToRgb, FactorTwoRuleEqualsGeneralBilinearOnEvenSizes) {
  std::mt19937 rng(1);
  for (auto [w, h] : {std::pair{16, 12}, {2, 2}, {64, 6}}) {
    const Frame f(w, h, 5, rng);
    EXPECT_EQ(reference(f, true), reference(f, false)) << w << "x" << h;
  }
}

TEST(Yuv420ToRgb, MatchesReferenceOnContestSize) {
  std::mt19937 rng(2);
  const Frame f(1164, 874, 60, rng);  // libav pads lines to 64-byte multiples
  const auto expected = reference(f);
  const auto got = convert(f);
  EXPECT_EQ(first_difference(got, expected), got.size());
}

TEST(Yuv420ToRgb, MatchesReferenceOnManySizes) {
  std::mt19937 rng(3);
  // Even and odd widths/heights, widths around the 8-pixel vector step, tiny frames.
  for (auto [w, h] : {std::pair{522, 392}, {2, 2}, {3, 2}, {2, 3}, {3, 3}, {7, 5}, {8, 8}, {9, 4}, {15, 9}, {16, 16},
                      {17, 11}, {23, 2}, {31, 33}, {101, 7}, {1165, 9}}) {
    for (int padding : {0, 13}) {
      const Frame f(w, h, padding, rng);
      const auto expected = reference(f);
      const auto got = convert(f);
      ASSERT_EQ(first_difference(got, expected), got.size()) << w << "x" << h << " padding " << padding;
    }
  }
}

TEST(Yuv420ToRgb, SaturatedAndNeutralPlanes) {
  std::mt19937 rng(4);
  Frame f(40, 10, 3, rng);
  // Extremes of every plane drive the clamp at both ends; random elsewhere.
  for (std::size_t i = 0; i < f.y.size(); i += 3) f.y[i] = (i / 3) % 2 == 0 ? 0 : 255;
  for (std::size_t i = 0; i < f.u.size(); i += 2) f.u[i] = (i / 2) % 2 == 0 ? 0 : 255;
  for (std::size_t i = 1; i < f.v.size(); i += 2) f.v[i] = (i / 2) % 2 == 0 ? 255 : 0;
  EXPECT_EQ(convert(f), reference(f));

  // Video black (Y=16) and white (Y=235) with neutral chroma are exactly 0 and 255.
  std::fill(f.u.begin(), f.u.end(), 128);
  std::fill(f.v.begin(), f.v.end(), 128);
  std::fill(f.y.begin(), f.y.end(), 16);
  for (auto b : convert(f)) ASSERT_EQ(b, 0);
  std::fill(f.y.begin(), f.y.end(), 235);
  for (auto b : convert(f)) ASSERT_EQ(b, 255);
}

TEST(Yuv420ToRgb, IgnoresBytesPastTheRowWidth) {
  std::mt19937 rng(5);
  Frame f(37, 21, 27, rng);  // odd width: libav's last chroma column is padding to upstream too
  const auto before = convert(f);
  f.scramble_padding(rng);
  for (int r = 0; r < 11; ++r) f.u[static_cast<std::size_t>(r) * f.c_stride + 18] ^= 0x5a;  // chroma column W//2
  for (int x = 0; x < 19; ++x) f.v[static_cast<std::size_t>(10) * f.c_stride + x] ^= 0xa5;  // chroma row H//2
  EXPECT_EQ(convert(f), before);
}

TEST(Yuv420ToRgb, RowBandsAndThreadsGiveTheSameFrame) {
  std::mt19937 rng(6);
  const Frame f(1164, 874, 0, rng);
  const auto whole = convert(f, 1);
  for (int threads : {2, 3, 7}) EXPECT_EQ(convert(f, threads), whole) << threads << " threads";

  // Rows converted out of order into a strided buffer land where they belong.
  const std::ptrdiff_t stride = 1164 * 3 + 17;
  std::vector<std::uint8_t> strided(static_cast<std::size_t>(stride) * 874, 0);
  for (auto [begin, end] : {std::pair{500, 873}, {0, 1}, {873, 874}, {1, 250}, {250, 500}})
    tac::image::yuv420_to_rgb_rows(f.planes(), strided.data(), stride, begin, end);
  for (int r = 0; r < 874; ++r)
    ASSERT_TRUE(std::equal(whole.begin() + r * 1164 * 3, whole.begin() + (r + 1) * 1164 * 3, strided.begin() + r * stride)) << r;
}

TEST(Yuv420ToRgb, PackedBandsEqualTheWholeFrame) {
  std::mt19937 rng(8);
  for (const auto& [w, h] : {std::pair{1164, 874}, {17, 9}}) {
    const Frame f(w, h, 0, rng);
    const auto whole = convert(f, 1);
    const std::size_t row_bytes = static_cast<std::size_t>(w) * 3;
    for (int band_rows : {1, 5, 32}) {
      std::vector<std::uint8_t> joined;
      std::vector<std::uint8_t> band(static_cast<std::size_t>(band_rows) * row_bytes);
      for (int r = 0; r < h; r += band_rows) {
        const int end = std::min(r + band_rows, h);
        const std::span<std::uint8_t> rows(band.data(), static_cast<std::size_t>(end - r) * row_bytes);
        tac::image::yuv420_to_rgb_band(f.planes(), r, end, rows);
        joined.insert(joined.end(), rows.begin(), rows.end());
      }
      EXPECT_EQ(joined, whole) << w << "x" << h << ", bands of " << band_rows << " rows";
    }
    std::vector<std::uint8_t> small(row_bytes);
    EXPECT_THROW(tac::image::yuv420_to_rgb_band(f.planes(), 0, 2, small), tac::Error);  // too small
    EXPECT_THROW(tac::image::yuv420_to_rgb_band(f.planes(), 3, 3, small), tac::Error);  // empty range
    EXPECT_THROW(tac::image::yuv420_to_rgb_band(f.planes(), h - 1, h + 1, small), tac::Error);  // past the end
  }
}

TEST(Yuv420ToRgb, RejectsBadInput) {
  std::mt19937 rng(7);
  const Frame f(8, 8, 0, rng);
  std::vector<std::uint8_t> small(10);
  EXPECT_THROW(tac::image::yuv420_to_rgb(f.planes(), small), tac::Error);
  auto planes = f.planes();
  planes.width = 1;
  std::vector<std::uint8_t> out(3 * 8);
  EXPECT_THROW(tac::image::yuv420_to_rgb(planes, out), tac::Error);
  planes = f.planes();
  planes.u = nullptr;
  out.resize(8 * 8 * 3);
  EXPECT_THROW(tac::image::yuv420_to_rgb(planes, out), tac::Error);
  planes = f.planes();
  planes.y_stride = 4;
  EXPECT_THROW(tac::image::yuv420_to_rgb(planes, out), tac::Error);
}
