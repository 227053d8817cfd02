#include "tac/plot/chart.hpp"

#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <memory>
#include <regex>

#include "tac/core/error.hpp"
#include "tac/core/markup_escape.hpp"
#include "tac/core/output_file.hpp"

namespace tac::plot {
namespace {

constexpr const char* kFont = "DejaVu Sans";
constexpr double kMaxCoordinate = 1e12;  // keeps spans and tick arithmetic finite
constexpr double kTitleSize = 15, kLabelSize = 12, kTickSize = 11, kMarkerRadius = 4;

// A string drawn on the chart, kept for the SVG's transparent text layer.
struct DrawnText {
  std::string text;
  double x, y, size;
  bool vertical;
};

struct Range {
  double lo, hi;
  double span() const { return hi - lo; }
};

void validate(const Chart& c) {
  if (c.width < 200 || c.width > 4000 || c.height < 200 || c.height > 4000)
    fail(ErrorKind::usage, "chart size {}x{} is outside 200..4000 px", c.width, c.height);
  if (c.series.empty()) fail(ErrorKind::usage, "chart '{}' has no series", c.title);
  for (const auto& s : c.series) {
    if (s.label.empty()) fail(ErrorKind::usage, "chart '{}': a series has no label", c.title);
    if (s.points.empty()) fail(ErrorKind::usage, "chart '{}': series '{}' has no points", c.title, s.label);
    for (const auto& [x, y] : s.points)
      if (!std::isfinite(x) || !std::isfinite(y) || std::abs(x) > kMaxCoordinate || std::abs(y) > kMaxCoordinate)
        fail(ErrorKind::usage, "chart '{}': series '{}' has a point ({}, {}) that is not finite or beyond +-{:g}", c.title,
             s.label, x, y, kMaxCoordinate);
  }
  for (const double t : c.iso_totals)
    if (!std::isfinite(t) || std::abs(t) > 2 * kMaxCoordinate) fail(ErrorKind::usage, "chart '{}': iso-score total {} is not finite or out of range", c.title, t);
}

// Data range padded by 6% (a lone value gets +-0.5 or +-10%), so markers never sit on the frame.
Range padded(double lo, double hi) {
  if (hi - lo <= 0) {
    const double half = lo == 0 ? 0.5 : std::abs(lo) * 0.1;
    return {lo - half, hi + half};
  }
  const double pad = (hi - lo) * 0.06;
  return {lo - pad, hi + pad};
}

// A 1/2/5 x 10^k step giving about `count` ticks.
double tick_step(const Range& r, int count = 6) {
  const double raw = r.span() / count;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

std::string tick_label(double v, double step) {
  if (std::abs(v) < step * 1e-9) v = 0;
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", v, decimals);
}

// Text as cairo and XML accept it: valid UTF-8 without control characters; anything else
// (labels come from ledgers and CSVs) becomes '?'.
std::string printable(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && n == 1 && (b < 0x20 || b == 0x7F)) ok = false;
    if (ok && n > 1) {  // reject overlong forms, surrogates and code points past U+10FFFF
      std::uint32_t cp = b & (0x7F >> n);
      for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[n] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok) out.append(s, i, n), i += n;
    else out += '?', i += 1;
  }
  return out;
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class Painter {
 public:
  explicit Painter(cairo_t* cr) : cr_(cr) { cairo_select_font_face(cr_, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL); }

  void color(Color c, double alpha = 1) { cairo_set_source_rgba(cr_, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha); }

  double text_width(const std::string& s, double size) {
    cairo_set_font_size(cr_, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr_, printable(s).c_str(), &e);
    return e.x_advance;
  }

  // Draws `s` with its baseline at y; `align` 0 left, 0.5 centre, 1 right of x.
  void text(const std::string& raw, double x, double y, double size, double align = 0, Color c = {0, 0, 0}) {
    const std::string s = printable(raw);
    const double w = text_width(s, size);
    color(c);
    cairo_move_to(cr_, x - align * w, y);
    cairo_show_text(cr_, s.c_str());
    texts_.push_back({s, x - align * w, y, size, false});
  }

  // Rotated 90 degrees counter-clockwise, centred on y, baseline at x.
  void vertical_text(const std::string& raw, double x, double y, double size) {
    const std::string s = printable(raw);
    const double w = text_width(s, size);
    cairo_save(cr_);
    color({0, 0, 0});
    cairo_move_to(cr_, x, y + w / 2);
    cairo_rotate(cr_, -M_PI / 2);
    cairo_show_text(cr_, s.c_str());
    cairo_restore(cr_);
    texts_.push_back({s, x, y + w / 2, size, true});
  }

  void line(double x0, double y0, double x1, double y1, double width) {
    cairo_set_line_width(cr_, width);
    cairo_move_to(cr_, x0, y0);
    cairo_line_to(cr_, x1, y1);
    cairo_stroke(cr_);
  }

  void marker(double x, double y, Color c) {
    color(c);
    cairo_new_path(cr_);
    cairo_arc(cr_, x, y, kMarkerRadius, 0, 2 * M_PI);
    cairo_fill(cr_);
  }

  const std::vector<DrawnText>& texts() const { return texts_; }
  cairo_t* cr() { return cr_; }

 private:
  cairo_t* cr_;
  std::vector<DrawnText> texts_;
};

void draw(Painter& p, const Chart& c) {
  cairo_t* cr = p.cr();
  p.color({255, 255, 255});
  cairo_paint(cr);

  double x_lo = 1e300, x_hi = -1e300, y_lo = 1e300, y_hi = -1e300;
  for (const auto& s : c.series)
    for (const auto& [x, y] : s.points) {
      x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x), y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
    }
  const Range xr = padded(x_lo, x_hi), yr = padded(y_lo, y_hi);
  const double left = 78, right = 16, top = c.title.empty() ? 16 : 40, bottom = 56;
  const double pw = c.width - left - right, ph = c.height - top - bottom;
  const auto px = [&](double x) { return left + (x - xr.lo) / xr.span() * pw; };
  const auto py = [&](double y) { return top + ph - (y - yr.lo) / yr.span() * ph; };

