#pragma once
// Writer of the hnerv95 member format, the inverse of hnerv95_archive.hpp: an Archive whose
// parameters were changed (e.g. by `tac tune`) back to `0.bin` bytes that `tac inflate` decodes.
// Every value is put on the archive's own grids, nearest level (ties to even), clamped:
//   weights: v = round(w / scale) in -128..127 per tensor (f32 scale kept), stored zigzag int8;
//   latents: q = round((z - min) / scale) in 0..255 per dimension (f16 min/scale kept), stored as
//            zigzag int16 temporal deltas (row 0: the value) in low and high byte planes.
// Both roundings are computed in float32 exactly as the trainer's fake-quant computes them, so a
// value already on the grid (float32(v) * scale, float32(q) * scale + min) maps to itself.
// Torch-free; brotli from tac/entropy.
#include <cstdint>
#include <span>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"

namespace tac::codec::hnerv95 {

// Nearest grid levels (the functions the writer and the fake-quant tests share).
std::int8_t weight_level(float w, float scale);
std::uint8_t latent_level(float z, float min, float scale);

// The three sections before brotli, in the reader's layouts (RawSections).
RawSections encode_raw_sections(const Archive& archive);

struct WriteOptions {
  int brotli_quality = 11;
  int brotli_window = 24;
};
// The member: 3 x (u32 n, n bytes of brotli).
std::vector<std::uint8_t> write_member(const RawSections& raw, const WriteOptions& options = {});
std::vector<std::uint8_t> write_member(const Archive& archive, const WriteOptions& options = {});

}  // namespace tac::codec::hnerv95
