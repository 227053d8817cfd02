#pragma once
// Inflate of a maskgen member: decode masks (all 22 tiles, in parallel), poses, sidecar and model
// once, apply the sidecar's mask and pose edits, then render pairs (generator, resize to the
// contest size, the first frame's warp) on worker threads, written in order. Workers run at most
// a few pairs ahead of the writer, so memory holds the masks (118 MB) plus a few pairs per thread.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tac/codec/codec.hpp"
#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/codec/maskgen/generator.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"
#include "tac/codec/maskgen/sidecar.hpp"

namespace tac::codec::maskgen {

struct DecodedArchive {
  std::vector<std::uint8_t> masks;  // kPairs x kMaskPixels, after the sidecar's patches
  std::vector<Pose> poses;          // after the sidecar's corrections
  Sidecar sidecar;
  std::shared_ptr<const GeneratorWeights> weights;
  double mask_seconds = 0;
};

DecodedArchive decode_archive(std::span<const std::uint8_t> member, const std::string& source, int threads);

// Renders pairs of one decoded archive; one per thread.
class PairRenderer {
 public:
  explicit PairRenderer(const DecodedArchive& archive);
  // Both frames of `pair` as contest RGB bytes (2 x kFrameBytes). Seconds spent are added to the
  // counters when given.
  void render(int pair, std::span<std::uint8_t> frames, double* generator_seconds = nullptr,
              double* output_seconds = nullptr);

 private:
  const DecodedArchive& archive_;
  Generator generator_;
  std::vector<float> planes_;
};

void inflate_member(std::span<const std::uint8_t> member, const std::string& source, FrameSink& sink,
                    const InflateOptions& options);

}  // namespace tac::codec::maskgen
