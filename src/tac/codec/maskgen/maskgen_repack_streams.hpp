#pragma once
// The raw (decompressed) pose, model and sidecar records of the maskgen family split into streams
// of one kind each, and joined back, for the lossless repack (maskgen_repack.hpp).
//   model:   FP4 nibbles, f16 block scales, f16 tensors (schema order); optionally the f16 values
//            as low / high byte planes, the nibbles one per byte, as sign bits + 3-bit magnitudes or
//            as magnitudes + the signs of the non-zero ones, depthwise tensors and biases apart;
//   pose:    the 62-byte header, then the bit-packed values unpacked to byte planes per dimension,
//            as they are or as zigzag differences from the previous pair;
//   sidecar: the record grammar's fields (header, pair indices, flags, patch counts, patch words
//            per kind, pose corrections, warps), optionally the 24-bit patch words as x, y and
//            rest bytes (x 9 bits, y 9 bits: their low bytes, then one byte of both high bits and
//            the class / pattern bits).
// split expects raw bytes its record's parser accepted (it returns nullopt when the bytes do not
// have the layout's shape, e.g. a negative-zero nibble); join reads streams from outside and fails
// (corrupt_input, naming `source` and the stream) on anything that does not rebuild the record.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tac/codec/maskgen/maskgen_payload.hpp"

namespace tac::codec::maskgen {

using RawBytes = std::vector<std::uint8_t>;

struct StreamLayout {
  std::string name;
  std::vector<std::string> streams;  // names, in the order split returns them and join takes them
  std::function<std::optional<std::vector<RawBytes>>(std::span<const std::uint8_t> raw)> split;
  std::function<RawBytes(const std::vector<RawBytes>& streams, const std::string& source)> join;
};

// The split layouts of the pose, model and sidecar records (the mask record has none: it stays as
// coded). No two layouts of a record share their list of stream names.
const std::vector<StreamLayout>& stream_layouts(RecordId id);

}  // namespace tac::codec::maskgen
