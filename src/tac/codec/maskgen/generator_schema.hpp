#pragma once
// The generator's stored tensors (the model record), in storage order, derived from its
// architecture the way the reference's build_schema walks the modules: every convolution stores
// its weight (FP4 unless marked full precision) and bias, every GroupNorm its weight and bias,
// every Linear its weight (fp16) and bias, the class embedding its table (fp16).
#include <cstdint>
#include <string>
#include <vector>

namespace tac::codec::maskgen {

enum class Storage { fp4, fp16 };  // fp16 covers the schema's fp16_w and fp16_b

struct TensorSpec {
  std::string name;
  Storage storage = Storage::fp16;
  bool is_bias = false;            // fp16_b in the schema file
  std::vector<int> shape;
  std::size_t numel() const;
};

// Architecture constants of the generator (model.py).
inline constexpr int kEmbDim = 6, kCondDim = 64, kHeadHidden = 52, kC1 = 56, kC2 = 64, kPoseRank = 16;

const std::vector<TensorSpec>& generator_schema();

}  // namespace tac::codec::maskgen
