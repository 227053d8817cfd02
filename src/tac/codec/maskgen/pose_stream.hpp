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

std::vector<Pose> parse_poses(std::span<const std::uint8_t> raw, const std::string& source);
// The record as stored (brotli) to the raw bytes parse_poses reads, capped at a generous size.
std::vector<std::uint8_t> inflate_pose_record(std::span<const std::uint8_t> record, const std::string& source);
// The record as stored (brotli).
std::vector<Pose> decode_pose_record(std::span<const std::uint8_t> record, const std::string& source);

}  // namespace tac::codec::maskgen
