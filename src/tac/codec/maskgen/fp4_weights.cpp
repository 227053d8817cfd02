#include "tac/codec/maskgen/fp4_weights.hpp"

#include <array>
#include <cmath>

#include "tac/codec/maskgen/decompress.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

namespace tac::codec::maskgen {
namespace {

constexpr std::array<float, 8> kLevels = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
constexpr std::size_t kMaxModelBytes = 1 << 20;  // the generator is ~105 KB decoded

std::size_t blocks_of(std::size_t n) { return (n + kFp4Block - 1) / kFp4Block; }

}  // namespace

std::vector<float> fp4_dequantize(std::span<const std::uint8_t> nibbles, std::span<const std::uint16_t> scales,
                                  std::size_t n) {
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t byte = nibbles[i / 2];
    const std::uint8_t q = (i % 2 == 0) ? byte >> 4 : byte & 0x0F;
    const float level = kLevels[q & 7];
    out[i] = ((q & 8) ? -level : level) * io::half_to_float(scales[i / kFp4Block]);
  }
  return out;
}

void fp4_round_trip(std::span<float> values) {
  for (std::size_t start = 0; start < values.size(); start += kFp4Block) {
    const auto block = values.subspan(start, std::min<std::size_t>(kFp4Block, values.size() - start));
    float max_abs = 0.0f;  // the zero padding of a short last block does not change the max
    for (float v : block) max_abs = std::fmax(max_abs, std::fabs(v));
    const float scale = max_abs > 0.0f ? max_abs / 6.0f : 1.0f;
    for (float& v : block) {
      const float norm = v / scale;
      const float mag = std::fabs(norm);
      int best = 0;
      float best_d = std::fabs(mag - kLevels[0]);
      for (int l = 1; l < 8; ++l) {
        const float d = std::fabs(mag - kLevels[l]);
        if (d < best_d) best = l, best_d = d;
      }
      v = (norm < 0.0f ? -kLevels[best] : kLevels[best]) * scale;
    }
  }
}

const std::vector<float>& GeneratorWeights::at(std::string_view name) const {
  const auto& schema = generator_schema();
  for (std::size_t i = 0; i < schema.size(); ++i)
    if (schema[i].name == name) return tensors[i];
  fail(ErrorKind::internal, "maskgen generator has no tensor '{}'", name);
}

GeneratorWeights parse_generator_weights(std::span<const std::uint8_t> raw, const std::string& source) {
  ByteReader in(raw, source + ": model record");
  GeneratorWeights w;
  for (const auto& spec : generator_schema()) {
    const std::size_t n = spec.numel();
    if (spec.storage == Storage::fp4) {
      const std::size_t blocks = blocks_of(n);
      const auto nibbles = in.take(blocks * kFp4Block / 2, spec.name + " nibbles");
      auto s = in.block(blocks * 2, spec.name + " scales");
      std::vector<std::uint16_t> scales(blocks);
      for (auto& v : scales) v = s.u16();
      w.tensors.push_back(fp4_dequantize(nibbles, scales, n));
      fp4_round_trip(w.tensors.back());
    } else {
      auto b = in.block(n * 2, spec.name);
      std::vector<float> t(n);
      for (auto& v : t) v = io::half_to_float(b.u16());
      w.tensors.push_back(std::move(t));
    }
  }
  if (!in.at_end())
    fail(ErrorKind::corrupt_input, "{}: model record has {} bytes after the last tensor", source, in.remaining());
  return w;
}

std::vector<std::uint8_t> inflate_model_record(std::span<const std::uint8_t> record, const std::string& source) {
  return brotli_decompress(record, kMaxModelBytes, source + ": model record");
}

GeneratorWeights decode_model_record(std::span<const std::uint8_t> record, const std::string& source) {
  return parse_generator_weights(inflate_model_record(record, source), source);
}

}  // namespace tac::codec::maskgen
