#pragma once
// Invertible rearrangements of byte buffers, for pipelines in front of a coder. Each forward
// transform keeps the size; the inverse restores the input exactly for every size (a tail that
// does not fill a whole element or row passes through unchanged at the end).
#include <cstdint>
#include <span>
#include <vector>

namespace tac::transform {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

// out[i] = in[i] - in[i - stride] (mod 256); the first `stride` bytes are kept. stride = element
// width gives a per-byte-lane delta; stride = frame size gives the temporal delta of frames.
Bytes delta(ByteSpan in, std::size_t stride);
Bytes undelta(ByteSpan in, std::size_t stride);
inline Bytes temporal_delta(ByteSpan frames, std::size_t frame_size) { return delta(frames, frame_size); }
inline Bytes temporal_undelta(ByteSpan frames, std::size_t frame_size) { return undelta(frames, frame_size); }

// Elements of `width` bytes split into `width` planes: all byte 0s, then all byte 1s, ...
Bytes byte_planes(ByteSpan in, std::size_t width);
Bytes unbyte_planes(ByteSpan in, std::size_t width);

// Rows of `columns` bytes (row-major) rewritten column-major.
Bytes transpose(ByteSpan in, std::size_t columns);
Bytes untranspose(ByteSpan in, std::size_t columns);

// Every byte as int8 through zigzag / negated zigzag, or offset by k.
Bytes zigzag_bytes(ByteSpan in);
Bytes unzigzag_bytes(ByteSpan in);
Bytes negated_zigzag_bytes(ByteSpan in);
Bytes unnegated_zigzag_bytes(ByteSpan in);
Bytes offset_bytes(ByteSpan in, std::uint8_t k);

}  // namespace tac::transform
