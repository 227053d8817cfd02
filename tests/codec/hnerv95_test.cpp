// hnerv95 parity with the reference inflate (fixtures/replay/qhnerv_ft_best) and hostile inputs.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "codec/hnerv95_test_util.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/codec.hpp"
#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/image/bicubic_upscale.hpp"
#include "tac/io/safetensors.hpp"
#include "tac/io/zip_reader.hpp"

namespace hn = tac::codec::hnerv95;

namespace {

using tac::test::hnerv95::bitwise_equal;
using tac::test::hnerv95::frames_of_pair;
using tac::test::hnerv95::member_bytes;

}  // namespace

TEST(Hnerv95, DequantizedWeightsAndLatentsAreBitwiseEqualToGolden) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  TAC_FIXTURE(golden_path, "replay/qhnerv_ft_best/golden.safetensors");
  const auto bytes = member_bytes(zip);
  const auto a = hn::parse_archive(bytes, "0.bin");
  const auto golden = tac::io::Safetensors::open(golden_path);
  int compared = 0;
  for (const auto& t : golden.tensors()) {
    if (t.name.rfind("dequantized.", 0) != 0) continue;
    const auto& mine = a.at(t.name.substr(12));
    EXPECT_EQ(mine.shape, t.shape) << t.name;
    EXPECT_TRUE(bitwise_equal(mine.values, golden.to_float32(t))) << t.name;
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int>(a.tensors.size()));
  EXPECT_TRUE(bitwise_equal(a.latents, golden.to_float32("latents")));
}

TEST(Hnerv95, DecoderOutputOfPairZeroMatchesGolden) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  TAC_FIXTURE(golden_path, "replay/qhnerv_ft_best/golden.safetensors");
  const auto bytes = member_bytes(zip);
  const auto a = hn::parse_archive(bytes, "0.bin");
  hn::Decoder decoder(std::make_shared<const hn::Model>(hn::build_model(a)));
  const auto golden = tac::io::Safetensors::open(golden_path).to_float32("decoder_out_pair0");
  std::vector<float> out(golden.size());
  // The golden tensor came from a batch of one pair (see hnerv95_decoder.hpp).
  decoder.decode(a.latents.data(), hn::TorchBatch::single, out.data());
  double max_diff = 0;
  std::size_t identical = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    max_diff = std::max(max_diff, double(std::abs(out[i] - golden[i])));
    identical += out[i] == golden[i];
  }
  EXPECT_LE(max_diff, 1e-4);
  RecordProperty("identical_values", std::to_string(identical) + "/" + std::to_string(out.size()));
  std::printf("decoder_out_pair0: max |diff| %.3g, %zu of %zu values bit-identical (kernels: %s)\n", max_diff,
              identical, out.size(), hn::Decoder::kernel_name());
}

TEST(Hnerv95, StoredFramesMatchGolden) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  TAC_FIXTURE(golden_path, "replay/qhnerv_ft_best/golden.safetensors");
  TAC_FIXTURE(golden_json_path, "replay/qhnerv_ft_best/golden.json");
  const auto bytes = member_bytes(zip);
  const auto a = hn::parse_archive(bytes, "0.bin");
  hn::Decoder decoder(std::make_shared<const hn::Model>(hn::build_model(a)));
  const auto golden = tac::io::Safetensors::open(golden_path);
  const auto json = tac::test::read_json(golden_json_path);
  for (const int frame : {0, 1, 600, 1199}) {
    const auto rgb = frames_of_pair(decoder, a, frame / 2);
    const std::span<const std::uint8_t> mine(rgb.data() + (frame % 2) * tac::contest::kFrameBytes,
                                             tac::contest::kFrameBytes);
    const auto& g = golden.at("frame_" + std::to_string(frame));
    ASSERT_EQ(g.data.size(), mine.size());
    std::size_t same = 0;
    int max_diff = 0;
    for (std::size_t i = 0; i < mine.size(); ++i) {
      same += mine[i] == g.data[i];
      max_diff = std::max(max_diff, std::abs(int(mine[i]) - int(g.data[i])));
    }
    const double fraction = double(same) / mine.size();
    EXPECT_GE(fraction, 0.999) << "frame " << frame;
    EXPECT_LE(max_diff, 1) << "frame " << frame;
    const bool hash_equal = tac::sha256_hex(mine) == json["frame_sha256"][frame].get<std::string>();
    std::printf("frame %d: %.6f identical, max |diff| %d, sha256 %s\n", frame, fraction, max_diff,
                hash_equal ? "equal" : "different");
  }
}

