#include "tac/codec/maskgen/maskgen_inflate.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "tac/codec/maskgen/frame_output.hpp"
#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/maskgen_payload.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/stopwatch.hpp"

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
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const DecodedArchive archive = decode_archive(member, source, threads);
  std::int64_t frames = 2 * std::int64_t{kPairs};
  if (options.max_frames >= 0) frames = std::min(frames, options.max_frames);
  const int pairs = static_cast<int>((frames + 1) / 2);
  threads = std::clamp(threads, 1, std::max(pairs, 1));
  const int window = 2 * threads;
  const std::size_t pair_bytes = 2 * contest::kFrameBytes;

  std::mutex mu;
  std::condition_variable cv;
  using Frames = std::unique_ptr<std::uint8_t[]>;
  std::map<int, Frames> ready;
  std::vector<Frames> spare;
  int next_to_claim = 0, written_pairs = 0;
  std::exception_ptr error;
  double generator = archive.mask_seconds, output = 0, write = 0;

  auto worker = [&] {
    try {
      PairRenderer renderer(archive);
      double my_generator = 0, my_output = 0;
      for (;;) {
        int pair;
        Frames rgb;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return error || next_to_claim >= pairs || next_to_claim < written_pairs + window; });
          if (error || next_to_claim >= pairs) break;
          pair = next_to_claim++;
          if (!spare.empty()) rgb = std::move(spare.back()), spare.pop_back();
        }
        if (!rgb) rgb = std::make_unique_for_overwrite<std::uint8_t[]>(pair_bytes);
        renderer.render(pair, std::span(rgb.get(), pair_bytes), &my_generator, &my_output);
        {
          std::lock_guard lock(mu);
          ready.emplace(pair, std::move(rgb));
        }
        cv.notify_all();
      }
      std::lock_guard lock(mu);
      generator += my_generator;
      output += my_output;
    } catch (...) {
      std::lock_guard lock(mu);
      if (!error) error = std::current_exception();
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  try {
    std::int64_t written = 0;
    while (written_pairs < pairs) {
      Frames rgb;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return error || ready.count(written_pairs); });
        if (error) break;
        rgb = std::move(ready[written_pairs]);
        ready.erase(written_pairs);
      }
      const auto t0 = SteadyClock::now();
      for (int f = 0; f < 2 && written < frames; ++f, ++written)
        sink.write_frame(std::span<const std::uint8_t>(rgb.get() + f * contest::kFrameBytes, contest::kFrameBytes));
      write += seconds_since(t0);
      {
        std::lock_guard lock(mu);
        ++written_pairs;
        spare.push_back(std::move(rgb));
      }
      cv.notify_all();
    }
  } catch (...) {
    std::lock_guard lock(mu);
    if (!error) error = std::current_exception();
    cv.notify_all();
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  if (options.stats) {
    options.stats->network_seconds += generator;  // mask decode + generator
    options.stats->upscale_seconds += output;     // resize to 874 x 1164 + warps
    options.stats->write_seconds += write;
    options.stats->frames += frames;
    options.stats->threads = threads;
  }
}

}  // namespace tac::codec::maskgen
