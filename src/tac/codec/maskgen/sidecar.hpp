#pragma once
// The sidecar record of the maskgen family: xz of `BPGD`, u16 n_records, then per record the pair
// index (u16 for the first; after that u8 delta from the previous, or 0xFF then u16), u8 flags
// (1 x2, 2 cmaes, 4 pattern, 8 pose, 16 warp) and, per flag in that bit order, its payload:
// mask patches (u8 count, then 24-bit little-endian words: x 9 bits, y 9 bits, class 3 bits, and
// for pattern patches the pattern id in the top 3 bits), three i8 pose corrections (dimensions
// 1, 2, 5), an (i8 qx, i8 qy) warp of the pair's first frame. A later record of the same pair
// replaces the earlier one's entries of the same kind (the reference keeps dicts by pair).
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tac/codec/maskgen/pose_stream.hpp"

namespace tac::codec::maskgen {

struct MaskPatch {
  int x = 0, y = 0;
  std::uint8_t label = 0;
  std::uint8_t pattern = 0;  // pattern patches only: 0 1x1, 1 3x3, 2 1x4, 3 4x1, 4 2x2 (rows x columns)
};

struct Warp {
  int qx = 0, qy = 0;  // tenths of a generator pixel
  bool active() const { return qx != 0 || qy != 0; }
};

struct PairEdits {
  std::optional<std::vector<MaskPatch>> x2, cmaes, pattern;
  std::optional<std::array<int, 3>> pose;
  std::optional<Warp> warp;
};

struct Sidecar {
  std::map<int, PairEdits> pairs;  // by pair index (< kPairs)
  struct Counts {
    int x2 = 0, cmaes = 0, pattern = 0, pose = 0, warp = 0;  // pairs with an entry of each kind
  };
  Counts counts() const;
};

Sidecar parse_sidecar(std::span<const std::uint8_t> raw, const std::string& source);
// The record as stored (xz) to the raw bytes parse_sidecar reads (capped); empty stays empty.
std::vector<std::uint8_t> inflate_sidecar_record(std::span<const std::uint8_t> record, const std::string& source);
// The record as stored (xz). An empty record is an empty sidecar.
Sidecar decode_sidecar_record(std::span<const std::uint8_t> record, const std::string& source);

// Applies the mask patches of one pair to its mask (kMaskH x kMaskW labels): 2x2 patches, then
// pattern patches, then single pixels, each clipped at the border.
void apply_mask_edits(const PairEdits& edits, std::span<std::uint8_t> mask);
// Adds the pose corrections (i8 x 0.005 on dimensions 1, 2, 5, rounded to float32 first).
void apply_pose_edits(const PairEdits& edits, Pose& pose);
// Applies every pair's mask edits (masks: kPairs x kMaskPixels) and pose corrections.
void apply_sidecar(const Sidecar& sidecar, std::span<std::uint8_t> masks, std::span<Pose> poses);

}  // namespace tac::codec::maskgen
