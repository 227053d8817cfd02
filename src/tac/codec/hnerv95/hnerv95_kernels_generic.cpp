// The hnerv95 forward pass without vector instructions (any processor; exact but slow where
// the compiler emulates fma in software).
#include <sleef.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_decoder.hpp"

namespace tac::codec::hnerv95::detail {
namespace {

#include "tac/core/isa_scalar_lane.hpp"
// No FMA in this TU: the pure-C SLEEF sin/exp may differ from the reference in the last bit.
using S = ScalarLane<Sleef_expf1_u10purec, Sleef_sinf1_u10purec>;
using V = S;

#include "tac/codec/hnerv95/hnerv95_kernels_impl.hpp"

}  // namespace

DecoderKernels decoder_kernels_generic() { return {"generic", &decode_pair}; }

}  // namespace tac::codec::hnerv95::detail
