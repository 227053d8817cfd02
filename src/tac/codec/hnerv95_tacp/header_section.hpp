#pragma once
// The "header" section of an hnerv95_tacp packet: every byte of the hnerv95 member that is not an
// int8 weight or a latent, rearranged so a generic coder finds its redundancy (fields grouped by
// kind, integers as ULEB128, float bytes split into planes):
//   ULEB128 meta length, the JSON meta bytes;
//   ULEB128 tensor count n; n x ULEB128 name length; the n names; n x ULEB128 rank; all dims
//   (ULEB128, tensor by tensor); the f32 scales as 4 byte planes of n bytes (byte 0 of every scale,
//   then byte 1, ...).
// The hnerv95 record's u32 size field is not stored: it equals the product of the dims (the
// hnerv95 reader refuses anything else), so the weights section is rebuilt byte for byte.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tac::codec::hnerv95_tacp {

struct TensorHeader {
  std::string name;
  std::vector<std::uint32_t> dims;
  std::array<std::uint8_t, 4> scale{};  // the f32 bits as stored
  std::uint64_t size() const;
  bool operator==(const TensorHeader&) const = default;
};

struct HeaderSection {
  std::vector<std::uint8_t> meta_json;
  std::vector<TensorHeader> tensors;
};

std::vector<std::uint8_t> write_header_section(const HeaderSection& header);
// Refuses damage and absurd sizes (corrupt_input / limit_exceeded naming `source`).
HeaderSection read_header_section(std::span<const std::uint8_t> bytes, const std::string& source);

// The hnerv95 weights section (after brotli) <-> tensor headers and their zigzag int8 values.
// split refuses a section it could not rebuild exactly (corrupt_input).
std::vector<TensorHeader> split_weights_section(std::span<const std::uint8_t> raw,
                                                std::vector<std::span<const std::uint8_t>>& values,
                                                const std::string& source);
std::vector<std::uint8_t> join_weights_section(const std::vector<TensorHeader>& headers,
                                               const std::vector<std::vector<std::uint8_t>>& values);

}  // namespace tac::codec::hnerv95_tacp
