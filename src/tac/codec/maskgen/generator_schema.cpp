#include "tac/codec/maskgen/generator_schema.hpp"

#include "tac/codec/maskgen/mask_tile_decoder.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"

namespace tac::codec::maskgen {
namespace {

class SchemaBuilder {
 public:
  std::vector<TensorSpec> specs;

  void fp4(const std::string& name, std::vector<int> shape) { specs.push_back({name, Storage::fp4, false, shape}); }
  void fp16(const std::string& name, std::vector<int> shape) { specs.push_back({name, Storage::fp16, false, shape}); }
  void bias(const std::string& name, int n) { specs.push_back({name, Storage::fp16, true, {n}}); }

  // Depthwise 3x3 (no bias), pointwise 1x1 with bias, GroupNorm.
  void dsconv(const std::string& p, int ic, int oc) {
    fp4(p + ".dw.weight", {ic, 1, 3, 3});
    fp4(p + ".pw.weight", {oc, ic, 1, 1});
    bias(p + ".pw.bias", oc);
    norm(p + ".norm", oc);
  }
  void norm(const std::string& p, int ch) {
    fp16(p + ".weight", {ch});
    bias(p + ".bias", ch);
  }
  // Residual block: a DSConv, then depthwise + pointwise + GroupNorm; FiLM adds a 1x1 "linear".
  void res(const std::string& p, int ch, bool film) {
    dsconv(p + ".c1", ch, ch);
    fp4(p + ".dw2.weight", {ch, 1, 3, 3});
    fp4(p + ".pw2.weight", {ch, ch, 1, 1});
    bias(p + ".pw2.bias", ch);
    norm(p + ".norm", ch);
    if (film) {
      fp4(p + ".film.conv.weight", {2 * ch, kCondDim, 1, 1});
      bias(p + ".film.conv.bias", 2 * ch);
    }
  }
  void linear(const std::string& p, int in, int out, bool with_bias) {
    fp16(p + ".weight", {out, in});
    if (with_bias) bias(p + ".bias", out);
  }
};

std::vector<TensorSpec> build() {
  SchemaBuilder b;
  b.fp16("trunk.emb.weight", {kMaskClasses, kEmbDim});
  b.dsconv("trunk.stem", kEmbDim + 2, kC1);
  b.res("trunk.s1", kC1, false);
  b.dsconv("trunk.down", kC1, kC2);
  b.res("trunk.d1", kC2, false);
  b.dsconv("trunk.up.1", kC2, kC1);
  b.dsconv("trunk.fuse", 2 * kC1, kC1);
  b.res("trunk.f1", kC1, false);
  b.linear("pose_mlp.0", kPoseDims, kCondDim, true);
  for (const char* p : {"pose_mlp.2", "pose_mlp.4"}) {  // low-rank: b(a(x))
    b.linear(std::string(p) + ".a", kCondDim, kPoseRank, false);
    b.linear(std::string(p) + ".b", kPoseRank, kCondDim, true);
  }
  b.res("h1.r1", kC1, true);
  b.res("h1.r2", kC1, true);
  b.fp16("h1.out.weight", {3, kC1, 1, 1});
  b.bias("h1.out.bias", 3);
  b.res("h2.r1", kC1, false);
  b.dsconv("h2.pre", kC1, kHeadHidden);
  b.fp16("h2.out.weight", {3, kHeadHidden, 1, 1});
  b.bias("h2.out.bias", 3);
  return b.specs;
}

}  // namespace

std::size_t TensorSpec::numel() const {
  std::size_t n = 1;
  for (int d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

const std::vector<TensorSpec>& generator_schema() {
  static const std::vector<TensorSpec> schema = build();
  return schema;
}

}  // namespace tac::codec::maskgen