  if (!c.title.empty()) p.text(c.title, c.width / 2.0, 26, kTitleSize, 0.5);

  // Grid and ticks.
  const Color grid{225, 225, 225}, axis{60, 60, 60};
  const double xs = tick_step(xr), ys = tick_step(yr);
  // Ticks as start + i * step (never v += step, which stalls when step is below v's precision).
  for (int i = 0; i < 40; ++i) {
    const double v = std::ceil(xr.lo / xs) * xs + i * xs;
    if (v > xr.hi + xs * 1e-9) break;
    p.color(grid);
    p.line(px(v), top, px(v), top + ph, 1);
    p.text(tick_label(v, xs), px(v), top + ph + 16, kTickSize, 0.5, axis);
  }
  for (int i = 0; i < 40; ++i) {
    const double v = std::ceil(yr.lo / ys) * ys + i * ys;
    if (v > yr.hi + ys * 1e-9) break;
    p.color(grid);
    p.line(left, py(v), left + pw, py(v), 1);
    p.text(tick_label(v, ys), left - 6, py(v) + 4, kTickSize, 1, axis);
  }
  p.color(axis);
  cairo_set_line_width(cr, 1.2);
  cairo_rectangle(cr, left, top, pw, ph);
  cairo_stroke(cr);
  if (!c.x_axis.empty()) p.text(c.x_axis, left + pw / 2, c.height - 14, kLabelSize, 0.5);
  if (!c.y_axis.empty()) p.vertical_text(c.y_axis, 20, top + ph / 2, kLabelSize);

  // Iso lines x + y = t, clipped to the plot, each labelled with its total.
  const Color iso{150, 150, 150};
  bool any_iso = false;
  for (const double t : c.iso_totals) {
    // The line crosses the plot iff some corner is above and some below.
    const double lo_sum = xr.lo + yr.lo, hi_sum = xr.hi + yr.hi;
    if (t <= lo_sum || t >= hi_sum) continue;
    any_iso = true;
    cairo_save(cr);
    cairo_rectangle(cr, left, top, pw, ph);
    cairo_clip(cr);
    p.color(iso);
    const double dash[] = {5, 4};
    cairo_set_dash(cr, dash, 2, 0);
    p.line(px(xr.lo), py(t - xr.lo), px(xr.hi), py(t - xr.hi), 1);
    cairo_restore(cr);
    // Label where the line enters the plot at its upper left: the left edge, else the top edge.
    const bool enters_left = t - xr.lo <= yr.hi;
    const double ex = enters_left ? xr.lo : t - yr.hi, ey = enters_left ? t - xr.lo : yr.hi;
    p.text(fmt::format("{:g}", t), px(ex) + 4, py(ey) + 13, kTickSize - 1, 0, iso);
  }

  for (const auto& s : c.series) {
    if (s.connect && s.points.size() > 1) {
      p.color(s.color, 0.7);
      cairo_set_line_width(cr, 1.5);
      cairo_move_to(cr, px(s.points[0].first), py(s.points[0].second));
      for (std::size_t i = 1; i < s.points.size(); ++i) cairo_line_to(cr, px(s.points[i].first), py(s.points[i].second));
      cairo_stroke(cr);
    }
    for (const auto& [x, y] : s.points) p.marker(px(x), py(y), s.color);
  }

