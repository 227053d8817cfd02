// PNG writer and plot renderer: the PNG decodes back to the image's pixels; text, axis titles
// and the legend put ink where they should.
#include "tac/plot/png_plot.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <string>

namespace {

using tac::plot::Color;
using tac::plot::Image;

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// Minimal reader for the PNGs encode_png writes (8-bit RGB, filter 0): the pixel bytes.
std::vector<std::uint8_t> decode_rgb(const std::vector<std::uint8_t>& png, int& width, int& height) {
  static const std::uint8_t kSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  EXPECT_EQ(std::memcmp(png.data(), kSignature, 8), 0);
  std::size_t at = 8;
  std::vector<std::uint8_t> idat;
  while (at + 12 <= png.size()) {
    const std::uint32_t length = be32(&png[at]);
    const std::string type(reinterpret_cast<const char*>(&png[at + 4]), 4);
    const std::uint8_t* data = &png[at + 8];
    const uLong crc = crc32(0L, &png[at + 4], static_cast<uInt>(length + 4));
    EXPECT_EQ(be32(data + length), static_cast<std::uint32_t>(crc)) << type;
    if (type == "IHDR") {
      width = static_cast<int>(be32(data));
      height = static_cast<int>(be32(data + 4));
      EXPECT_EQ(data[8], 8);  // bit depth
      EXPECT_EQ(data[9], 2);  // RGB
    } else if (type == "IDAT") {
      idat.insert(idat.end(), data, data + length);
    }
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size());
  std::vector<std::uint8_t> raw(static_cast<std::size_t>(height) * (width * 3 + 1));
  uLongf raw_size = raw.size();
  EXPECT_EQ(uncompress(raw.data(), &raw_size, idat.data(), idat.size()), Z_OK);
  EXPECT_EQ(raw_size, raw.size());
  std::vector<std::uint8_t> rgb;
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* row = &raw[static_cast<std::size_t>(y) * (width * 3 + 1)];
    EXPECT_EQ(row[0], 0);  // filter type none
    rgb.insert(rgb.end(), row + 1, row + 1 + width * 3);
  }
  return rgb;
}

bool has_color(const Image& img, int x0, int y0, int x1, int y1, Color c) {
  for (int y = std::max(0, y0); y < std::min(img.height, y1); ++y)
    for (int x = std::max(0, x0); x < std::min(img.width, x1); ++x) {
      const auto* p = &img.rgb[(static_cast<std::size_t>(y) * img.width + x) * 3];
      if (p[0] == c.r && p[1] == c.g && p[2] == c.b) return true;
    }
  return false;
}

int ink(const Image& img, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = std::max(0, y0); y < std::min(img.height, y1); ++y)
    for (int x = std::max(0, x0); x < std::min(img.width, x1); ++x)
      n += img.rgb[(static_cast<std::size_t>(y) * img.width + x) * 3] < 128 ? 1 : 0;
  return n;
}

TEST(PngPlot, EncodedPngDecodesToTheSamePixels) {
  Image img(37, 11, {10, 20, 30});
  img.set(0, 0, {255, 0, 0});
  img.set(36, 10, {0, 255, 0});
  img.line(0, 10, 36, 0, {1, 2, 3});
  int w = 0, h = 0;
  const auto rgb = decode_rgb(tac::plot::encode_png(img), w, h);
  EXPECT_EQ(w, 37);
  EXPECT_EQ(h, 11);
  EXPECT_EQ(rgb, img.rgb);
}

TEST(PngPlot, EveryLetterAndDigitHasAGlyphAndLowercaseDrawsAsCapitals) {
  for (const char c : std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789()/:,=_*%+-.")) {
    Image img(8, 9, {255, 255, 255});
    img.text(1, 1, std::string(1, c), {0, 0, 0});
    EXPECT_GT(ink(img, 0, 0, 8, 9), 0) << "no glyph for '" << c << "'";
    Image lower(8, 9, {255, 255, 255});
    lower.text(1, 1, std::string(1, static_cast<char>(std::tolower(c))), {0, 0, 0});
    EXPECT_EQ(lower.rgb, img.rgb) << c;
  }
}

TEST(PngPlot, LinePlotDrawsTitlesAndALegendInSeriesColours) {
  const Color red{200, 30, 30}, blue{30, 30, 200};
  const std::vector<tac::plot::Series> series{{"x265 scale 0.45", red, {{0.1, 5.0}, {0.2, 3.0}, {0.4, 2.0}}},
                                              {"svtav1 scale 0.5", blue, {{0.15, 4.0}, {0.3, 2.5}}}};
  const Image bare = tac::plot::line_plot(series, {}, 720, 480);
  const Image titled = tac::plot::line_plot(series, {"rate-distortion", "rate term", "distortion"}, 720, 480);
  // Title band on top and the x-axis title band below the tick labels carry ink only when titled.
  EXPECT_EQ(ink(bare, 0, 0, 720, 8), 0);
  EXPECT_GT(ink(titled, 200, 4, 520, 26), 20);
  EXPECT_EQ(ink(bare, 70, 480 - 24, 700, 480 - 14), 0);
  EXPECT_GT(ink(titled, 70, 480 - 30, 700, 480 - 18), 10);
  // Legend swatches in the top-right corner, in each series' colour, plus the points themselves.
  for (const Image* img : {&bare, &titled}) {
    EXPECT_TRUE(has_color(*img, 420, 20, 720, 120, red));
    EXPECT_TRUE(has_color(*img, 420, 20, 720, 120, blue));
  }
  // Series without labels get no legend box.
  const Image unlabeled = tac::plot::line_plot({{"", red, {{0.0, 1.0}, {1.0, 0.0}}}}, {}, 720, 480);
  EXPECT_FALSE(has_color(unlabeled, 560, 30, 720, 60, red));
}

}  // namespace
