#pragma once
// hnerv95_tacp behind the codec interface: detection (a TACP packet with the four hnerv95_tacp
// sections), section anatomy, and the hnerv95 decoder's inflate on the decoded tensors.
#include "tac/codec/codec.hpp"

namespace tac::codec::hnerv95_tacp {
const Format& format();
}
