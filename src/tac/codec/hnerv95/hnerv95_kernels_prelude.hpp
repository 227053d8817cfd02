#pragma once
// What every hnerv95 kernel translation unit includes before its instruction-set region
// (standard headers must never be first seen inside a region: they would be compiled for it).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/isa_target.hpp"
