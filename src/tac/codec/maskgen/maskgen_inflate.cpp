#include "tac/codec/maskgen/maskgen_inflate.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "tac/codec/maskgen/frame_output.hpp"
#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/maskgen_payload.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/ordered_pipeline.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/core/worker_pool.hpp"

namespace tac::codec::maskgen {

DecodedArchive decode_archive(std::span<const std::uint8_t> member, const std::string& source, int threads) {
  const auto p = split_payload(member, source);
  DecodedArchive a;
  // The small records first: a damaged one fails before the long mask decode.
  a.poses = decode_pose_record(p[RecordId::pose].bytes, source);
  a.sidecar = decode_sidecar_record(p[RecordId::sidecar].bytes, source);
  a.weights = std::make_shared<const GeneratorWeights>(decode_model_record(p[RecordId::model].bytes, source));
  MaskDecodeStats stats;
  a.masks = decode_masks(p[RecordId::mask].bytes, source, threads, &stats);
  a.mask_seconds = stats.seconds;
  apply_sidecar(a.sidecar, a.masks, a.poses);
  return a;
}

PairRenderer::PairRenderer(const DecodedArchive& archive)
    : archive_(archive), generator_(archive.weights), planes_(6 * kMaskPixels) {}

void PairRenderer::render(int pair, std::span<std::uint8_t> frames, double* generator_seconds, double* output_seconds) {
  if (pair < 0 || pair >= kPairs || frames.size() != 2 * contest::kFrameBytes)
    fail(ErrorKind::internal, "maskgen: cannot render pair {} into {} bytes", pair, frames.size());
  auto t0 = SteadyClock::now();
  generator_.forward(std::span(archive_.masks).subspan(std::size_t(pair) * kMaskPixels, kMaskPixels),
                     archive_.poses[pair], planes_);
  if (generator_seconds) *generator_seconds += seconds_since(t0);
  t0 = SteadyClock::now();
  for (int f = 0; f < 2; ++f)
    upsample_to_frame(std::span(planes_).subspan(f * 3 * kMaskPixels, 3 * kMaskPixels),
                      frames.subspan(f * contest::kFrameBytes, contest::kFrameBytes));
  if (const auto it = archive_.sidecar.pairs.find(pair); it != archive_.sidecar.pairs.end() && it->second.warp)
    warp_frame(*it->second.warp, frames.subspan(0, contest::kFrameBytes));
  if (output_seconds) *output_seconds += seconds_since(t0);
}

void inflate_member(std::span<const std::uint8_t> member, const std::string& source, FrameSink& sink,
                    const InflateOptions& options) {
  int threads = resolve_thread_count(options.threads);
  const DecodedArchive archive = decode_archive(member, source, threads);
  std::int64_t frames = 2 * std::int64_t{kPairs};
  if (options.max_frames >= 0) frames = std::min(frames, options.max_frames);
  const int pairs = static_cast<int>((frames + 1) / 2);
  threads = std::clamp(threads, 1, std::max(pairs, 1));
  const std::size_t pair_bytes = 2 * contest::kFrameBytes;

  // Pair k rendered by worker k % threads (its own renderer), written here in order
  // (tac/core/ordered_pipeline.hpp), at most two pairs per worker ahead of the writer.
  struct Worker {
    explicit Worker(const DecodedArchive& a) : renderer(a) {}
    PairRenderer renderer;
    double generator = 0, output = 0;
  };
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>(archive));
  using Frames = std::unique_ptr<std::uint8_t[]>;
  double write = 0;
  std::int64_t written = 0;
  OrderedPipeline<Frames> pipeline;
  pipeline.make_buffer = [&] { return std::make_unique_for_overwrite<std::uint8_t[]>(pair_bytes); };
  pipeline.produce = [&](int w, std::int64_t pair, Frames& rgb) {
    Worker& me = *workers[static_cast<std::size_t>(w)];
    me.renderer.render(static_cast<int>(pair), std::span(rgb.get(), pair_bytes), &me.generator, &me.output);
  };
  pipeline.consume = [&](std::int64_t, Frames& rgb) {
    const auto t0 = SteadyClock::now();
    for (int f = 0; f < 2 && written < frames; ++f, ++written)
      sink.write_frame(std::span<const std::uint8_t>(rgb.get() + f * contest::kFrameBytes, contest::kFrameBytes));
    write += seconds_since(t0);
  };
  {
    WorkerPool pool(threads);
    pipeline.run(pool, 2 * threads, pairs);
  }
  if (options.stats) {
    double generator = archive.mask_seconds, output = 0;
    for (const auto& w : workers) generator += w->generator, output += w->output;
    options.stats->network_seconds += generator;  // mask decode + generator
    options.stats->upscale_seconds += output;     // resize to 874 x 1164 + warps
    options.stats->write_seconds += write;
    options.stats->frames += frames;
    options.stats->threads = threads;
  }
}

}  // namespace tac::codec::maskgen