namespace {

// A small random model with the decoder's real geometry (384 x 512 output) but few channels, odd
// widths and width changes (so every skip, block split and tail path runs), built in memory.
hn::Archive small_archive() {
  hn::Archive a;
  a.meta.n_pairs = 2;
  a.meta.latent_dim = 3;
  a.meta.base_channels = 5;
  a.meta.eval_height = 384;
  a.meta.eval_width = 512;
  std::mt19937 rng(95);
  std::uniform_real_distribution<float> u(-0.6f, 0.6f);
  auto add = [&](const std::string& name, std::vector<std::int64_t> shape) {
    hn::Tensor t;
    t.name = name;
    std::int64_t n = 1;
    for (const auto d : shape) n *= d;
    t.shape = std::move(shape);
    t.values.resize(n);
    for (auto& v : t.values) v = u(rng);
    a.tensors.push_back(std::move(t));
  };
  const int widths[7] = {5, 7, 6, 6, 9, 6, 7}, mid = 3;
  add("stem.weight", {widths[0] * 48, 3});
  add("stem.bias", {widths[0] * 48});
  for (int i = 0; i < 6; ++i) {
    add("blocks." + std::to_string(i) + ".weight", {4 * widths[i + 1], widths[i], 3, 3});
    add("blocks." + std::to_string(i) + ".bias", {4 * widths[i + 1]});
    if (widths[i + 1] != widths[i]) {
      add("skips." + std::to_string(i) + ".weight", {widths[i + 1], widths[i], 1, 1});
      add("skips." + std::to_string(i) + ".bias", {widths[i + 1]});
    }
  }
  add("refine.0.weight", {mid, widths[6], 3, 3});
  add("refine.0.bias", {mid});
  add("refine.1.weight", {widths[6], mid, 3, 3});
  add("refine.1.bias", {widths[6]});
  for (const char* head : {"rgb_0", "rgb_1"}) {
    add(std::string(head) + ".weight", {3, widths[6], 3, 3});
    add(std::string(head) + ".bias", {3});
  }
  for (int k = 0; k < 6; ++k) a.latents.push_back(u(rng) * 3.0f);
  return a;
}

// The builds this processor can run, best first.
std::vector<hn::detail::DecoderKernels> runnable_builds() {
  std::vector<hn::detail::DecoderKernels> builds;
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool fma = __builtin_cpu_supports("fma");
  if (fma && __builtin_cpu_supports("avx512f")) builds.push_back(hn::detail::decoder_kernels_avx512());
  if (fma && __builtin_cpu_supports("avx2")) builds.push_back(hn::detail::decoder_kernels_avx2());
#endif
  builds.push_back(hn::detail::decoder_kernels_generic());
  return builds;
}

std::vector<float> decode_with(const std::shared_ptr<const hn::Model>& model, const hn::detail::DecoderKernels& k,
                               const float* latent, hn::TorchBatch batch) {
  hn::Decoder decoder(model, &k);
  std::vector<float> out(std::size_t(6) * model->out_h * model->out_w);
  decoder.decode(latent, batch, out.data());
  return out;
}

}  // namespace

// Vectors run across pixels, never across a reduction, so the AVX-512 and AVX2 builds give the
// same bits. The generic build differs only where SLEEF's sin/exp lack fma (last bits).
TEST(Hnerv95, KernelBuildsAgreeOnASmallModel) {
  const auto a = small_archive();
  const auto model = std::make_shared<const hn::Model>(hn::build_model(a));
  const auto builds = runnable_builds();
  for (const auto batch : {hn::TorchBatch::full, hn::TorchBatch::partial, hn::TorchBatch::single}) {
    const auto best = decode_with(model, builds.front(), a.latents.data() + 3, batch);
    for (std::size_t b = 1; b < builds.size(); ++b) {
      const auto other = decode_with(model, builds[b], a.latents.data() + 3, batch);
      double max_diff = 0;
      for (std::size_t i = 0; i < best.size(); ++i) max_diff = std::max(max_diff, double(std::abs(best[i] - other[i])));
      if (std::string(builds[b].name) == "generic")
        EXPECT_LE(max_diff, 0.05) << builds.front().name << " vs generic";
      else
        EXPECT_TRUE(bitwise_equal(best, other)) << builds.front().name << " vs " << builds[b].name << ": max |diff| "
                                                << max_diff;
    }
  }
}

