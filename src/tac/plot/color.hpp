#pragma once
// RGB colours shared by the chart renderer and the PNG thumbnails.
#include <array>
#include <cstddef>
#include <cstdint>

namespace tac::plot {

struct Color {
  std::uint8_t r = 0, g = 0, b = 0;
};

// Distinct colours for series (the tab10 order).
inline Color palette(std::size_t index) {
  static constexpr std::array<Color, 8> colors{{{31, 119, 180}, {214, 39, 40}, {44, 160, 44}, {255, 127, 14},
                                                {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {23, 190, 207}}};
  return colors[index % colors.size()];
}

}  // namespace tac::plot
