// libFuzzer target: the upstream report.txt parser (tac lab import-report) on arbitrary text.
// Property: it returns a report with its required fields or throws tac::Error of kind
// corrupt_input / limit_exceeded; anything else (another exception, a crash) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "comma_lab/import/upstream_report.hpp"
#include "tac/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto r = comma_lab::import::parse_upstream_report(text, "fuzz/report.txt");
    if (r.original_bytes == 0) std::abort();
  } catch (const tac::Error& e) {
    if (e.kind() != tac::ErrorKind::corrupt_input && e.kind() != tac::ErrorKind::limit_exceeded) std::abort();
  }
  return 0;
}
