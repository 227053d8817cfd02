// libFuzzer target: the hnerv95 member reader and model builder on arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  (void)tac::codec::hnerv95::looks_like_hnerv95(bytes);
  try {
    const auto archive = tac::codec::hnerv95::parse_archive(bytes, "fuzz.bin");
    (void)tac::codec::hnerv95::build_model(archive);
  } catch (const tac::Error&) {
  }
  return 0;
}
