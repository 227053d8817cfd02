// libFuzzer target: the hnerv95 member reader and model builder on arbitrary bytes. Bytes that
// start like a zip are opened as one first (each member then goes through the reader), so the
// contest archive itself seeds the run; anything else is taken as a bare `<video>.bin` member.
// Seeds: corpus/hnerv95_reader/synthetic_6ch.bin is a valid member for a tiny decoder (6-channel
// stages, refine width 1, latent_dim 2, 3 pairs, int8 weights 0..7 x 0.01) so mutations reach the
// tensor/latent parsers and build_model; hnerv95_reader.fixtures adds the real archive (MIT).
#include <cstddef>
#include <cstdint>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/error.hpp"
#include "tac/io/zip_reader.hpp"

namespace {
void read_member(std::span<const std::uint8_t> bytes) {
  (void)tac::codec::hnerv95::looks_like_hnerv95(bytes);
  try {
    const auto archive = tac::codec::hnerv95::parse_archive(bytes, "fuzz.bin");
    (void)tac::codec::hnerv95::build_model(archive);
  } catch (const tac::Error&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  if (tac::io::looks_like_zip(bytes)) {
    tac::io::ZipLimits limits;
    limits.max_member_bytes = 16u << 20;
    limits.max_total_bytes = 32u << 20;
    try {
      const auto zip = tac::io::ZipReader::parse(bytes, "fuzz.zip", limits);
      for (const auto& m : zip.members()) read_member(zip.read(m));
    } catch (const tac::Error&) {
    }
  }
  read_member(bytes);
  return 0;
}
