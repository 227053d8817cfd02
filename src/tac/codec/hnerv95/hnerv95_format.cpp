#include "tac/codec/hnerv95/hnerv95_format.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/ordered_pipeline.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/core/worker_pool.hpp"
#include "tac/image/bicubic_upscale.hpp"

namespace tac::codec::hnerv95 {
namespace {

// Pairs are decoded and upscaled by worker threads (pair k by worker k % threads, each with its
// own decoder and upscaler) and written in order by the calling thread, at most two pairs per
// worker ahead of the writer (tac/core/ordered_pipeline.hpp).
void inflate_pairs(const Archive& archive, FrameSink& sink, const InflateOptions& options) {
  auto model = std::make_shared<const Model>(build_model(archive));
  const std::int64_t n_pairs = archive.meta.n_pairs;
  std::int64_t frames = 2 * n_pairs;
  if (options.max_frames >= 0) frames = std::min(frames, options.max_frames);
  const std::int64_t pairs = (frames + 1) / 2;
  const int threads =
      static_cast<int>(std::min<std::int64_t>(resolve_thread_count(options.threads), std::max<std::int64_t>(pairs, 1)));
  const std::size_t frame_bytes = contest::kFrameBytes;
  const std::size_t plane = std::size_t(model->out_h) * model->out_w;

  struct Worker {
    explicit Worker(const std::shared_ptr<const Model>& m)
        : decoder(m), up(m->out_h, m->out_w, contest::kFrameHeight, contest::kFrameWidth),
          planes(6 * std::size_t(m->out_h) * m->out_w) {}
    Decoder decoder;
    image::BicubicUpscaler up;
    std::vector<float> planes;
    double network = 0, upscale = 0;
  };
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>(model));
  using Frames = std::unique_ptr<std::uint8_t[]>;  // two frames of one pair
  double write = 0;
  std::int64_t frames_written = 0;
  OrderedPipeline<Frames> pipeline;
  pipeline.make_buffer = [&] { return std::make_unique_for_overwrite<std::uint8_t[]>(2 * frame_bytes); };
  pipeline.produce = [&](int w, std::int64_t pair, Frames& rgb) {
    Worker& me = *workers[static_cast<std::size_t>(w)];
    auto t0 = SteadyClock::now();
    me.decoder.decode(archive.latents.data() + pair * archive.meta.latent_dim, torch_batch_for_pair(pair, n_pairs),
                      me.planes.data());
    me.network += seconds_since(t0);
    t0 = SteadyClock::now();
    for (int f = 0; f < 2; ++f) {
      const float* p[3] = {me.planes.data() + (3 * f) * plane, me.planes.data() + (3 * f + 1) * plane,
                           me.planes.data() + (3 * f + 2) * plane};
      me.up.planar_to_rgb8(p, model->out_w, rgb.get() + f * frame_bytes);
    }
    me.upscale += seconds_since(t0);
  };
  pipeline.consume = [&](std::int64_t, Frames& rgb) {
    const auto t0 = SteadyClock::now();
    for (int f = 0; f < 2 && frames_written < frames; ++f, ++frames_written)
      sink.write_frame(std::span<const std::uint8_t>(rgb.get() + f * frame_bytes, frame_bytes));
    write += seconds_since(t0);
  };
  {
    WorkerPool pool(threads);
    pipeline.run(pool, 2 * threads, pairs);
  }
  if (options.stats) {
    for (const auto& w : workers) {
      options.stats->network_seconds += w->network;
      options.stats->upscale_seconds += w->upscale;
    }
    options.stats->write_seconds += write;
    options.stats->frames += frames;
    options.stats->threads = threads;
  }
}

}  // namespace

void inflate_archive(const Archive& archive, FrameSink& sink, const InflateOptions& options) {
  inflate_pairs(archive, sink, options);
}

namespace {

class Hnerv95Format final : public Format {
 public:
  std::string_view name() const override { return "hnerv95"; }
  std::string_view summary() const override {
    return "HNeRV decoder of entries #95/#104: brotli meta, int8 weights, delta latents; <video>.bin";
  }
  bool detect(const ArchiveMember& member) const override { return looks_like_hnerv95(member.bytes); }
  std::vector<Section> describe(const ArchiveMember& member) const override {
    return describe_sections(member.bytes, member.name);
  }
  const ArchiveMember* member_for(const ArchiveContents& archive, std::string_view video_name) const override {
    return archive.find(video_stem(video_name) + ".bin");
  }
  void inflate(const ArchiveMember& member, FrameSink& sink, const InflateOptions& options) const override {
    const Archive archive = parse_archive(member.bytes, member.name);
    inflate_pairs(archive, sink, options);
  }
};

}  // namespace

const Format& format() {
  static const Hnerv95Format instance;
  return instance;
}

}  // namespace tac::codec::hnerv95
