// libFuzzer target, a property: whatever safetensors bytes the parser accepts, writing the parsed
// tensors and metadata gives bytes that parse to the same tensors and metadata, and writing those
// again gives the same bytes (the writer's output is a fixed point).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "fuzz_check.hpp"
#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

namespace {

using tac::io::Safetensors;

std::optional<Safetensors> parse(std::span<const std::uint8_t> bytes) {
  try {
    return Safetensors::parse(bytes, "fuzz");
  } catch (const tac::Error&) {
    return std::nullopt;
  }
}

std::vector<std::uint8_t> write(const Safetensors& file) {
  std::vector<tac::io::TensorToWrite> tensors;
  for (const auto& t : file.tensors()) tensors.push_back({t.name, t.dtype, t.shape, t.data});
  return tac::io::serialize_safetensors(tensors, file.metadata());
}

bool same(const Safetensors& a, const Safetensors& b) {
  if (a.metadata() != b.metadata() || a.tensors().size() != b.tensors().size()) return false;
  for (const auto& t : a.tensors()) {
    const auto* u = b.find(t.name);
    if (u == nullptr || u->dtype != t.dtype || u->shape != t.shape || u->numel != t.numel ||
        !std::equal(t.data.begin(), t.data.end(), u->data.begin(), u->data.end()))
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto original = parse({data, size});
  if (!original) return 0;
  const auto written = write(*original);
  const auto reparsed = parse(written);
  TAC_FUZZ_CHECK(reparsed.has_value(), "the writer's output (%zu bytes) does not parse", written.size());
  TAC_FUZZ_CHECK(same(*original, *reparsed), "tensors or metadata changed in the round trip");
  TAC_FUZZ_CHECK(write(*reparsed) == written, "writing the round-tripped file changed its bytes");
  return 0;
}
