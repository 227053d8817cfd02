#pragma once
// A small self-contained plot renderer and PNG writer (zlib only) for rate-distortion plots and
// frame thumbnails in `tac sweep` / `tac demo` reports.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace tac::plot {

struct Color {
  std::uint8_t r = 0, g = 0, b = 0;
};

// 8-bit RGB image.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  Image() = default;
  Image(int w, int h, Color fill);
  void set(int x, int y, Color c);
  void line(double x0, double y0, double x1, double y1, Color c, int thickness = 1);
  void fill_rect(int x0, int y0, int x1, int y1, Color c);
  // Letters (drawn as capitals), digits and . - + % ( ) / : , = _ * in a 5x7 font scaled by
  // `scale`; other characters leave a blank.
  void text(int x, int y, const std::string& s, Color c, int scale = 1);
};

std::vector<std::uint8_t> encode_png(const Image& image);
void write_png(const std::filesystem::path& path, const Image& image);

// Half-size thumbnail (2x2 box average) of a packed RGB frame.
Image thumbnail(std::span<const std::uint8_t> rgb, int width, int height);

struct Series {
  std::string label;
  Color color;
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in the order given
};

struct PlotLabels {
  std::string title;   // above the plot
  std::string x_axis;  // below the x tick labels
  std::string y_axis;  // above the y axis
};

// Line+marker plot with linear axes, tick labels, axis titles and a legend of the series labels
// (top right) in their colours.
Image line_plot(const std::vector<Series>& series, const PlotLabels& labels, int width = 720, int height = 480);

// Distinct colours for series.
Color palette(std::size_t index);

}  // namespace tac::plot
