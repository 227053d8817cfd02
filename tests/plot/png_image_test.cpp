// PNG writer: the PNG decodes back to the image's pixels; thumbnails box-average 2x2.
#include "tac/plot/png_image.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <string>

#include "tac/core/error.hpp"

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

TEST(PngImage, EncodedPngDecodesToTheSamePixels) {
  Image img(37, 11, {10, 20, 30});
  img.set(0, 0, {255, 0, 0});
  img.set(36, 10, {0, 255, 0});
  for (int x = 0; x < 37; ++x) img.set(x, 10 - x * 10 / 36, {1, 2, 3});
  int w = 0, h = 0;
  const auto rgb = decode_rgb(tac::plot::encode_png(img), w, h);
  EXPECT_EQ(w, 37);
  EXPECT_EQ(h, 11);
  EXPECT_EQ(rgb, img.rgb);
}

TEST(PngImage, ThumbnailAveragesEachTwoByTwoBlock) {
  // 4x2 frame: left block all 10, right block 0,1,2,3 (rounded mean 2) in every channel.
  const std::vector<std::uint8_t> v{10, 10, 0, 1, 10, 10, 2, 3};
  std::vector<std::uint8_t> rgb;
  for (const auto x : v) rgb.insert(rgb.end(), {x, x, x});
  const Image t = tac::plot::thumbnail(rgb, 4, 2);
  ASSERT_EQ(t.width, 2);
  ASSERT_EQ(t.height, 1);
  EXPECT_EQ(t.rgb, (std::vector<std::uint8_t>{10, 10, 10, 2, 2, 2}));
  EXPECT_THROW((void)tac::plot::thumbnail(rgb, 4, 3), tac::Error);
}

}  // namespace
