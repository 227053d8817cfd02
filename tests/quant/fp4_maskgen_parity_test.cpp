// The quantizer's FP4 with float32 scales is the maskgen family's reference round trip
// (codec/maskgen fp4_round_trip, which reproduces the PR 97 runtime bit for bit): same bits on
// random, skewed, tie-laden and tiny-negative tensors, including a short last block.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/quant/fp4_e2m1.hpp"

namespace {

TEST(Fp4MaskgenParity, Float32ScalesAreTheReferenceRoundTrip) {
  std::mt19937 rng(29);
  std::normal_distribution<float> normal(0.0f, 0.03f);
  std::vector<std::vector<float>> cases;
  std::vector<float> v(32 * 300 + 11);
  for (auto& x : v) x = normal(rng);
  cases.push_back(v);
  for (auto& x : v) x = rng() % 9 == 0 ? normal(rng) * 50.0f : 0.0f;  // skewed, whole zero blocks
  cases.push_back(v);
  std::vector<float> ties;
  for (int b = 0; b < 40; ++b)
    for (const float t : {6.0f, 0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f, -0.2f, -1e-9f, -0.0f, 4.0f})
      ties.push_back(t * static_cast<float>(1 + b % 5) * 0.125f);
  cases.push_back(ties);
  for (const auto& c : cases) {
    auto reference = c;
    tac::codec::maskgen::fp4_round_trip(reference);
    const auto ours = tac::quant::dequantize_fp4(tac::quant::quantize_fp4(c, tac::codec::maskgen::kFp4Block, tac::quant::Fp4Scale::f32));
    ASSERT_EQ(ours.size(), reference.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) differing += std::memcmp(&ours[i], &reference[i], sizeof(float)) != 0;
    EXPECT_EQ(differing, 0u) << "of " << ours.size();
  }
}

}  // namespace
