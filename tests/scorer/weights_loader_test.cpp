// Weight-file loading: both state_dict forms (with / without num_batches_tracked) load; a missing,
// extra or misshaped key is a tac::Error naming the file and the key.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"
#include "tac/scorer/posenet.hpp"
#include "tac/scorer/segnet.hpp"

namespace {

namespace nn = tac::scorer::nn;
using Edit = std::function<void(std::vector<tac::io::TensorToWrite>&)>;

// Copies `source` to `dest` with an edit applied to the tensor list.
void rewrite(const std::filesystem::path& source, const std::filesystem::path& dest, const Edit& edit) {
  const auto file = tac::io::Safetensors::open(source);
  std::vector<tac::io::TensorToWrite> tensors;
  for (const auto& t : file.tensors()) tensors.push_back({t.name, t.dtype, t.shape, t.data});
  edit(tensors);
  tac::io::write_safetensors(dest, tensors);
}

template <typename Load>
std::string load_error(Load load, const std::filesystem::path& path) {
  try {
    load(path);
  } catch (const tac::Error& e) {
    return e.what();
  }
  return "";
}

void drop_key(std::vector<tac::io::TensorToWrite>& t, const std::string& name) {
  std::erase_if(t, [&](const auto& x) { return x.name == name; });
}

TEST(WeightLoader, PoseNetMissingExtraMisshapedKeys) {
  TAC_FIXTURE(posenet_path, "scorer/twin_posenet.safetensors");
  tac::test::TempDir dir("nets_loader");
  const auto path = dir.path / "bad_posenet.safetensors";
  const auto load = [](const std::filesystem::path& p) { nn::load_posenet(p); };

  rewrite(posenet_path, path, [](auto& t) { drop_key(t, "hydra.final_layer.pose.bias"); });
  std::string msg = load_error(load, path);
  EXPECT_NE(msg.find("bad_posenet.safetensors"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing tensor 'hydra.final_layer.pose.bias'"), std::string::npos) << msg;

  static const float extra[4] = {1, 2, 3, 4};
  rewrite(posenet_path, path, [](auto& t) {
    t.push_back({"vision.extra.weight", tac::io::DType::F32, {4},
                 {reinterpret_cast<const std::uint8_t*>(extra), sizeof(extra)}});
  });
  msg = load_error(load, path);
  EXPECT_NE(msg.find("bad_posenet.safetensors"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unexpected tensor 'vision.extra.weight'"), std::string::npos) << msg;

  rewrite(posenet_path, path, [](auto& t) {
    for (auto& x : t) {
      if (x.name == "vision.head.fc.bias") {
        x.shape = {2, 1024};  // same byte count, wrong shape
      }
    }
  });
  msg = load_error(load, path);
  EXPECT_NE(msg.find("'vision.head.fc.bias' has shape [2, 1024], expected [2048]"), std::string::npos) << msg;

  // num_batches_tracked is optional: present next to a used BatchNorm is fine...
  static const std::int64_t count = 5;
  rewrite(posenet_path, path, [](auto& t) {
    t.push_back({"vision.stem.2.identity.num_batches_tracked", tac::io::DType::I64, {},
                 {reinterpret_cast<const std::uint8_t*>(&count), sizeof(count)}});
  });
  EXPECT_EQ(load_error(load, path), "");
  // ...but not for a BatchNorm the network does not have.
  rewrite(posenet_path, path, [](auto& t) {
    t.push_back({"vision.stem.9.bn.num_batches_tracked", tac::io::DType::I64, {},
                 {reinterpret_cast<const std::uint8_t*>(&count), sizeof(count)}});
  });
  EXPECT_NE(load_error(load, path).find("unexpected tensor 'vision.stem.9.bn.num_batches_tracked'"), std::string::npos);
}

TEST(WeightLoader, SegNetWithAndWithoutBatchCounters) {
  TAC_FIXTURE(segnet_path, "scorer/twin_segnet.safetensors");
  const auto load = [](const std::filesystem::path& p) { nn::load_segnet(p); };
  EXPECT_EQ(load_error(load, segnet_path), "");  // the twin stores num_batches_tracked
  tac::test::TempDir dir("nets_loader");
  const auto path = dir.path / "segnet_no_counters.safetensors";
  rewrite(segnet_path, path, [](auto& t) {
    std::erase_if(t, [](const auto& x) { return x.name.ends_with(".num_batches_tracked"); });
  });
  EXPECT_EQ(load_error(load, path), "");
  rewrite(segnet_path, path, [](auto& t) { drop_key(t, "decoder.blocks.3.conv2.1.running_var"); });
  EXPECT_NE(load_error(load, path).find("missing tensor 'decoder.blocks.3.conv2.1.running_var'"), std::string::npos);
}

}  // namespace
