#pragma once
// SHA-256 of a rendered frame's three planes: the synth tests' identity of a frame.
#include <string>

#include "tac/core/sha256.hpp"
#include "tac/synth/scene.hpp"

namespace tac::test {

inline std::string frame_hash(const synth::Yuv420Frame& f) {
  Sha256 h;
  h.update(f.y);
  h.update(f.u);
  h.update(f.v);
  return to_hex(h.finish());
}

}  // namespace tac::test
