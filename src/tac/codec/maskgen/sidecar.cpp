#include "tac/codec/maskgen/sidecar.hpp"

#include <algorithm>

#include "tac/codec/maskgen/decompress.hpp"
#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/mask_tile_decoder.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

constexpr std::size_t kMaxSidecarBytes = 1 << 22;  // 65535 records of at most ~2.3 KB is far above any real one
constexpr std::array<std::array<int, 2>, 5> kPatternSize = {{{1, 1}, {3, 3}, {1, 4}, {4, 1}, {2, 2}}};  // rows, cols
constexpr std::array<int, 3> kPoseDimsEdited = {1, 2, 5};
constexpr std::array<double, kPoseDims> kPoseStep = {0.001, 0.005, 0.005, 0.001, 0.001, 0.005};

enum Flag : std::uint8_t { kX2 = 1, kCmaes = 2, kPattern = 4, kPose = 8, kWarp = 16 };

std::vector<MaskPatch> read_patches(ByteReader& in, bool with_pattern, const std::string& source, int pair,
                                    const char* kind) {
  const int n = in.u8("patch count");
  auto block = in.block(std::uint64_t(3) * n, "patches");
  std::vector<MaskPatch> out(n);
  for (auto& p : out) {
    const std::uint32_t v = block.u8() | (std::uint32_t(block.u8()) << 8) | (std::uint32_t(block.u8()) << 16);
    p.x = static_cast<int>(v & 0x1FF);
    p.y = static_cast<int>((v >> 9) & 0x1FF);
    p.label = static_cast<std::uint8_t>((v >> 18) & 7);
    p.pattern = static_cast<std::uint8_t>((v >> 21) & 7);
    if (p.label >= kMaskClasses)
      fail(ErrorKind::corrupt_input, "{}: sidecar {} patch of pair {} paints class {} (classes are 0..4)", source, kind,
           pair, p.label);
    if (with_pattern && p.pattern >= kPatternSize.size())
      fail(ErrorKind::corrupt_input, "{}: sidecar pattern patch of pair {} has unknown pattern {}", source, pair,
           p.pattern);
    if (!with_pattern) p.pattern = 0;
  }
  return out;
}

void paint(std::span<std::uint8_t> mask, int x, int y, int rows, int cols, std::uint8_t label) {
  const int y1 = std::min(y + rows, kMaskH), x1 = std::min(x + cols, kMaskW);
  for (int r = y; r < y1; ++r)
    for (int c = x; c < x1; ++c) mask[std::size_t(r) * kMaskW + c] = label;
}

}  // namespace

Sidecar::Counts Sidecar::counts() const {
  Counts c;
  for (const auto& [pair, e] : pairs) {
    c.x2 += e.x2.has_value();
    c.cmaes += e.cmaes.has_value();
    c.pattern += e.pattern.has_value();
    c.pose += e.pose.has_value();
    c.warp += e.warp.has_value();
  }
  return c;
}

Sidecar parse_sidecar(std::span<const std::uint8_t> raw, const std::string& source) {
  const std::string name = source + ": sidecar";
  ByteReader in(raw, name);
  const auto magic = in.text(4, "magic");
  if (magic != "BPGD") fail(ErrorKind::corrupt_input, "{}: does not start with BPGD", name);
  const int n = in.u16("record count");
  Sidecar s;
  int pair = 0;
  for (int r = 0; r < n; ++r) {
    if (r == 0) {
      pair = in.u16("pair index");
    } else {
      const int delta = in.u8("pair delta");
      pair = delta == 0xFF ? in.u16("pair index") : pair + delta;
    }
    if (pair >= kPairs)
      fail(ErrorKind::corrupt_input, "{}: record {} is for pair {} (there are {})", name, r, pair, kPairs);
    const std::uint8_t flags = in.u8("flags");
    PairEdits& e = s.pairs[pair];
    if (flags & kX2) e.x2 = read_patches(in, false, name, pair, "x2");
    if (flags & kCmaes) {
      e.cmaes = read_patches(in, false, name, pair, "cmaes");
      for (const auto& p : *e.cmaes)  // single pixels are not clipped: the reference indexes them directly
        if (p.y >= kMaskH)
          fail(ErrorKind::corrupt_input, "{}: pixel patch of pair {} at row {} is outside the mask", name, pair, p.y);
    }
    if (flags & kPattern) e.pattern = read_patches(in, true, name, pair, "pattern");
    if (flags & kPose) {
      auto b = in.block(3, "pose corrections");
      e.pose = std::array<int, 3>{};
      for (int& v : *e.pose) v = static_cast<std::int8_t>(b.u8());
    }
    if (flags & kWarp) {
      auto b = in.block(2, "warp");
      e.warp = Warp{static_cast<std::int8_t>(b.u8()), static_cast<std::int8_t>(b.u8())};
    }
  }
  if (!in.at_end()) fail(ErrorKind::corrupt_input, "{}: {} bytes after the last record", name, in.remaining());
  return s;
}

std::vector<std::uint8_t> inflate_sidecar_record(std::span<const std::uint8_t> record, const std::string& source) {
  if (record.empty()) return {};
  return xz_decompress(record, kMaxSidecarBytes, source + ": sidecar record");
}

Sidecar decode_sidecar_record(std::span<const std::uint8_t> record, const std::string& source) {
  if (record.empty()) return {};
  return parse_sidecar(inflate_sidecar_record(record, source), source);
}

void apply_mask_edits(const PairEdits& e, std::span<std::uint8_t> mask) {
  if (e.x2)
    for (const auto& p : *e.x2) paint(mask, p.x, p.y, 2, 2, p.label);
  if (e.pattern)
    for (const auto& p : *e.pattern) paint(mask, p.x, p.y, kPatternSize[p.pattern][0], kPatternSize[p.pattern][1], p.label);
  if (e.cmaes)
    for (const auto& p : *e.cmaes) paint(mask, p.x, p.y, 1, 1, p.label);
}

void apply_pose_edits(const PairEdits& e, Pose& pose) {
  if (!e.pose) return;
  for (int i = 0; i < 3; ++i) {
    const int d = kPoseDimsEdited[i];
    // The reference adds a Python float (double) to a float32 tensor: the double is rounded to
    // float32 first, then added in float32.
    const float step = static_cast<float>(double((*e.pose)[i]) * kPoseStep[d]);
    pose[d] = pose[d] + step;
  }
}

void apply_sidecar(const Sidecar& sidecar, std::span<std::uint8_t> masks, std::span<Pose> poses) {
  for (const auto& [pair, e] : sidecar.pairs) {
    apply_mask_edits(e, masks.subspan(std::size_t(pair) * kMaskPixels, kMaskPixels));
    apply_pose_edits(e, poses[pair]);
  }
}

}  // namespace tac::codec::maskgen
