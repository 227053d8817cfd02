#pragma once
// IEEE binary16 from float32 with round-to-nearest-even (subnormals kept, overflow to infinity,
// NaN to a quiet NaN), the inverse of io::half_to_float; for f16 block scales.
#include <cstdint>

namespace tac::quant {

std::uint16_t float_to_half(float value);
float half_to_float(std::uint16_t bits);

}  // namespace tac::quant
