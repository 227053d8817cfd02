// libFuzzer target: `tac tune --profile` recipes (TOML through toml++) are accepted or refused with a
// tac::Error, never a crash or another exception; what is accepted passes every mechanism's checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "tac/core/error.hpp"
#include "tac/train/tune_recipe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto r = tac::train::parse_tune_recipe(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
    tac::train::validate(r.lr_schedule, "fuzz");
    tac::train::validate(r.phases, "fuzz");
    tac::train::validate(r.mining, "fuzz");
    TAC_FUZZ_CHECK(!(r.lr && !(*r.lr > 0)), "accepted lr %g", *r.lr);
  } catch (const tac::Error&) {
  }
  return 0;
}
