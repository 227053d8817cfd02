#pragma once
// The exact PyTorch state_dict of both scorer networks (key names, shapes, dtypes), built from the
// architecture (scorer_architecture.md §2, §3 and Appendix A), not from a stored list. Used to
// validate weight files before scoring and to write twin weights (`tac twin`).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tac::io {
class Safetensors;
}

namespace tac::scorer {

enum class ParamRole {
  ConvWeight,    // conv or linear weight (fan-in initialised)
  Bias,          // conv or linear bias
  BnWeight,      // BatchNorm gamma
  BnBias,        // BatchNorm beta
  BnMean,        // running_mean
  BnVar,         // running_var
  BnCount,       // num_batches_tracked (int64 scalar); optional in files
  LayerScale,    // FastViT layer-scale gamma
  InputMean,     // PoseNet _mean buffer
  InputStd,      // PoseNet _std buffer
};

struct ParamSpec {
  std::string name;
  std::vector<std::int64_t> shape;
  ParamRole role = ParamRole::ConvWeight;
  std::int64_t fan_in = 0;  // weights and biases: inputs per output (in/groups · kh · kw)

  std::int64_t numel() const;
  bool is_int64() const { return role == ParamRole::BnCount; }
};

enum class Network { SegNet, PoseNet };
std::string_view network_name(Network network);  // "segnet" | "posenet"

// Every key of the PyTorch state_dict in module order, num_batches_tracked included.
const std::vector<ParamSpec>& state_dict_layout(Network network);

// Checks a weight file against the layout: every float key present with its exact shape,
// num_batches_tracked optional, nothing else. Throws tac::Error naming the file and the key.
void validate_weights(const io::Safetensors& file, Network network);
void validate_weights_file(const std::filesystem::path& path, Network network);

}  // namespace tac::scorer