TEST(Hnerv95, VectorBuildsAgreeOnFixturePairs) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  const auto bytes = member_bytes(zip);
  const auto a = hn::parse_archive(bytes, "0.bin");
  const auto model = std::make_shared<const hn::Model>(hn::build_model(a));
  auto builds = runnable_builds();
  builds.pop_back();  // generic: too slow at full width
  if (builds.size() < 2) GTEST_SKIP() << "only one vector build runs on this processor";
  for (const std::int64_t pair : {1, 599}) {
    const float* z = a.latents.data() + pair * a.meta.latent_dim;
    const auto batch = hn::torch_batch_for_pair(pair, a.meta.n_pairs);
    EXPECT_TRUE(bitwise_equal(decode_with(model, builds[0], z, batch), decode_with(model, builds[1], z, batch)))
        << "pair " << pair;
  }
}

TEST(Hnerv95, DetectsFixtureAndRejectsOtherBytes) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  const auto bytes = member_bytes(zip);
  EXPECT_TRUE(hn::looks_like_hnerv95(bytes));
  const std::vector<std::uint8_t> junk(1000, 7);
  EXPECT_FALSE(hn::looks_like_hnerv95(junk));
  EXPECT_FALSE(hn::looks_like_hnerv95({}));
}

// Truncations, bit flips and inflated length fields: every variant is parsed to a clean result or
// a tac::Error; nothing crashes, and lengths that overrun the member are always refused.
TEST(Hnerv95, HostileVariantsAreRejectedCleanly) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  const auto bytes = member_bytes(zip);
  std::mt19937 rng(704);
  int rejected = 0, variants = 0;
  auto attempt = [&](const std::vector<std::uint8_t>& v, bool must_fail) {
    ++variants;
    try {
      const auto a = hn::parse_archive(v, "variant");
      (void)hn::build_model(a);
      EXPECT_FALSE(must_fail) << "variant " << variants << " was accepted";
    } catch (const tac::Error& e) {
      ++rejected;
      // Hostile bytes are the input's fault, never tac's.
      EXPECT_TRUE(e.kind() == tac::ErrorKind::corrupt_input || e.kind() == tac::ErrorKind::limit_exceeded) << e.what();
    }
  };
  for (int i = 0; i < 24; ++i) {  // truncations
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(rng);
    attempt(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + n), true);
  }
  for (int i = 0; i < 24; ++i) {  // bit flips anywhere
    auto v = bytes;
    const std::size_t at = std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng);
    v[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    attempt(v, false);
  }
  // Inflated section lengths: each u32 length field set to larger values.
  std::size_t at = 0;
  for (int s = 0; s < 3; ++s) {
    std::uint32_t n;
    std::memcpy(&n, &bytes[at], 4);
    for (const std::uint32_t bigger : {n + 1, n + 1000, 0x7FFFFFFFu, 0xFFFFFFFFu}) {
      auto v = bytes;
      std::memcpy(&v[at], &bigger, 4);
      attempt(v, true);
    }
    at += 4 + n;
  }
  // Extra bytes after the last section.
  auto longer = bytes;
  longer.push_back(0);
  attempt(longer, true);
  EXPECT_GE(variants, 60);
  EXPECT_GE(rejected, 24 + 12 + 1);
}

TEST(Hnerv95, ParseErrorsNameTheProblem) {
  const std::vector<std::uint8_t> tiny = {1, 0, 0};
  try {
    hn::parse_archive(tiny, "tiny.bin");
    FAIL() << "accepted";
  } catch (const tac::Error& e) {
    EXPECT_NE(std::string(e.what()).find("tiny.bin"), std::string::npos) << e.what();
    EXPECT_EQ(e.kind(), tac::ErrorKind::corrupt_input) << e.what();
  }
}
