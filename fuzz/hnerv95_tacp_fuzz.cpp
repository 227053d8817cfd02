// libFuzzer target: the hnerv95_tacp member reader (`tac repack`'s format) on arbitrary bytes, once
// with CRC checks and once without, so the header, weight and latent decoders see mutated payloads
// too; a member that decodes must also build the hnerv95 model. Failures must be the input's fault.
// Seed: corpus/hnerv95_tacp/synthetic_6ch.tacp, `tac repack` of corpus/hnerv95_reader/synthetic_6ch.bin
// (a tiny valid hnerv95 member).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/codec/hnerv95_tacp/tacp_member.hpp"
#include "tac/core/error.hpp"

namespace tp = tac::codec::hnerv95_tacp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  (void)tp::looks_like_member(bytes);
  try {
    (void)tp::describe_member(bytes, "fuzz");
  } catch (const tac::Error&) {
  }
  for (const bool check_crc : {true, false}) {
    try {
      const auto raw = tp::unpack_raw_sections(bytes, "fuzz", check_crc);
      const auto archive = tac::codec::hnerv95::parse_raw_sections(raw, "fuzz");
      (void)tac::codec::hnerv95::build_model(archive);
    } catch (const tac::Error& e) {
      TAC_FUZZ_CHECK(e.kind() == tac::ErrorKind::corrupt_input || e.kind() == tac::ErrorKind::limit_exceeded,
                     "failed as %s: %s", std::string(tac::kind_name(e.kind())).c_str(), e.what());
    }
  }
  return 0;
}
