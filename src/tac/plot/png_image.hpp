#pragma once
// RGB images written as PNG (zlib only), for the frame thumbnails in `tac demo` reports. Charts
// are drawn by chart.hpp (cairo, real fonts), not here.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "tac/plot/color.hpp"

namespace tac::plot {

// 8-bit RGB image.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  Image() = default;
  Image(int w, int h, Color fill);
  void set(int x, int y, Color c);
};

std::vector<std::uint8_t> encode_png(const Image& image);
void write_png(const std::filesystem::path& path, const Image& image);

// Half-size thumbnail (2x2 box average) of a packed RGB frame.
Image thumbnail(std::span<const std::uint8_t> rgb, int width, int height);

}  // namespace tac::plot
