#pragma once
// Shared by the hnerv95 tests (codec, writer, differentiable decoder): the archive member, bitwise
// float comparison, and one pair's frames exactly as inflate writes them.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/contest.hpp"
#include "tac/image/bicubic_upscale.hpp"
#include "tac/io/zip_reader.hpp"

namespace tac::test::hnerv95 {

inline std::vector<std::uint8_t> member_bytes(const std::filesystem::path& zip) {
  const auto reader = io::ZipReader::open(zip);
  return reader.read(*reader.find("0.bin"));
}

inline bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Decodes one pair and upscales it as the inflate does.
inline std::vector<std::uint8_t> frames_of_pair(codec::hnerv95::Decoder& decoder, const codec::hnerv95::Archive& a, std::int64_t pair) {
  namespace hn = codec::hnerv95;
  const auto& m = decoder.model();
  const std::size_t plane = std::size_t(m.out_h) * m.out_w;
  std::vector<float> planes(6 * plane);
  decoder.decode(a.latents.data() + pair * a.meta.latent_dim, hn::torch_batch_for_pair(pair, a.meta.n_pairs), planes.data());
  image::BicubicUpscaler up(m.out_h, m.out_w, contest::kFrameHeight, contest::kFrameWidth);
  std::vector<std::uint8_t> rgb(2 * contest::kFrameBytes);
  for (int f = 0; f < 2; ++f) {
    const float* p[3] = {&planes[3 * f * plane], &planes[(3 * f + 1) * plane], &planes[(3 * f + 2) * plane]};
    up.planar_to_rgb8(p, m.out_w, rgb.data() + f * contest::kFrameBytes);
  }
  return rgb;
}

}  // namespace tac::test::hnerv95
