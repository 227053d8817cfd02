#include "tac/codec/maskgen/pose_stream.hpp"

#include "tac/codec/maskgen/decompress.hpp"
#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

// 600 poses of 6 dims at 32 bits each, plus the header, fits well below this.
constexpr std::size_t kMaxPoseBytes = 1 << 16;

}  // namespace

std::vector<Pose> parse_poses(std::span<const std::uint8_t> raw, const std::string& source) {
  ByteReader in(raw, source + ": pose record");
  const std::uint32_t n_pair = in.u32("pair count"), n_dim = in.u32("dimension count");
  if (n_pair != kPairs || n_dim != kPoseDims)
    fail(ErrorKind::corrupt_input, "{}: pose record holds {} x {} values; this format has {} x {}", source, n_pair,
         n_dim, kPairs, kPoseDims);
  std::array<int, kPoseDims> bits;
  std::uint64_t total_bits = 0;
  for (int d = 0; d < kPoseDims; ++d) {
    bits[d] = in.u8("bits per value");
    if (bits[d] > 32)
      fail(ErrorKind::corrupt_input, "{}: pose dimension {} has {} bits per value (at most 32)", source, d, bits[d]);
    total_bits += std::uint64_t(bits[d]) * n_pair;
  }
  std::array<float, kPoseDims> lo, scale;
  for (int d = 0; d < kPoseDims; ++d) {
    lo[d] = in.f32("lo");
    scale[d] = in.f32("scale");
  }
  const auto stream = in.take((total_bits + 7) / 8, "packed pose bits");
  if (!in.at_end())
    fail(ErrorKind::corrupt_input, "{}: pose record has {} bytes after its bit stream", source, in.remaining());
  std::vector<Pose> poses(n_pair);
  std::uint64_t at = 0;  // bit position
  for (int d = 0; d < kPoseDims; ++d) {
    for (auto& pose : poses) {
      std::uint32_t v = 0;
      for (int b = 0; b < bits[d]; ++b, ++at) v = (v << 1) | ((stream[at >> 3] >> (7 - (at & 7))) & 1u);
      const float step = static_cast<float>(v) * scale[d];
      pose[d] = lo[d] + step;
    }
  }
  return poses;
}

std::vector<std::uint8_t> inflate_pose_record(std::span<const std::uint8_t> record, const std::string& source) {
  return brotli_decompress(record, kMaxPoseBytes, source + ": pose record");
}

std::vector<Pose> decode_pose_record(std::span<const std::uint8_t> record, const std::string& source) {
  return parse_poses(inflate_pose_record(record, source), source);
}

}  // namespace tac::codec::maskgen
