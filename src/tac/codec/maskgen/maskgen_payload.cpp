#include "tac/codec/maskgen/maskgen_payload.hpp"

#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::maskgen {

Payload split_payload(std::span<const std::uint8_t> bytes, const std::string& source) {
  ByteReader in(bytes, source);
  Payload p;
  for (int i = 0; i < kRecordCount; ++i) {
    const std::string field = fmt::format("{} record", kRecordNames[i]);
    p.records[i].offset = in.offset();
    const std::uint32_t length = in.u32(field + " length");
    p.records[i].bytes = in.take(length, field);
  }
  if (!in.at_end())
    fail(ErrorKind::corrupt_input, "{}: {} bytes after the sidecar record (offset {}); the payload is four records",
         source, in.remaining(), in.offset());
  return p;
}

}  // namespace tac::codec::maskgen
