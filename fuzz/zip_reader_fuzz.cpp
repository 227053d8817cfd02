// libFuzzer target: the zip reader on arbitrary bytes (parse, then read every member).
#include <cstddef>
#include <cstdint>

#include "tac/core/error.hpp"
#include "tac/io/zip_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tac::io::ZipLimits limits;
  limits.max_member_bytes = 64u << 20;
  limits.max_total_bytes = 128u << 20;
  try {
    const auto zip = tac::io::ZipReader::parse({data, size}, "fuzz.zip", limits);
    for (const auto& m : zip.members()) {
      (void)tac::io::is_safe_member_name(m.name);
      (void)zip.read(m);
    }
  } catch (const tac::Error&) {
  }
  return 0;
}
