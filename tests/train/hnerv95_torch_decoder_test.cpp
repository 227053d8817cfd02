// The differentiable hnerv95 decoder: fake-quant is the identity on the archive's own values and
// straight-through elsewhere; its frames agree with the bit-exact torch-free decoder's; what it
// exports is what it computed with.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>

#include <cstring>

#include "codec/hnerv95_test_util.hpp"
#include "support/fixtures.hpp"
#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/codec/hnerv95/hnerv95_writer.hpp"
#include "tac/core/contest.hpp"
#include "tac/image/bicubic_upscale.hpp"
#include "tac/io/zip_reader.hpp"
#include "tac/train/hnerv95_fake_quant.hpp"
#include "tac/train/hnerv95_torch_decoder.hpp"

namespace hn = tac::codec::hnerv95;

namespace {

hn::Archive load_archive(const std::filesystem::path& zip) {
  const auto reader = tac::io::ZipReader::open(zip);
  return hn::parse_archive(reader.read(*reader.find("0.bin")), "0.bin");
}

at::Tensor values_tensor(const std::vector<float>& v) {
  return at::from_blob(const_cast<float*>(v.data()), {static_cast<std::int64_t>(v.size())}, at::kFloat).clone();
}

// What inflate writes for one pair (the torch-free decoder at the pair's batch position).
std::vector<std::uint8_t> codec_frames(const hn::Archive& a, std::int64_t pair) {
  hn::Decoder decoder(std::make_shared<const hn::Model>(hn::build_model(a)));
  return tac::test::hnerv95::frames_of_pair(decoder, a, pair);
}

}  // namespace

TEST(Hnerv95FakeQuant, IsTheIdentityOnTheArchivesValues) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  const auto a = load_archive(zip);
  for (const auto& t : a.tensors) {
    const at::Tensor v = values_tensor(t.values);
    EXPECT_TRUE(at::equal(tac::train::fake_quant_weight(v, t.scale), v)) << t.name;
  }
  const at::Tensor z = values_tensor(a.latents).view({a.meta.n_pairs, a.meta.latent_dim});
  EXPECT_TRUE(at::equal(tac::train::fake_quant_latents(z, values_tensor(a.latent_mins), values_tensor(a.latent_scales)), z));
  // And so is the decoder's export: every value as parsed, bit for bit.
  const tac::train::Hnerv95TorchDecoder decoder(a);
  const auto exported = decoder.quantized_archive();
  for (std::size_t i = 0; i < a.tensors.size(); ++i)
    EXPECT_EQ(std::memcmp(exported.tensors[i].values.data(), a.tensors[i].values.data(), a.tensors[i].values.size() * 4), 0)
        << a.tensors[i].name;
  EXPECT_EQ(std::memcmp(exported.latents.data(), a.latents.data(), a.latents.size() * 4), 0);
}

TEST(Hnerv95FakeQuant, RoundsToTheGridForwardAndPassesGradientsInsideItsRange) {
  const float s = 0.25f;
  const at::Tensor w = at::tensor({0.3f, 0.4f, -0.13f, 40.0f, -40.0f}).set_requires_grad(true);
  const at::Tensor q = tac::train::fake_quant_weight(w, s);
  EXPECT_TRUE(at::equal(q.detach(), at::tensor({0.25f, 0.5f, -0.25f, 127 * s, -128 * s})));
  q.mul(at::tensor({1.f, 2.f, 3.f, 4.f, 5.f})).sum().backward();
  EXPECT_TRUE(at::equal(w.grad(), at::tensor({1.f, 2.f, 3.f, 0.f, 0.f})));  // clamped values get none

  const at::Tensor mins = at::tensor({-1.0f, 2.0f}), scales = at::tensor({0.5f, 0.0f});
  const at::Tensor z = at::tensor({-0.2f, 7.0f, -9.0f, 2.0f}).view({2, 2}).set_requires_grad(true);
  const at::Tensor zq = tac::train::fake_quant_latents(z, mins, scales);
  EXPECT_TRUE(at::equal(zq.detach(), at::tensor({0.0f, 2.0f, -1.0f, 2.0f}).view({2, 2})));
  zq.sum().backward();
  EXPECT_TRUE(at::equal(z.grad(), at::tensor({1.f, 0.f, 0.f, 0.f}).view({2, 2})));  // below the grid, or a one-value grid
}

TEST(Hnerv95TorchDecoder, FramesAgreeWithTheTorchFreeDecoder) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  const auto a = load_archive(zip);
  const tac::train::Hnerv95TorchDecoder decoder(a);
  const c10::NoGradGuard no_grad;
  const std::int64_t pairs[] = {0, 599};  // a full batch position and the video's last pair
  const at::Tensor frames = decoder.frames(at::tensor(at::ArrayRef<std::int64_t>(pairs))).to(at::kByte).contiguous();
  std::size_t identical = 0, total = 0;
  int max_diff = 0;
  for (int k = 0; k < 2; ++k) {
    const auto reference = codec_frames(a, pairs[k]);
    const std::uint8_t* mine = frames[k].data_ptr<std::uint8_t>();
    for (std::size_t i = 0; i < reference.size(); ++i) {
      const int d = std::abs(int(mine[i]) - int(reference[i]));
      identical += d == 0;
      max_diff = std::max(max_diff, d);
    }
    total += reference.size();
  }
  const double agreement = double(identical) / double(total);
  std::printf("torch decoder vs torch-free: %.5f %% bytes identical, max |d| %d\n", 100 * agreement, max_diff);
  EXPECT_GE(agreement, 0.9995);  // measured 99.9964 % (2 pairs, AVX-512 machine)
  EXPECT_LE(max_diff, 1);
}

TEST(Hnerv95TorchDecoder, ExportsTheValuesItComputedWith) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  const auto a = load_archive(zip);
  tac::train::Hnerv95TorchDecoder decoder(a);
  {
    const c10::NoGradGuard no_grad;
    auto& w = decoder.weights()[4];
    at::manual_seed(5);
    w.value.add_(at::randn_like(w.value) * (3 * w.scale));  // off the grid
    decoder.latents()[7].add_(decoder.latent_scales() * 2.6);
  }
  const auto exported = decoder.quantized_archive();
  const auto back = hn::parse_archive(hn::write_member(exported), "exported");
  for (std::size_t i = 0; i < a.tensors.size(); ++i)
    EXPECT_EQ(std::memcmp(back.tensors[i].values.data(), exported.tensors[i].values.data(), a.tensors[i].values.size() * 4), 0)
        << a.tensors[i].name;
  EXPECT_EQ(std::memcmp(back.latents.data(), exported.latents.data(), a.latents.size() * 4), 0);
  EXPECT_NE(std::memcmp(back.tensors[4].values.data(), a.tensors[4].values.data(), a.tensors[4].values.size() * 4), 0);
}
