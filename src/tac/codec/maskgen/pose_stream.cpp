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

std::size_t PoseHeader::packed_bytes() const {
  std::uint64_t total_bits = 0;
  for (const int b : bits) total_bits += std::uint64_t(b) * kPairs;
  return static_cast<std::size_t>((total_bits + 7) / 8);
}

PoseHeader parse_pose_header(std::span<const std::uint8_t> raw, const std::string& source) {
  ByteReader in(raw, source + ": pose record");
  const std::uint32_t n_pair = in.u32("pair count"), n_dim = in.u32("dimension count");
  if (n_pair != kPairs || n_dim != kPoseDims)
    fail(ErrorKind::corrupt_input, "{}: pose record holds {} x {} values; this format has {} x {}", source, n_pair,
         n_dim, kPairs, kPoseDims);
  PoseHeader h;
  for (int d = 0; d < kPoseDims; ++d) {
    h.bits[d] = in.u8("bits per value");
    if (h.bits[d] > 32)
      fail(ErrorKind::corrupt_input, "{}: pose dimension {} has {} bits per value (at most 32)", source, d, h.bits[d]);
  }
  for (int d = 0; d < kPoseDims; ++d) {
    h.lo[d] = in.f32("lo");
    h.scale[d] = in.f32("scale");
  }
  return h;
}

std::array<std::vector<std::uint32_t>, kPoseDims> unpack_pose_values(const PoseHeader& h, std::span<const std::uint8_t> stream) {
  if (stream.size() < h.packed_bytes())
    fail(ErrorKind::internal, "pose values: a bit stream of {} bytes, the header needs {}", stream.size(), h.packed_bytes());
  std::array<std::vector<std::uint32_t>, kPoseDims> values;
  std::uint64_t at = 0;  // bit position
  for (int d = 0; d < kPoseDims; ++d) {
    values[d].assign(kPairs, 0);
    for (auto& v : values[d])
      for (int b = 0; b < h.bits[d]; ++b, ++at) v = (v << 1) | ((stream[at >> 3] >> (7 - (at & 7))) & 1u);
  }
  return values;
}

std::vector<Pose> parse_poses(std::span<const std::uint8_t> raw, const std::string& source) {
  const PoseHeader h = parse_pose_header(raw, source);
  ByteReader in(raw.subspan(PoseHeader::kBytes), source + ": pose record");
  const auto stream = in.take(h.packed_bytes(), "packed pose bits");
  if (!in.at_end())
    fail(ErrorKind::corrupt_input, "{}: pose record has {} bytes after its bit stream", source, in.remaining());
  const auto values = unpack_pose_values(h, stream);
  std::vector<Pose> poses(kPairs);
  for (int d = 0; d < kPoseDims; ++d)
    for (std::size_t p = 0; p < poses.size(); ++p) {
      const float step = static_cast<float>(values[d][p]) * h.scale[d];
      poses[p][d] = h.lo[d] + step;
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
