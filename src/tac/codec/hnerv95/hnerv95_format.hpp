#pragma once
// hnerv95 behind the codec interface: detection, section anatomy, multi-threaded inflate.
#include "tac/codec/codec.hpp"

namespace tac::codec::hnerv95 {
const Format& format();
}
