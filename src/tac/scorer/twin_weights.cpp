#include "tac/scorer/twin_weights.hpp"

#include <cmath>
#include <cstring>

#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

namespace tac::scorer {

namespace {

// splitmix64 for seeding, xoshiro256** for the stream: fully specified, unlike std distributions.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  Rng(std::uint64_t seed, const std::string& stream) {
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a of the tensor name: one stream per tensor
    for (const unsigned char c : stream) h = (h ^ c) * 0x100000001b3ULL;
    std::uint64_t state = seed ^ h;
    for (auto& s : s_) s = splitmix64(state);
  }
  // Uniform in [-1, 1) with 24-bit resolution.
  float symmetric() {
    const std::uint64_t x = next() >> 40;
    return static_cast<float>(static_cast<double>(x) * (2.0 / 16777216.0) - 1.0);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint64_t s_[4];
};

constexpr float kInputMean = 127.5f;  // PoseNet's expected normalisation (spec §1.4)
constexpr float kInputStd = 63.75f;
constexpr float kLayerScaleInit = 1e-5f;  // timm FastViT layer_scale_init_value

std::vector<float> fill(const ParamSpec& spec, std::uint64_t seed) {
  std::vector<float> v(static_cast<std::size_t>(spec.numel()));
  switch (spec.role) {
    case ParamRole::ConvWeight:
    case ParamRole::Bias: {
      // He-uniform (variance 2/fan_in) for weights, PyTorch's ±1/sqrt(fan_in) for biases.
      const double fan = static_cast<double>(std::max<std::int64_t>(spec.fan_in, 1));
      const float bound = static_cast<float>(spec.role == ParamRole::ConvWeight ? std::sqrt(6.0 / fan) : 1.0 / std::sqrt(fan));
      Rng rng(seed, spec.name);
      for (auto& x : v) x = bound * rng.symmetric();
      break;
    }
    case ParamRole::BnWeight:
    case ParamRole::BnVar: std::fill(v.begin(), v.end(), 1.0f); break;
    case ParamRole::BnBias:
    case ParamRole::BnMean:
    case ParamRole::BnCount: std::fill(v.begin(), v.end(), 0.0f); break;
    case ParamRole::LayerScale: std::fill(v.begin(), v.end(), kLayerScaleInit); break;
    case ParamRole::InputMean: std::fill(v.begin(), v.end(), kInputMean); break;
    case ParamRole::InputStd: std::fill(v.begin(), v.end(), kInputStd); break;
  }
  return v;
}

// SegNet sees raw 0..255 RGB (spec §1.5): set the stem BN statistics to what the stem conv gives
// on inputs of mean 127.5 and std 63.75, per output channel, so the network starts normalised.
void normalise_segnet_stem(TwinNetwork& twin) {
  const auto* w = twin.find("encoder.model.conv_stem.weight");
  auto* mean = twin.find("encoder.model.bn1.running_mean");
  auto* var = twin.find("encoder.model.bn1.running_var");
  if (!w || !mean || !var) fail(ErrorKind::internal, "twin: SegNet stem keys missing from the layout");
  const std::size_t out = mean->values.size();
  const std::size_t per = w->values.size() / out;
  for (std::size_t o = 0; o < out; ++o) {
    double sum = 0, sum_sq = 0;
    for (std::size_t i = 0; i < per; ++i) {
      const double x = w->values[o * per + i];
      sum += x;
      sum_sq += x * x;
    }
    mean->values[o] = static_cast<float>(kInputMean * sum);
    var->values[o] = static_cast<float>(kInputStd * kInputStd * sum_sq);
  }
}

}  // namespace

TwinTensor* TwinNetwork::find(const std::string& name) {
  for (auto& t : tensors)
    if (t.spec.name == name) return &t;
  return nullptr;
}

TwinNetwork make_twin(Network network, std::uint64_t seed) {
  TwinNetwork twin;
  twin.network = network;
  for (const auto& spec : state_dict_layout(network)) {
    TwinTensor t;
    t.spec = spec;
    if (!spec.is_int64()) t.values = fill(spec, seed);
    twin.tensors.push_back(std::move(t));
  }
  if (network == Network::SegNet) normalise_segnet_stem(twin);
  twin.metadata = {{"format", "pt"},
                   {kTwinMetaKey, "1"},
                   {kTwinSeedKey, std::to_string(seed)},
                   {kTwinCalibrationKey, "none"},
                   {kTwinNetworkKey, std::string(network_name(network))}};
  return twin;
}

void write_twin(const TwinNetwork& twin, const std::filesystem::path& path) {
  const bool keep_counts = twin.network == Network::SegNet;
  std::vector<std::int64_t> counts;
  counts.reserve(twin.tensors.size());
  std::vector<io::TensorToWrite> out;
  for (const auto& t : twin.tensors) {
    if (t.spec.is_int64()) {
      if (!keep_counts) continue;
      counts.push_back(t.count_value);  // reserved above: pointers stay valid
      out.push_back({t.spec.name, io::DType::I64, {}, {reinterpret_cast<const std::uint8_t*>(&counts.back()), sizeof(std::int64_t)}});
      continue;
    }
    out.push_back({t.spec.name, io::DType::F32, t.spec.shape,
                   {reinterpret_cast<const std::uint8_t*>(t.values.data()), t.values.size() * sizeof(float)}});
  }
  io::write_safetensors(path, out, twin.metadata);
}

}  // namespace tac::scorer
