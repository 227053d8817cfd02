#include "scorer_test_data.hpp"

#include <zstd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace tac::test {

std::vector<float> golden_floats(const io::Safetensors& file, const std::string& name) {
  return file.to_float32(name);
}

std::vector<std::uint8_t> golden_bytes(const io::Safetensors& file, const std::string& name) {
  const io::TensorView& t = file.at(name);
  if (t.dtype != io::DType::U8) throw std::runtime_error(name + " is not uint8");
  return {t.data.begin(), t.data.end()};
}

std::vector<std::uint8_t> read_zstd_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> packed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::uint8_t> out;
  ZSTD_DStream* stream = ZSTD_createDStream();
  std::vector<std::uint8_t> chunk(ZSTD_DStreamOutSize());
  ZSTD_inBuffer input{packed.data(), packed.size(), 0};
  while (input.pos < input.size) {
    ZSTD_outBuffer output{chunk.data(), chunk.size(), 0};
    const std::size_t rc = ZSTD_decompressStream(stream, &output, &input);
    if (ZSTD_isError(rc)) {
      ZSTD_freeDStream(stream);
      throw std::runtime_error(path.string() + ": zstd: " + ZSTD_getErrorName(rc));
    }
    out.insert(out.end(), chunk.data(), chunk.data() + output.pos);
  }
  ZSTD_freeDStream(stream);
  return out;
}

}  // namespace tac::test
