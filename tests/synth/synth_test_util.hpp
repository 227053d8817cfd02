#pragma once
// Shared by the synth tests: a rendered frame's identity (SHA-256 of its three planes) and a
// whole file's bytes.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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

inline std::vector<char> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace tac::test
