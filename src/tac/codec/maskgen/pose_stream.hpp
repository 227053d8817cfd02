#pragma once
// The pose record of the maskgen family, after brotli: u32 n_pair (600), u32 n_dim (6),
// u8 bits[n_dim], n_dim x (f32 lo, f32 scale), then one bit stream (most significant bit first)
// holding, dimension by dimension, n_pair values of bits[d] bits; pose = lo + float(v) * scale,
// in float32 with two roundings.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tac::codec::maskgen {

inline constexpr int kPoseDims = 6;
using Pose = std::array<float, kPoseDims>;

// The header: each dimension's bit width and (lo, scale).
struct PoseHeader {
  static constexpr std::size_t kBytes = 8 + kPoseDims + 8 * kPoseDims;  // n_pair, n_dim, bits, (lo, scale)
  std::array<int, kPoseDims> bits{};
  std::array<float, kPoseDims> lo{}, scale{};
  std::size_t packed_bytes() const;  // bytes of the bit stream that follows the header
};
// The header at the start of `raw`: corrupt input when it is short, holds other counts than
// 600 x 6, or a width over 32 bits.
PoseHeader parse_pose_header(std::span<const std::uint8_t> raw, const std::string& source);
// Each dimension's n_pair values (bits[d] wide, most significant bit first) from the bit stream;
// `stream` must hold packed_bytes().
std::array<std::vector<std::uint32_t>, kPoseDims> unpack_pose_values(const PoseHeader& header, std::span<const std::uint8_t> stream);

std::vector<Pose> parse_poses(std::span<const std::uint8_t> raw, const std::string& source);
// The record as stored (brotli) to the raw bytes parse_poses reads, capped at a generous size.
std::vector<std::uint8_t> inflate_pose_record(std::span<const std::uint8_t> record, const std::string& source);
// The record as stored (brotli).
std::vector<Pose> decode_pose_record(std::span<const std::uint8_t> record, const std::string& source);

}  // namespace tac::codec::maskgen
