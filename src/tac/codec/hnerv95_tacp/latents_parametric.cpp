#include "tac/codec/hnerv95_tacp/latents_parametric.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

#include "tac/codec/hnerv95_tacp/latents_coder.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/entropy/binarization.hpp"
#include "tac/entropy/range_coder.hpp"

namespace tac::codec::hnerv95_tacp {
namespace {

constexpr int kDensitySteps = 129;
// round(2^15 exp(-z^2/2)) and round(2^15 exp(-sqrt(2) z)), z = i/16 (see the header).
constexpr std::uint16_t kDensity[2][kDensitySteps] = {
    {32768, 32704, 32513, 32197, 31760, 31206, 30543, 29777, 28918, 27973, 26954, 25871, 24735, 23556, 22346, 21115,
     19875, 18634, 17403, 16190, 15002, 13848, 12732, 11661, 10638, 9667,  8751,  7890,  7087,  6340,  5650,  5015,
     4435,  3906,  3427,  2995,  2607,  2261,  1953,  1680,  1440,  1229,  1045,  885,   747,   628,   526,   438,
     364,   301,   248,   204,   167,   136,   110,   89,    72,    57,    46,    37,    29,    23,    18,    14,
     11,    9,     7,     5,     4,     3,     2,     2,     1,     1,     1,     1,     0,     0,     0,     0,
     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
     0},
    {32768, 29996, 27458, 25136, 23009, 21063, 19281, 17650, 16157, 14790, 13539, 12394, 11345, 10385, 9507, 8703,
     7966,  7293,  6676,  6111,  5594,  5121,  4688,  4291,  3928,  3596,  3292,  3013,  2758,  2525,  2311, 2116,
     1937,  1773,  1623,  1486,  1360,  1245,  1140,  1043,  955,   874,   800,   733,   671,   614,   562,  514,
     471,   431,   395,   361,   331,   303,   277,   254,   232,   213,   195,   178,   163,   149,   137,  125,
     114,   105,   96,    88,    80,    74,    67,    62,    56,    52,    47,    43,    40,    36,    33,   30,
     28,    25,    23,    21,    20,    18,    16,    15,    14,    13,    11,    11,    10,    9,     8,    7,
     7,     6,     6,     5,     5,     4,     4,     4,     3,     3,     3,     3,     2,     2,     2,    2,
     2,     2,     1,     1,     1,     1,     1,     1,     1,     1,     1,     1,     1,     1,     0,    0,
     0}};

constexpr int kFamilies = 2;

// Side information fields: f16 mins, f16 scales, mu, a1, a2, sigma.
constexpr int kSideFields = 6;
constexpr int kSideOrders[kSideFields] = {6, 6, 3, 3, 2, 3};
constexpr std::int64_t kSideMin[kSideFields] = {0, 0, 0, -128, -128, 1};
constexpr std::int64_t kSideMax[kSideFields] = {65535, 65535, 255, 127, 127, 255};

entropy::IntegerBinarization side_binarization(int field) {
  entropy::IntegerBinarization b;
  b.greater_flags = 1;
  b.golomb_order = kSideOrders[field];
  b.rates = {4, 7, true};
  return b;
}

std::vector<std::int64_t> side_field(const QuantizedLatents& l, const ParametricLatentModel& m, int field) {
  std::vector<std::int64_t> v(l.d);
  for (std::size_t k = 0; k < l.d; ++k) {
    switch (field) {
      case 0: v[k] = l.mins[k]; break;
      case 1: v[k] = l.scales[k]; break;
      case 2: v[k] = m.mu[k]; break;
      case 3: v[k] = m.a1[k]; break;
      case 4: v[k] = m.a2[k]; break;
      default: v[k] = m.sigma4[k]; break;
    }
  }
  return v;
}

struct Table {
  std::array<std::uint32_t, 257> cum;
  std::uint32_t total() const { return cum[256]; }
};

void build_table(int family, int tail, int pred64, int s, Table& t) {
  std::array<std::uint32_t, 256> dens;
  std::uint64_t sum = 0;
  for (int x = 0; x < 256; ++x) {
    const int diff = std::abs(64 * x - pred64);
    const int i = (2 * diff + s) / (2 * s);
    dens[std::size_t(x)] = std::uint32_t(i < kDensitySteps ? kDensity[family][i] : 0) + std::uint32_t(tail);
    sum += dens[std::size_t(x)];
  }
  t.cum[0] = 0;
  for (std::size_t x = 0; x < 256; ++x) {
    const std::uint64_t f = sum ? 1 + std::uint64_t(dens[x]) * (65536 - 256) / sum : 1;
    t.cum[x + 1] = t.cum[x] + std::uint32_t(f);
  }
}

int predict64(const ParametricLatentModel& m, std::size_t k, int q1, int q2) {
  const int mu = m.mu[k];
  const int p = 64 * mu + int(m.a1[k]) * (q1 - mu) + int(m.a2[k]) * (q2 - mu);
  return std::clamp(p, 0, 255 * 64);
}

// Visits dimension k's values in row order with their prediction.
template <typename Visit>
void walk_dimension(const ParametricLatentModel& m, std::size_t k, std::uint32_t n, std::uint32_t d,
                    const std::uint8_t* q, Visit visit) {
  int q1 = m.mu[k], q2 = m.mu[k];
  for (std::uint32_t row = 0; row < n; ++row) {
    const int pred = predict64(m, k, q1, q2);
    const int x = visit(std::size_t(row) * d + k, pred);
    q2 = q1;
    q1 = x;
  }
}

double dimension_cost(const QuantizedLatents& l, const ParametricLatentModel& m, std::size_t k) {
  double bits = 0;
  Table t;
  walk_dimension(m, k, l.n, l.d, l.q.data(), [&](std::size_t i, int pred) {
    build_table(m.family, m.tail, pred, m.sigma4[k], t);
    const int x = l.q[i];
    bits += std::log2(double(t.total()) / double(t.cum[std::size_t(x) + 1] - t.cum[std::size_t(x)]));
    return x;
  });
  return bits;
}

// Least-squares AR(2) around the rounded mean, then the integer coefficients (within +-3 of the
// rounded solution) of least squared error, then the sigma of least code length.
void fit_dimension(const QuantizedLatents& l, ParametricLatentModel& m, std::size_t k) {
  const std::uint32_t n = l.n, d = l.d;
  auto q = [&](std::int64_t row) -> double { return row < 0 ? double(m.mu[k]) : double(l.q[std::size_t(row) * d + k]); };
  double sum = 0;
  for (std::uint32_t r = 0; r < n; ++r) sum += q(r);
  m.mu[k] = std::uint8_t(std::clamp(std::lround(sum / n), 0l, 255l));
  const double mu = m.mu[k];
  double s11 = 1e-9, s12 = 0, s22 = 1e-9, s1y = 0, s2y = 0;
  for (std::int64_t r = 0; r < n; ++r) {
    const double y = q(r) - mu, x1 = q(r - 1) - mu, x2 = q(r - 2) - mu;
    s11 += x1 * x1;
    s12 += x1 * x2;
    s22 += x2 * x2;
    s1y += x1 * y;
    s2y += x2 * y;
  }
  const double det = s11 * s22 - s12 * s12;
  double c1 = s1y / s11, c2 = 0;
  if (std::abs(det) > 1e-6) {
    c1 = (s1y * s22 - s2y * s12) / det;
    c2 = (s2y * s11 - s1y * s12) / det;
  }
  const int r1 = int(std::clamp(std::lround(64 * c1), -128l, 127l)), r2 = int(std::clamp(std::lround(64 * c2), -128l, 127l));
  double best = -1;
  for (int a1 = std::max(-128, r1 - 3); a1 <= std::min(127, r1 + 3); ++a1)
    for (int a2 = std::max(-128, r2 - 3); a2 <= std::min(127, r2 + 3); ++a2) {
      ParametricLatentModel trial = m;
      trial.a1[k] = std::int8_t(a1);
      trial.a2[k] = std::int8_t(a2);
      double err = 0;
      walk_dimension(trial, k, n, d, l.q.data(), [&](std::size_t i, int pred) {
        const double e = 64.0 * l.q[i] - pred;
        err += e * e;
        return int(l.q[i]);
      });
      if (best < 0 || err < best) {
        best = err;
        m.a1[k] = std::int8_t(a1);
        m.a2[k] = std::int8_t(a2);
      }
    }
  const double rms = std::sqrt(best / n) / 64.0;
  const int s0 = int(std::clamp(std::lround(4 * rms), 1l, 255l));
  double best_bits = -1;
  int best_s = s0;
  for (int s = std::max(1, s0 - 8); s <= std::min(255, s0 + 8); s += 2) {
    m.sigma4[k] = std::uint8_t(s);
    const double bits = dimension_cost(l, m, k);
    if (best_bits < 0 || bits < best_bits) {
      best_bits = bits;
      best_s = s;
    }
  }
  for (const int s : {best_s - 1, best_s + 1}) {
    if (s < 1 || s > 255) continue;
    m.sigma4[k] = std::uint8_t(s);
    const double bits = dimension_cost(l, m, k);
    if (bits < best_bits) {
      best_bits = bits;
      best_s = s;
    }
  }
  m.sigma4[k] = std::uint8_t(best_s);
}

}  // namespace

std::vector<std::uint8_t> encode_parametric_body(const QuantizedLatents& l, const ParametricLatentModel& m) {
  if (m.mu.size() != l.d || m.a1.size() != l.d || m.a2.size() != l.d || m.sigma4.size() != l.d || m.family < 0 ||
      m.family >= kFamilies || m.tail < 0 || m.tail > 255)
    fail(ErrorKind::internal, "encode_parametric_body: inconsistent model");
  std::vector<std::uint8_t> out = {std::uint8_t(m.family), std::uint8_t(m.tail)};
  entropy::RangeEncoder e;
  for (int field = 0; field < kSideFields; ++field) {
    const auto b = side_binarization(field);
    entropy::IntegerContexts c(b.rates);
    std::int64_t previous = 0;
    for (const std::int64_t v : side_field(l, m, field)) {
      if (v < kSideMin[field] || v > kSideMax[field]) fail(ErrorKind::internal, "encode_parametric_body: side value out of range");
      entropy::encode_signed(e, c, b, static_cast<std::int32_t>(v - previous));
      previous = v;
    }
  }
  std::vector<int> q1(m.mu.begin(), m.mu.end()), q2 = q1;
  Table t;
  for (std::uint32_t row = 0; row < l.n; ++row)
    for (std::size_t k = 0; k < l.d; ++k) {
      build_table(m.family, m.tail, predict64(m, k, q1[k], q2[k]), m.sigma4[k], t);
      const std::size_t x = l.q[std::size_t(row) * l.d + k];
      e.encode_frequency(t.cum[x], t.cum[x + 1] - t.cum[x], t.total());
      q2[k] = q1[k];
      q1[k] = int(x);
    }
  const auto stream = e.finish();
  out.insert(out.end(), stream.begin(), stream.end());
  return out;
}

void decode_parametric_body(std::span<const std::uint8_t> body, QuantizedLatents& l, const std::string& source) {
  ByteReader r(body, source);
  ParametricLatentModel m;
  m.family = r.u8("latent density family");
  m.tail = r.u8("latent density tail");
  if (m.family >= kFamilies) fail(ErrorKind::corrupt_input, "{}: unknown latent density family {}", source, m.family);
  entropy::RangeDecoder dec(body.subspan(r.offset()), source);
  static const char* kFieldNames[kSideFields] = {"min", "scale", "mean", "a1", "a2", "sigma"};
  for (int field = 0; field < kSideFields; ++field) {
    const auto b = side_binarization(field);
    entropy::IntegerContexts c(b.rates);
    std::int64_t v = 0;
    for (std::size_t k = 0; k < l.d; ++k) {
      v += entropy::decode_signed(dec, c, b);
      if (v < kSideMin[field] || v > kSideMax[field])
        fail(ErrorKind::corrupt_input, "{}: latent {} of dimension {} is {}, outside {}..{}", source, kFieldNames[field], k, v,
             kSideMin[field], kSideMax[field]);
      switch (field) {
        case 0: l.mins.push_back(static_cast<std::uint16_t>(v)); break;
        case 1: l.scales.push_back(static_cast<std::uint16_t>(v)); break;
        case 2: m.mu.push_back(static_cast<std::uint8_t>(v)); break;
        case 3: m.a1.push_back(static_cast<std::int8_t>(v)); break;
        case 4: m.a2.push_back(static_cast<std::int8_t>(v)); break;
        default: m.sigma4.push_back(static_cast<std::uint8_t>(v)); break;
      }
    }
  }
  l.q.assign(std::size_t(l.n) * l.d, 0);
  std::vector<int> q1(m.mu.begin(), m.mu.end()), q2 = q1;
  Table t;
  for (std::uint32_t row = 0; row < l.n; ++row)
    for (std::size_t k = 0; k < l.d; ++k) {
      build_table(m.family, m.tail, predict64(m, k, q1[k], q2[k]), m.sigma4[k], t);
      const std::uint32_t v = dec.decode_frequency_value(t.total());
      const std::size_t x = std::size_t(std::upper_bound(t.cum.begin() + 1, t.cum.end(), v) - (t.cum.begin() + 1));
      dec.consume_frequency(t.cum[x], t.cum[x + 1] - t.cum[x]);
      l.q[std::size_t(row) * l.d + k] = std::uint8_t(x);
      q2[k] = q1[k];
      q1[k] = int(x);
    }
  if (dec.unread() != 0) fail(ErrorKind::corrupt_input, "{}: {} bytes after the end of the latent stream", source, dec.unread());
}

std::vector<std::uint8_t> search_parametric_body(const QuantizedLatents& l, std::size_t& tried,
                                                 ParametricLatentModel* chosen) {
  std::vector<std::uint8_t> best;
  for (int family = 0; family < kFamilies; ++family)
    for (const int tail : {0, 1, 4}) {
      ParametricLatentModel m;
      m.family = family;
      m.tail = tail;
      m.mu.assign(l.d, 0);
      m.a1.assign(l.d, 0);
      m.a2.assign(l.d, 0);
      m.sigma4.assign(l.d, 1);
      for (std::size_t k = 0; k < l.d; ++k) fit_dimension(l, m, k);
      auto body = encode_parametric_body(l, m);
      ++tried;
      if (best.empty() || body.size() < best.size()) {
        best = std::move(body);
        if (chosen) *chosen = m;
      }
    }
  return best;
}

}  // namespace tac::codec::hnerv95_tacp
