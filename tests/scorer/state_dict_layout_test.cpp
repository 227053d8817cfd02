#include "tac/scorer/state_dict_layout.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

namespace {

using tac::scorer::Network;
using tac::scorer::ParamRole;

const char* fixture_name(Network n) {
  return n == Network::SegNet ? "scorer/twin_segnet.safetensors" : "scorer/twin_posenet.safetensors";
}

std::int64_t learnable_parameters(Network n) {
  std::int64_t total = 0;
  for (const auto& s : tac::scorer::state_dict_layout(n)) {
    if (s.role == ParamRole::ConvWeight || s.role == ParamRole::Bias || s.role == ParamRole::BnWeight ||
        s.role == ParamRole::BnBias || s.role == ParamRole::LayerScale)
      total += s.numel();
  }
  return total;
}

// Copies every tensor of a file so a test can alter the set and write it back.
struct TensorSet {
  std::vector<std::string> names;
  std::vector<tac::io::TensorToWrite> tensors;
  std::vector<std::vector<std::uint8_t>> storage;

  explicit TensorSet(const tac::io::Safetensors& file) {
    storage.reserve(file.tensors().size() + 4);
    for (const auto& t : file.tensors()) {
      storage.emplace_back(t.data.begin(), t.data.end());
      tensors.push_back({t.name, t.dtype, t.shape, storage.back()});
    }
  }
  void erase(const std::string& name) {
    std::erase_if(tensors, [&](const auto& t) { return t.name == name; });
  }
  tac::io::TensorToWrite* find(const std::string& name) {
    for (auto& t : tensors)
      if (t.name == name) return &t;
    return nullptr;
  }
};

std::string validation_error(const std::filesystem::path& path, Network n) {
  try {
    tac::scorer::validate_weights_file(path, n);
  } catch (const tac::Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

// The layout is built from the architecture; the fixture twins were written by PyTorch from the
// upstream modules. Every key and shape must agree.
TEST(StateDictLayout, MatchesTheFixtureTwinsKeyForKey) {
  for (const auto n : {Network::SegNet, Network::PoseNet}) {
    TAC_FIXTURE(path, fixture_name(n));
    const auto file = tac::io::Safetensors::open(path);
    std::set<std::string> layout_names;
    for (const auto& spec : tac::scorer::state_dict_layout(n)) {
      layout_names.insert(spec.name);
      const auto* t = file.find(spec.name);
      if (spec.is_int64()) continue;  // optional in files
      ASSERT_NE(t, nullptr) << spec.name;
      EXPECT_EQ(t->shape, spec.shape) << spec.name;
    }
    for (const auto& t : file.tensors()) EXPECT_TRUE(layout_names.contains(t.name)) << "not in layout: " << t.name;
    EXPECT_NO_THROW(tac::scorer::validate_weights(file, n));
  }
}

// Parameter counts stated in scorer_architecture.md §2.4 and §3.6.
TEST(StateDictLayout, ParameterCountsMatchTheSpec) {
  EXPECT_EQ(learnable_parameters(Network::SegNet), 9'543'831);
  EXPECT_EQ(learnable_parameters(Network::PoseNet), 13'902'140);
}

TEST(StateDictLayout, KeysAreUnique) {
  for (const auto n : {Network::SegNet, Network::PoseNet}) {
    std::set<std::string> seen;
    for (const auto& spec : tac::scorer::state_dict_layout(n)) EXPECT_TRUE(seen.insert(spec.name).second) << spec.name;
  }
}

TEST(StateDictLayout, RejectsMissingExtraAndMisshapedKeys) {
  TAC_FIXTURE(path, "scorer/twin_posenet.safetensors");
  const auto file = tac::io::Safetensors::open(path);
  tac::test::TempDir dir("layout");
  const std::string key = "vision.stages.2.blocks.3.mlp.fc1.weight";

  {
    TensorSet set(file);
    set.erase(key);
    tac::io::write_safetensors(dir.path / "missing.safetensors", set.tensors);
    const auto error = validation_error(dir.path / "missing.safetensors", Network::PoseNet);
    EXPECT_NE(error.find("missing key '" + key + "'"), std::string::npos) << error;
    EXPECT_NE(error.find("missing.safetensors"), std::string::npos) << error;
  }
  {
    TensorSet set(file);
    const std::vector<std::uint8_t> four(4, 0);
    set.tensors.push_back({"vision.extra.weight", tac::io::DType::F32, {1}, four});
    tac::io::write_safetensors(dir.path / "extra.safetensors", set.tensors);
    const auto error = validation_error(dir.path / "extra.safetensors", Network::PoseNet);
    EXPECT_NE(error.find("unexpected key 'vision.extra.weight'"), std::string::npos) << error;
  }
  {
    TensorSet set(file);
    auto* t = set.find(key);
    ASSERT_NE(t, nullptr);
    std::swap(t->shape[0], t->shape[1]);  // same bytes, transposed shape
    tac::io::write_safetensors(dir.path / "shape.safetensors", set.tensors);
    const auto error = validation_error(dir.path / "shape.safetensors", Network::PoseNet);
    EXPECT_NE(error.find("'" + key + "' has shape"), std::string::npos) << error;
  }
  // A PoseNet file offered as SegNet: every key is wrong.
  const auto error = validation_error(path, Network::SegNet);
  EXPECT_NE(error.find("not segnet weights"), std::string::npos) << error;
}
