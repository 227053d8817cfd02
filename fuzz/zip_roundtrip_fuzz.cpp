// libFuzzer target, a property: whatever zip archive the reader accepts (every member readable),
// writing its members gives an archive the reader accepts with the same names and contents in the
// same order, and writing that again gives the same bytes. Names the writer refuses (directory
// entries, names with empty or '.' components) make an input not representable, not a failure.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "tac/core/error.hpp"
#include "tac/io/zip_reader.hpp"
#include "tac/io/zip_writer.hpp"

namespace {

struct Member {
  std::string name;
  std::vector<std::uint8_t> bytes;
  bool operator==(const Member&) const = default;
};

tac::io::ZipLimits fuzz_limits() {
  tac::io::ZipLimits limits;
  limits.max_member_bytes = 64u << 20;
  limits.max_total_bytes = 128u << 20;
  return limits;
}

std::vector<Member> read_all(std::span<const std::uint8_t> bytes) {
  const auto zip = tac::io::ZipReader::parse(bytes, "fuzz.zip", fuzz_limits());
  std::vector<Member> out;
  for (const auto& m : zip.members()) out.push_back({m.name, zip.read(m)});
  return out;
}

std::vector<std::uint8_t> write_all(const std::vector<Member>& members) {
  std::vector<tac::io::ZipEntry> entries;
  for (const auto& m : members) entries.push_back({m.name, m.bytes});
  return tac::io::zip_store(entries);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<Member> original;
  try {
    original = read_all({data, size});
  } catch (const tac::Error&) {
    return 0;
  }
  std::vector<std::uint8_t> written;
  try {
    written = write_all(original);
  } catch (const tac::Error& e) {
    TAC_FUZZ_CHECK(e.kind() == tac::ErrorKind::usage, "the writer failed on readable members: %s", e.what());
    return 0;  // a name the writer does not write
  }
  std::vector<Member> reread;
  try {
    reread = read_all(written);
  } catch (const tac::Error& e) {
    TAC_FUZZ_CHECK(false, "the writer's output does not read back: %s", e.what());
  }
  TAC_FUZZ_CHECK(reread == original, "names or contents changed in the round trip (%zu -> %zu members)", original.size(),
                 reread.size());
  TAC_FUZZ_CHECK(write_all(reread) == written, "writing the round-tripped members changed the bytes");
  return 0;
}
