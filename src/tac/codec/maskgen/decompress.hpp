#pragma once
// The two general-purpose compressors of the maskgen records, with hostile-input caps: brotli
// (pose, model) and xz (sidecar). Damaged streams fail as corrupt_input, streams that inflate past
// `cap` bytes as limit_exceeded; `what` names the stream in errors.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tac::codec::maskgen {

std::vector<std::uint8_t> brotli_decompress(std::span<const std::uint8_t> in, std::size_t cap, const std::string& what);
// One or more concatenated .xz streams (as Python's lzma.decompress accepts).
std::vector<std::uint8_t> xz_decompress(std::span<const std::uint8_t> in, std::size_t cap, const std::string& what);

}  // namespace tac::codec::maskgen
