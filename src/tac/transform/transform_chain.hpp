#pragma once
// A list of byte transforms applied in order before a coder and undone in reverse after it.
// Serialized as: count (ULEB128), then per step: kind (u8), parameter (ULEB128). Parsing refuses
// unknown kinds and parameters out of range as corrupt input (the bytes come from outside).
#include <cstdint>
#include <string>
#include <vector>

#include "tac/core/byte_reader.hpp"
#include "tac/transform/byte_transforms.hpp"

namespace tac::transform {

enum class TransformKind : std::uint8_t {
  delta = 1,           // parameter: stride (1 .. 2^30); temporal delta = frame size
  byte_planes = 2,     // parameter: element width (1 .. 64)
  transpose = 3,       // parameter: row length in bytes (1 .. 2^30)
  zigzag = 4,          // parameter: 0
  negated_zigzag = 5,  // parameter: 0
  offset = 6,          // parameter: k (0 .. 255)
};

struct TransformStep {
  TransformKind kind;
  std::uint64_t parameter = 0;
  bool operator==(const TransformStep&) const = default;
};

inline constexpr std::size_t kMaxTransformSteps = 16;

Bytes apply_forward(const std::vector<TransformStep>& steps, ByteSpan in);
Bytes apply_inverse(const std::vector<TransformStep>& steps, ByteSpan in);

void append_steps(Bytes& out, const std::vector<TransformStep>& steps);
std::vector<TransformStep> read_steps(ByteReader& reader);

// "delta:4", "zigzag", ... (names as in TransformKind; the parameter after a colon).
std::string describe(const TransformStep& step);
TransformStep parse_step(const std::string& text);  // throws usage

}  // namespace tac::transform
