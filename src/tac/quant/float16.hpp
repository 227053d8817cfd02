#pragma once
// IEEE 754 binary16 <-> binary32. float_to_half rounds to nearest, ties to even (as the hardware
// conversion and torch's .half() do); overflow gives +-inf, NaN stays NaN (quiet).
#include <cstdint>

namespace tac::quant {

std::uint16_t float_to_half(float value);
float half_to_float(std::uint16_t bits);  // exact (every half is a float)

}  // namespace tac::quant
