// libFuzzer target: the safetensors parser must reject or accept any bytes without crashing.
#include <cstddef>
#include <cstdint>

#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto file = tac::io::Safetensors::parse({data, size}, "fuzz");
    for (const auto& t : file.tensors()) {
      if (t.dtype == tac::io::DType::F32 || t.dtype == tac::io::DType::F16) (void)file.to_float32(t);
    }
  } catch (const tac::Error&) {
  }
  return 0;
}