  // Legend: top right inside the plot, on a white box.
  double label_w = 0;
  for (const auto& s : c.series) label_w = std::max(label_w, p.text_width(s.label, kLabelSize));
  if (any_iso) label_w = std::max(label_w, p.text_width(c.iso_label, kLabelSize));
  const double row = 18, box_w = label_w + 40;
  const double box_h = row * static_cast<double>(c.series.size() + (any_iso ? 1 : 0)) + 8;
  const double bx = left + pw - box_w - 8, by = top + 8;
  p.color({255, 255, 255}, 0.9);
  cairo_rectangle(cr, bx, by, box_w, box_h);
  cairo_fill(cr);
  p.color({190, 190, 190});
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, bx, by, box_w, box_h);
  cairo_stroke(cr);
  double ry = by + 4 + row / 2;
  for (const auto& s : c.series) {
    if (s.connect) {
      p.color(s.color, 0.7);
      p.line(bx + 6, ry, bx + 26, ry, 1.5);
    }
    p.marker(bx + 16, ry, s.color);
    p.text(s.label, bx + 32, ry + 4, kLabelSize);
    ry += row;
  }
  if (any_iso) {
    cairo_save(cr);
    p.color(iso);
    const double dash[] = {5, 4};
    cairo_set_dash(cr, dash, 2, 0);
    p.line(bx + 6, ry, bx + 26, ry, 1);
    cairo_restore(cr);
    p.text(c.iso_label, bx + 32, ry + 4, kLabelSize);
  }
}

// cairo numbers surfaces from a process-wide counter; renumber so equal charts give equal bytes.
std::string renumber_surfaces(const std::string& svg) {
  static const std::regex id("surface[0-9]+");
  std::string out;
  std::vector<std::string> seen;
  auto it = std::sregex_iterator(svg.begin(), svg.end(), id);
  std::size_t last = 0;
  for (; it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    const std::string name = m.str();
    auto pos = std::find(seen.begin(), seen.end(), name);
    if (pos == seen.end()) pos = seen.insert(seen.end(), name);
    out.append(svg, last, static_cast<std::size_t>(m.position()) - last);
    out += fmt::format("surface{}", pos - seen.begin() + 1);
    last = static_cast<std::size_t>(m.position() + m.length());
  }
  out.append(svg, last, std::string::npos);
  return out;
}

// Adds a <title> and the transparent text layer to cairo's SVG.
std::string annotate(std::string svg, const Chart& c, const std::vector<DrawnText>& texts) {
  const auto open_end = svg.find('>', svg.find("<svg"));
  const auto close = svg.rfind("</svg>");
  if (open_end == std::string::npos || close == std::string::npos || close < open_end)
    fail(ErrorKind::internal, "cairo wrote an SVG without an <svg> element");
  std::string layer = "<g class=\"chart-text\" fill-opacity=\"0\" font-family=\"DejaVu Sans\">\n";
  for (const auto& t : texts) {
    layer += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" font-size=\"{:g}\"{}>{}</text>\n", t.x, t.y, t.size,
                         t.vertical ? fmt::format(" transform=\"rotate(-90 {:.2f} {:.2f})\"", t.x, t.y) : "",
                         tac::markup_escape(t.text));
  }
  layer += "</g>\n";
  svg.insert(close, layer);
  svg.insert(open_end + 1, "\n<title>" + tac::markup_escape(printable(c.title.empty() ? c.x_axis + " vs " + c.y_axis : c.title)) + "</title>");
  return svg;
}

}  // namespace

std::string chart_svg(const Chart& chart) {
  validate(chart);
  std::string svg;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_svg_surface_create_for_stream(append_to_string, &svg, chart.width, chart.height), cairo_surface_destroy);
  cairo_svg_surface_restrict_to_version(surface.get(), CAIRO_SVG_VERSION_1_2);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  Painter painter(cr.get());
  draw(painter, chart);
  const cairo_status_t status = cairo_status(cr.get());
  cr.reset();
  cairo_surface_finish(surface.get());
  if (status != CAIRO_STATUS_SUCCESS || cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    fail(ErrorKind::internal, "cairo could not draw chart '{}': {}", chart.title,
         cairo_status_to_string(status != CAIRO_STATUS_SUCCESS ? status : cairo_surface_status(surface.get())));
  return annotate(renumber_surfaces(svg), chart, painter.texts());
}

void write_chart_svg(const std::filesystem::path& path, const Chart& chart) { write_file_atomic(path, chart_svg(chart)); }

std::string chart_svg_element(const Chart& chart, const std::string& id_prefix) {
  if (id_prefix.empty() || id_prefix.size() > 64 ||
      !std::all_of(id_prefix.begin(), id_prefix.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_'; }))
    fail(ErrorKind::usage, "chart id prefix '{}' must be 1..64 letters, digits, '-' or '_'", id_prefix);
  std::string svg = chart_svg(chart);
  svg.erase(0, svg.find("<svg"));
  static const std::regex refs(R"((id="|href="#|url\(#))");
  return std::regex_replace(svg, refs, "$1" + id_prefix + "-");
}

std::vector<double> round_iso_totals(const std::vector<ChartSeries>& series, int count) {
  double lo = 1e300, hi = -1e300;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points)
      if (std::isfinite(x + y)) lo = std::min(lo, x + y), hi = std::max(hi, x + y);
  if (lo > hi || count < 1) return {};
  const Range r = padded(lo, hi);
  const double step = tick_step(r, count);
  std::vector<double> totals;
  for (double v = std::ceil(r.lo / step) * step; v <= r.hi && totals.size() < 32; v += step)
    totals.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return totals;
}

}  // namespace tac::plot
