#include "tac/plot/png_plot.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"

namespace tac::plot {
namespace {

// 5x7 glyphs, one byte per row, bit 4 = leftmost column.
const std::map<char, std::array<std::uint8_t, 7>>& font() {
  static const std::map<char, std::array<std::uint8_t, 7>> glyphs{
      {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
      {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
      {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
      {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
      {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
      {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}}, {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
      {'+', {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}}, {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
      {' ', {0, 0, 0, 0, 0, 0, 0}},
      {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}}, {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
      {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}}, {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
      {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}}, {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
      {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}}, {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
      {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}}, {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
      {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}}, {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
      {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}}, {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
      {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
      {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}}, {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
      {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}}, {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
      {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
      {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}}, {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
      {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}}, {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
      {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}}, {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
      {'/', {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}}, {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
      {',', {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}}, {'=', {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}},
      {'_', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}}, {'*', {0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00}}};
  return glyphs;
}

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

void chunk(std::vector<std::uint8_t>& out, const char* type, const std::vector<std::uint8_t>& data) {
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  const uLong crc = crc32(0L, out.data() + start, static_cast<uInt>(out.size() - start));
  put_be32(out, static_cast<std::uint32_t>(crc));
}

std::string tick_label(double v, double step) {
  const int decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(step))) + (step < 1 ? 0 : 0), 0, 6);
  return fmt::format("{:.{}f}", v, decimals);
}

// A "nice" step (1, 2, 5 x 10^k) for about `count` ticks over span.
double nice_step(double span, int count) {
  const double raw = span / count;
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * base) return m * base;
  }
  return 10 * base;
}

}  // namespace

Image::Image(int w, int h, Color fill) : width(w), height(h), rgb(static_cast<std::size_t>(w) * h * 3) {
  for (std::size_t i = 0; i < rgb.size(); i += 3) {
    rgb[i] = fill.r;
    rgb[i + 1] = fill.g;
    rgb[i + 2] = fill.b;
  }
}

void Image::set(int x, int y, Color c) {
  if (x < 0 || y < 0 || x >= width || y >= height) return;
  auto* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
  p[0] = c.r;
  p[1] = c.g;
  p[2] = c.b;
}

void Image::fill_rect(int x0, int y0, int x1, int y1, Color c) {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) set(x, y, c);
}

void Image::line(double x0, double y0, double x1, double y1, Color c, int thickness) {
  const double length = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
  const int steps = std::max(1, static_cast<int>(std::ceil(length)));
  for (int i = 0; i <= steps; ++i) {
    const double t = static_cast<double>(i) / steps;
    const int x = static_cast<int>(std::lround(x0 + (x1 - x0) * t));
    const int y = static_cast<int>(std::lround(y0 + (y1 - y0) * t));
    fill_rect(x - thickness / 2, y - thickness / 2, x - thickness / 2 + thickness, y - thickness / 2 + thickness, c);
  }
}

void Image::text(int x, int y, const std::string& s, Color c, int scale) {
  for (const char raw : s) {
    const char ch = raw >= 'a' && raw <= 'z' ? static_cast<char>(raw - 'a' + 'A') : raw;  // one case
    const auto it = font().find(ch);
    if (it != font().end()) {
      for (int row = 0; row < 7; ++row)
        for (int col = 0; col < 5; ++col)
          if (it->second[static_cast<std::size_t>(row)] & (0x10 >> col))
            fill_rect(x + col * scale, y + row * scale, x + (col + 1) * scale, y + (row + 1) * scale, c);
    }
    x += 6 * scale;
  }
}

std::vector<std::uint8_t> encode_png(const Image& image) {
  if (image.width <= 0 || image.height <= 0) fail(ErrorKind::internal, "png: empty image");
  std::vector<std::uint8_t> raw;
  raw.reserve(static_cast<std::size_t>(image.height) * (image.width * 3 + 1));
  for (int y = 0; y < image.height; ++y) {
    raw.push_back(0);  // filter: none
    const auto* row = &image.rgb[static_cast<std::size_t>(y) * image.width * 3];
    raw.insert(raw.end(), row, row + image.width * 3);
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::uint8_t> packed(packed_size);
  if (compress2(packed.data(), &packed_size, raw.data(), static_cast<uLong>(raw.size()), 6) != Z_OK) fail(ErrorKind::internal, "png: zlib failed");
  packed.resize(packed_size);

  std::vector<std::uint8_t> out{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> header;
  put_be32(header, static_cast<std::uint32_t>(image.width));
  put_be32(header, static_cast<std::uint32_t>(image.height));
  header.insert(header.end(), {8, 2, 0, 0, 0});  // 8-bit, truecolour, deflate, no filter, no interlace
  chunk(out, "IHDR", header);
  chunk(out, "IDAT", packed);
  chunk(out, "IEND", {});
  return out;
}

void write_png(const std::filesystem::path& path, const Image& image) { write_file_atomic(path, encode_png(image)); }

Image thumbnail(std::span<const std::uint8_t> rgb, int width, int height) {
  if (rgb.size() != static_cast<std::size_t>(width) * height * 3) fail(ErrorKind::internal, "thumbnail: {} bytes is not {}x{} RGB", rgb.size(), width, height);
  Image out(width / 2, height / 2, {});
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        auto at = [&](int yy, int xx) { return int{rgb[(static_cast<std::size_t>(yy) * width + xx) * 3 + c]}; };
        const int sum = at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1);
        out.rgb[(static_cast<std::size_t>(y) * out.width + x) * 3 + c] = static_cast<std::uint8_t>((sum + 2) / 4);
      }
    }
  }
  return out;
}

Color palette(std::size_t index) {
  static const std::array<Color, 8> colors{{{31, 119, 180}, {214, 39, 40}, {44, 160, 44}, {255, 127, 14},
                                            {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {23, 190, 207}}};
  return colors[index % colors.size()];
}

int text_width(const std::string& s, int scale) { return static_cast<int>(s.size()) * 6 * scale; }

Image line_plot(const std::vector<Series>& series, const PlotLabels& labels, int width, int height) {
  Image img(width, height, {255, 255, 255});
  const int left = 70, right = 20, top = labels.title.empty() ? 30 : 46, bottom = 58;
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) {
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  if (x0 > x1) {
    x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  }
  if (x1 - x0 < 1e-12) x0 -= 0.5, x1 += 0.5;
  if (y1 - y0 < 1e-12) y0 -= 0.5, y1 += 0.5;
  const double xs = nice_step(x1 - x0, 6), ys = nice_step(y1 - y0, 6);
  x0 = std::floor(x0 / xs) * xs, x1 = std::ceil(x1 / xs) * xs;
  y0 = std::floor(y0 / ys) * ys, y1 = std::ceil(y1 / ys) * ys;
  const int pw = width - left - right, ph = height - top - bottom;
  auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return top + ph - (y - y0) / (y1 - y0) * ph; };
  const Color grid{225, 225, 225}, axis{60, 60, 60}, ink{20, 20, 20};
  for (double x = x0; x <= x1 + xs / 2; x += xs) {
    img.line(px(x), top, px(x), top + ph, grid);
    const auto label = tick_label(x, xs);
    img.text(static_cast<int>(px(x)) - static_cast<int>(label.size()) * 3, top + ph + 8, label, axis);
  }
  for (double y = y0; y <= y1 + ys / 2; y += ys) {
    img.line(left, py(y), left + pw, py(y), grid);
    const auto label = tick_label(y, ys);
    img.text(left - 8 - static_cast<int>(label.size()) * 6, static_cast<int>(py(y)) - 3, label, axis);
  }
  img.line(left, top, left, top + ph, axis);
  img.line(left, top + ph, left + pw, top + ph, axis);
  // Titles: the plot's centred on top, the x axis's centred below the ticks, the y axis's above
  // its axis (horizontal, so it stays readable in the tiny font).
  if (!labels.title.empty()) img.text((width - text_width(labels.title, 2)) / 2, 8, labels.title, ink, 2);
  if (!labels.x_axis.empty())
    img.text(left + (pw - text_width(labels.x_axis, 1)) / 2, top + ph + 30, labels.x_axis, ink);
  if (!labels.y_axis.empty()) img.text(std::max(4, left - 40), top - 14, labels.y_axis, ink);
  for (const auto& s : series) {
    for (std::size_t i = 1; i < s.points.size(); ++i)
      img.line(px(s.points[i - 1].first), py(s.points[i - 1].second), px(s.points[i].first), py(s.points[i].second), s.color, 2);
    for (const auto& [x, y] : s.points) {
      const int cx = static_cast<int>(std::lround(px(x))), cy = static_cast<int>(std::lround(py(y)));
      img.fill_rect(cx - 3, cy - 3, cx + 4, cy + 4, s.color);
    }
  }
  // Legend in the top-right corner of the plot area: a swatch and the label of each series.
  std::vector<const Series*> named;
  for (const auto& s : series)
    if (!s.label.empty()) named.push_back(&s);
  if (!named.empty()) {
    int widest = 0;
    for (const auto* s : named) widest = std::max(widest, text_width(s->label, 1));
    const int row = 14, box_w = widest + 34, box_h = static_cast<int>(named.size()) * row + 8;
    const int bx = left + pw - box_w - 6, by = top + 6;
    img.fill_rect(bx, by, bx + box_w, by + box_h, {255, 255, 255});
    img.line(bx, by, bx + box_w, by, axis), img.line(bx, by + box_h, bx + box_w, by + box_h, axis);
    img.line(bx, by, bx, by + box_h, axis), img.line(bx + box_w, by, bx + box_w, by + box_h, axis);
    for (std::size_t i = 0; i < named.size(); ++i) {
      const int y = by + 5 + static_cast<int>(i) * row;
      img.fill_rect(bx + 6, y + 1, bx + 22, y + 8, named[i]->color);
      img.text(bx + 28, y + 1, named[i]->label, ink);
    }
  }
  return img;
}

}  // namespace tac::plot
