#include "tac/codec/hnerv95_tacp/latents_coder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "tac/codec/hnerv95_tacp/latents_parametric.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/entropy/binarization.hpp"
#include "tac/entropy/range_coder.hpp"
#include "tac/transform/uleb128.hpp"

namespace tac::codec::hnerv95_tacp {
namespace {

using entropy::IntegerBinarization;
using entropy::IntegerContexts;

constexpr int kMaxClasses = 8;
constexpr std::size_t kSettingsBytes = 6;

int predict(int previous, std::uint8_t mu, std::int8_t a) {
  const int p = mu + ((int(a) * (previous - int(mu)) + (1 << (kLatentShift - 1))) >> kLatentShift);
  return std::clamp(p, 0, 255);
}

int bit_length(int v) {
  int bits = 0;
  for (unsigned m = unsigned(std::abs(v)); m; m >>= 1) ++bits;
  return bits;
}

IntegerBinarization binarization_of(const LatentCoderSettings& s) {
  IntegerBinarization b;
  b.greater_flags = s.greater_flags;
  b.golomb_order = s.golomb_order;
  b.rates = s.rates;
  return b;
}

// Visits the residuals row-major with their context set; `code(cells index, contexts)` returns
// the residual coded.
template <typename Code>
void walk(std::uint32_t n, std::uint32_t d, const LatentCoderSettings& s, Code code) {
  const std::size_t sets_per_dim = std::size_t(s.classes);
  std::vector<IntegerContexts> sets((s.per_dimension ? d : 1) * sets_per_dim, IntegerContexts(s.rates));
  std::vector<int> previous(d, 0);
  for (std::uint32_t row = 0; row < n; ++row)
    for (std::uint32_t k = 0; k < d; ++k) {
      const std::size_t cls = std::size_t(std::min(bit_length(previous[k]), s.classes - 1));
      IntegerContexts& c = sets[(s.per_dimension ? k : 0) * sets_per_dim + cls];
      previous[k] = code(std::size_t(row) * d + k, c);
    }
}

std::uint16_t le16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

LatentPredictor fit_latent_predictor(const QuantizedLatents& l) {
  LatentPredictor p;
  p.mu.resize(l.d);
  p.a.resize(l.d);
  for (std::uint32_t k = 0; k < l.d; ++k) {
    std::int64_t sum = 0;
    for (std::uint32_t row = 0; row < l.n; ++row) sum += l.q[std::size_t(row) * l.d + k];
    const int mean = l.n ? int((sum + l.n / 2) / l.n) : 0;
    std::int64_t best = -1;
    for (int mu = std::max(0, mean - 4); mu <= std::min(255, mean + 4); ++mu)
      for (int a = -128; a <= 127; ++a) {
        std::int64_t cost = 0;
        int previous = mu;
        for (std::uint32_t row = 0; row < l.n && (best < 0 || cost < best); ++row) {
          const int q = l.q[std::size_t(row) * l.d + k];
          cost += std::abs(q - predict(previous, std::uint8_t(mu), std::int8_t(a)));
          previous = q;
        }
        if (best < 0 || cost < best) {
          best = cost;
          p.mu[k] = std::uint8_t(mu);
          p.a[k] = std::int8_t(a);
        }
      }
  }
  return p;
}

namespace {

enum : std::uint8_t { kBinarized = 0, kParametric = 1 };

// method, N, D, and for the binarized method the raw f16 mins and scales (the parametric body
// codes them itself).
std::vector<std::uint8_t> common_header(const QuantizedLatents& l, std::uint8_t method) {
  if (l.q.size() != std::size_t(l.n) * l.d || l.mins.size() != l.d || l.scales.size() != l.d)
    fail(ErrorKind::internal, "encode_latents: inconsistent sizes");
  std::vector<std::uint8_t> out = {method};
  transform::append_uleb128(out, l.n);
  transform::append_uleb128(out, l.d);
  if (method == kBinarized) {
    for (const auto v : l.mins) put16(out, v);
    for (const auto v : l.scales) put16(out, v);
  }
  return out;
}

std::string describe(const LatentCoderSettings& s) {
  return fmt::format("AR(1) per dimension, binarized residuals: {} greater flags, Exp-Golomb {}, rates {}/{}{}, {} "
                     "contexts, {} previous-residual classes",
                     s.greater_flags, s.golomb_order, s.rates.fast, s.rates.slow, s.rates.warmup ? " warm-up" : "",
                     s.per_dimension ? "per-dimension" : "shared", s.classes);
}

}  // namespace

std::vector<std::uint8_t> encode_latents(const QuantizedLatents& l, const LatentPredictor& p,
                                         const LatentCoderSettings& s) {
  const IntegerBinarization b = binarization_of(s);
  entropy::validate(b);
  if (s.classes < 1 || s.classes > kMaxClasses) fail(ErrorKind::usage, "latent coder: classes {} not in 1..{}", s.classes, kMaxClasses);
  if (p.mu.size() != l.d || p.a.size() != l.d) fail(ErrorKind::internal, "encode_latents: inconsistent predictor");
  std::vector<std::uint8_t> out = common_header(l, kBinarized);
  out.insert(out.end(), {std::uint8_t(s.greater_flags), std::uint8_t(s.golomb_order), s.rates.fast, s.rates.slow,
                         std::uint8_t((s.rates.warmup ? 1 : 0) | (s.per_dimension ? 2 : 0)), std::uint8_t(s.classes)});
  for (std::uint32_t k = 0; k < l.d; ++k) {
    out.push_back(p.mu[k]);
    out.push_back(static_cast<std::uint8_t>(p.a[k]));
  }
  entropy::RangeEncoder e;
  std::vector<int> last(p.mu.begin(), p.mu.end());
  walk(l.n, l.d, s, [&](std::size_t i, IntegerContexts& c) {
    const std::size_t k = i % l.d;
    const int q = l.q[i];
    const int r = q - predict(last[k], p.mu[k], p.a[k]);
    entropy::encode_signed(e, c, b, r);
    last[k] = q;
    return r;
  });
  const auto stream = e.finish();
  out.insert(out.end(), stream.begin(), stream.end());
  return out;
}

std::vector<std::uint8_t> encode_latents_parametric(const QuantizedLatents& l) {
  std::vector<std::uint8_t> out = common_header(l, kParametric);
  std::size_t tried = 0;
  const auto body = search_parametric_body(l, tried);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

namespace {

void decode_binarized_body(ByteReader& r, QuantizedLatents& l, const std::string& source) {
  const auto head = r.take(kSettingsBytes, "latent coder settings");
  LatentCoderSettings s;
  s.greater_flags = head[0];
  s.golomb_order = head[1];
  s.rates = {head[2], head[3], (head[4] & 1) != 0};
  s.per_dimension = (head[4] & 2) != 0;
  s.classes = head[5];
  if (head[4] > 3) fail(ErrorKind::corrupt_input, "{}: unknown latent coder flags {:#x}", source, head[4]);
  if (s.greater_flags > entropy::kMaxGreaterFlags || s.golomb_order > 16 || s.rates.fast < 1 || s.rates.fast > 15 ||
      s.rates.slow < 1 || s.rates.slow > 15 || s.classes < 1 || s.classes > kMaxClasses)
    fail(ErrorKind::corrupt_input, "{}: latent coder settings out of range", source);
  const auto header = r.take(std::uint64_t(l.d) * 2, "latent predictor");
  LatentPredictor p;
  for (std::uint32_t k = 0; k < l.d; ++k) {
    p.mu.push_back(header[2 * k]);
    p.a.push_back(static_cast<std::int8_t>(header[2 * k + 1]));
  }
  const IntegerBinarization b = binarization_of(s);
  entropy::RangeDecoder dec(r.bytes().subspan(r.offset()), source);
  l.q.resize(l.n * std::size_t(l.d));
  std::vector<int> last(p.mu.begin(), p.mu.end());
  walk(l.n, l.d, s, [&](std::size_t i, IntegerContexts& c) {
    const std::size_t k = i % l.d;
    const int residual = entropy::decode_signed(dec, c, b);
    const std::int64_t q = std::int64_t(predict(last[k], p.mu[k], p.a[k])) + residual;
    if (q < 0 || q > 255) fail(ErrorKind::corrupt_input, "{}: latent value {} at cell {} is outside 0..255", source, q, i);
    l.q[i] = static_cast<std::uint8_t>(q);
    last[k] = int(q);
    return residual;
  });
  if (dec.unread() != 0) fail(ErrorKind::corrupt_input, "{}: {} bytes after the end of the latent stream", source, dec.unread());
}

}  // namespace

QuantizedLatents decode_latents(std::span<const std::uint8_t> stream, const std::string& source) {
  ByteReader r(stream, source);
  const std::uint8_t method = r.u8("latent coder method");
  if (method != kBinarized && method != kParametric)
    fail(ErrorKind::corrupt_input, "{}: unknown latent coder method {}", source, method);
  QuantizedLatents l;
  const std::uint64_t n = r.uleb128("latent count"), d = r.uleb128("latent dimension");
  if (n == 0 || d == 0 || n > kMaxLatentCells || d > 4096 || n * d > kMaxLatentCells)
    fail(ErrorKind::corrupt_input, "{}: latents of {} x {} are out of range", source, n, d);
  l.n = std::uint32_t(n);
  l.d = std::uint32_t(d);
  if (method == kBinarized) {
    const auto header = r.take(d * 4, "latent min/scale");
    for (std::uint32_t k = 0; k < l.d; ++k) l.mins.push_back(le16(header, 2 * k));
    for (std::uint32_t k = 0; k < l.d; ++k) l.scales.push_back(le16(header, 2 * (l.d + k)));
    decode_binarized_body(r, l, source);
  } else
    decode_parametric_body(r.bytes().subspan(r.offset()), l, source);
  return l;
}

LatentSearch search_latents(const QuantizedLatents& l) {
  const LatentPredictor p = fit_latent_predictor(l);
  LatentSearch best;
  for (const int k : {2, 4, 8, 16})
    for (const int g : {0, 1, 2, 3})
      for (const entropy::BitRates rates : {entropy::BitRates{4, 7, true}, entropy::BitRates{5, 8, true},
                                            entropy::BitRates{4, 6, true}})
        for (const bool per_dimension : {false, true})
          for (const int classes : {1, 2, 3}) {
            const LatentCoderSettings s{k, g, rates, per_dimension, classes};
            auto stream = encode_latents(l, p, s);
            ++best.tried;
            if (best.stream.empty() || stream.size() < best.stream.size()) {
              best.stream = std::move(stream);
              best.choice = describe(s);
            }
          }
  std::vector<std::uint8_t> parametric = common_header(l, kParametric);
  ParametricLatentModel model;
  const auto body = search_parametric_body(l, best.tried, &model);
  parametric.insert(parametric.end(), body.begin(), body.end());
  if (parametric.size() < best.stream.size()) {
    best.stream = std::move(parametric);
    best.choice = fmt::format("AR(2) per dimension, static {} density with tail {} per dimension sigma (range coder)",
                              model.family == 0 ? "gaussian" : "laplace", model.tail);
  }
  return best;
}

QuantizedLatents latents_from_raw(std::span<const std::uint8_t> raw, const std::string& source) {
  ByteReader c(raw, source);
  QuantizedLatents l;
  l.n = c.u32("latent count");
  l.d = c.u32("latent dimension");
  const std::uint64_t cells = std::uint64_t(l.n) * l.d;
  if (cells > kMaxLatentCells)
    fail(ErrorKind::limit_exceeded, "{}: {} x {} latents exceed the limit of {} values", source, l.n, l.d, kMaxLatentCells);
  if (l.n == 0 || l.d == 0 || l.d > 4096 || std::uint64_t(l.d) * 4 + cells * 2 != c.remaining())
    fail(ErrorKind::corrupt_input, "{}: latents section of {} x {} does not match its {} bytes", source, l.n, l.d,
         c.remaining());
  for (std::uint32_t k = 0; k < l.d; ++k) l.mins.push_back(c.u16("latent min"));
  for (std::uint32_t k = 0; k < l.d; ++k) l.scales.push_back(c.u16("latent scale"));
  const auto lo = c.take(cells, "latent low bytes");
  const auto hi = c.take(cells, "latent high bytes");
  l.q.resize(cells);
  std::vector<std::uint8_t> q(l.d, 0);
  for (std::uint64_t i = 0; i < cells; ++i) {
    const std::size_t k = i % l.d;
    const std::uint32_t u = lo[i] | (std::uint32_t(hi[i]) << 8);
    const std::int32_t delta = (u & 1) ? -static_cast<std::int32_t>((u + 1) >> 1) : static_cast<std::int32_t>(u >> 1);
    q[k] = static_cast<std::uint8_t>(q[k] + delta);  // wraps as the hnerv95 reader does
    l.q[i] = q[k];
  }
  return l;
}

std::vector<std::uint8_t> latents_to_raw(const QuantizedLatents& l) {
  std::vector<std::uint8_t> out;
  const std::size_t cells = l.q.size();
  out.reserve(8 + 4 * std::size_t(l.d) + 2 * cells);
  put32(out, l.n);
  put32(out, l.d);
  for (const auto v : l.mins) put16(out, v);
  for (const auto v : l.scales) put16(out, v);
  std::vector<std::uint8_t> hi(cells);
  for (std::size_t i = 0; i < cells; ++i) {
    const int previous = i < l.d ? 0 : l.q[i - l.d];
    const int delta = int(l.q[i]) - previous;
    const std::uint32_t u = delta >= 0 ? std::uint32_t(2 * delta) : std::uint32_t(-2 * delta - 1);
    out.push_back(static_cast<std::uint8_t>(u));
    hi[i] = static_cast<std::uint8_t>(u >> 8);
  }
  out.insert(out.end(), hi.begin(), hi.end());
  return out;
}

}  // namespace tac::codec::hnerv95_tacp
