#pragma once
// Parametric coding of the quantized latents (N x D values q in 0..255): per dimension d an AR(2)
// prediction in 1/64 units and a static discretized density around it, coded with the range
// coder's frequency tables. Integer arithmetic only, so every machine builds the same tables:
//   P(n, d) = clamp(64 mu + a1 (q(n-1) - mu) + a2 (q(n-2) - mu), 0, 255 * 64)   (q(-1) = q(-2) = mu)
//   for every x in 0..255: i(x) = (2 |64 x - P| + s) / (2 s)   (s = sigma_d in 1/4 units, 1..255)
//                          dens(x) = kDensity[family][i(x)] (0 past the table) + tail
//                          freq(x) = 1 + dens(x) * (2^16 - 256) / sum_x dens(x)
//   with cumulative frequencies in x order, total = sum freq(x) <= 2^16.
// kDensity tables hold round(2^15 exp(-z^2 / 2)) (gauss) and round(2^15 exp(-sqrt(2) z)) (laplace)
// at z = i / 16, i = 0..128: i(x) is |x - P/64| / sigma in steps of 1/16.
// Body: u8 family (0 gauss, 1 laplace), u8 tail (0..255), then one range-coder stream: the side
// information, field by field (f16 mins, f16 scales, mu, a1, a2, s; each over d = 0..D-1 as the
// signed difference to the previous dimension's value, the first to 0), each field with its own
// entropy::IntegerContexts (binarization.hpp: 1 greater-than flag, Exp-Golomb of kSideOrders[field],
// adaptive prefix, rates 4/7), then the N x D values, row-major.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tac::codec::hnerv95_tacp {

struct QuantizedLatents;

struct ParametricLatentModel {
  int family = 0;  // 0 gauss, 1 laplace
  int tail = 0;
  std::vector<std::uint8_t> mu;
  std::vector<std::int8_t> a1, a2;
  std::vector<std::uint8_t> sigma4;
};

// The smallest body over a fixed grid of families and tails, with per-dimension parameters fitted
// by least squares and a local search on the exact code length (deterministic). `tried` counts
// the (family, tail) pairs.
std::vector<std::uint8_t> search_parametric_body(const QuantizedLatents& latents, std::size_t& tried,
                                                 ParametricLatentModel* chosen = nullptr);
std::vector<std::uint8_t> encode_parametric_body(const QuantizedLatents& latents, const ParametricLatentModel& model);
// Fills latents.mins, .scales and .q (latents.n and .d set); refuses damage (corrupt_input naming `source`).
void decode_parametric_body(std::span<const std::uint8_t> body, QuantizedLatents& latents, const std::string& source);

}  // namespace tac::codec::hnerv95_tacp
