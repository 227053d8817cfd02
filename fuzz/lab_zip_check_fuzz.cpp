// libFuzzer target: `tac lab check`'s zip inspection and rules on arbitrary bytes. Property: the
// rules never throw and never crash — anything that is not a clean zip becomes findings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "comma_lab/check/zip_rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  comma_lab::check::ZipLimits limits;
  limits.max_member_bytes = 16u << 20;
  const auto findings = comma_lab::check::check_zip_bytes({data, size}, "fuzz.zip", limits);
  for (const auto& f : findings)
    if (f.id.empty() || f.reason.empty()) std::abort();
  return 0;
}
