#include "tac/scorer/twin_params.hpp"

#include <ATen/ATen.h>

#include <cstdlib>
#include <string>

#include "tac/core/error.hpp"

namespace tac::scorer {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tac-twin.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) fail(ErrorKind::io, "cannot create a temporary directory for twin weights");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

template <typename Params, typename Load>
LoadedTwin<Params> load_twin(const TwinNetwork& twin, Load load) {
  TempDir temp;
  const auto path = temp.path / (std::string(network_name(twin.network)) + ".safetensors");
  write_twin(twin, path);
  LoadedTwin<Params> loaded;
  loaded.params = load(path, &loaded.tensors);
  return loaded;
}

}  // namespace

LoadedTwin<nn::SegNetParams> load_segnet_twin(const TwinNetwork& twin) {
  if (twin.network != Network::SegNet) fail(ErrorKind::internal, "load_segnet_twin: not a SegNet twin");
  return load_twin<nn::SegNetParams>(twin, [](const std::filesystem::path& p, nn::KeyedTensors* t) { return nn::load_segnet(p, t); });
}

LoadedTwin<nn::PoseNetParams> load_posenet_twin(const TwinNetwork& twin) {
  if (twin.network != Network::PoseNet) fail(ErrorKind::internal, "load_posenet_twin: not a PoseNet twin");
  return load_twin<nn::PoseNetParams>(twin, [](const std::filesystem::path& p, nn::KeyedTensors* t) { return nn::load_posenet(p, t); });
}

void store_twin_tensors(TwinNetwork& twin, const nn::KeyedTensors& tensors, std::int64_t batches_tracked) {
  for (TwinTensor& t : twin.tensors) {
    const std::string& name = t.spec.name;
    if (name.size() >= 20 && name.ends_with(".num_batches_tracked")) {
      if (batches_tracked >= 0) t.count_value = batches_tracked;
      continue;
    }
    const auto it = tensors.find(name);
    if (it == tensors.end()) fail(ErrorKind::internal, "{} twin: no tensor '{}' to store (internal error)", network_name(twin.network), name);
    const at::Tensor values = it->second.detach().to(at::kFloat).contiguous();
    if (values.numel() != static_cast<std::int64_t>(t.values.size()))
      fail(ErrorKind::internal, "{} twin: '{}' has {} values, the layout {} (internal error)", network_name(twin.network), name,
           values.numel(), t.values.size());
    const float* v = values.data_ptr<float>();
    t.values.assign(v, v + values.numel());
  }
}

}  // namespace tac::scorer
