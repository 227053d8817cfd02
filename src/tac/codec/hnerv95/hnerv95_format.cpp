#include "tac/codec/hnerv95/hnerv95_format.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/codec/hnerv95/hnerv95_decoder.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/image/bicubic_upscale.hpp"

namespace tac::codec::hnerv95 {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Pairs are decoded and upscaled by worker threads and written in order by the calling thread.
// A worker may run at most `window` pairs ahead of the writer, which bounds memory to a few pairs.
void inflate_pairs(const Archive& archive, FrameSink& sink, const InflateOptions& options) {
  auto model = std::make_shared<const Model>(build_model(archive));
  const std::int64_t n_pairs = archive.meta.n_pairs;
  std::int64_t frames = 2 * n_pairs;
  if (options.max_frames >= 0) frames = std::min(frames, options.max_frames);
  const std::int64_t pairs = (frames + 1) / 2;
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::int64_t>(threads, std::max<std::int64_t>(pairs, 1)));
  const std::int64_t window = 2 * threads;
  const std::size_t frame_bytes = contest::kFrameBytes;

  std::mutex mu;
  std::condition_variable cv;
  using Frames = std::unique_ptr<std::uint8_t[]>;  // two frames of one pair
  std::map<std::int64_t, Frames> ready;             // pair -> its frames, waiting for the writer
  std::vector<Frames> spare;                        // written buffers, reused (no zeroing, no page faults)
  std::int64_t next_to_claim = 0, written_pairs = 0;
  std::exception_ptr error;
  double network = 0, upscale = 0;

  auto worker = [&] {
    try {
      Decoder decoder(model);
      image::BicubicUpscaler up(model->out_h, model->out_w, contest::kFrameHeight, contest::kFrameWidth);
      const std::size_t plane = std::size_t(model->out_h) * model->out_w;
      std::vector<float> planes(6 * plane);
      double my_network = 0, my_upscale = 0;
      for (;;) {
        std::int64_t pair;
        Frames rgb;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return error || next_to_claim >= pairs || next_to_claim < written_pairs + window; });
          if (error || next_to_claim >= pairs) break;
          pair = next_to_claim++;
          if (!spare.empty()) {
            rgb = std::move(spare.back());
            spare.pop_back();
          }
        }
        if (!rgb) rgb = std::make_unique_for_overwrite<std::uint8_t[]>(2 * frame_bytes);
        auto t0 = Clock::now();
        decoder.decode(archive.latents.data() + pair * archive.meta.latent_dim, torch_batch_for_pair(pair, n_pairs),
                       planes.data());
        my_network += seconds_since(t0);
        t0 = Clock::now();
        for (int f = 0; f < 2; ++f) {
          const float* p[3] = {planes.data() + (3 * f) * plane, planes.data() + (3 * f + 1) * plane,
                               planes.data() + (3 * f + 2) * plane};
          up.planar_to_rgb8(p, model->out_w, rgb.get() + f * frame_bytes);
        }
        my_upscale += seconds_since(t0);
        {
          std::lock_guard lock(mu);
          ready.emplace(pair, std::move(rgb));
        }
        cv.notify_all();
      }
      std::lock_guard lock(mu);
      network += my_network;
      upscale += my_upscale;
    } catch (...) {
      std::lock_guard lock(mu);
      if (!error) error = std::current_exception();
      cv.notify_all();
    }
  };

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  double write = 0;
  try {
    std::int64_t frames_written = 0;
    while (written_pairs < pairs) {
      Frames rgb;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return error || ready.count(written_pairs); });
        if (error) break;
        rgb = std::move(ready[written_pairs]);
        ready.erase(written_pairs);
      }
      const auto t0 = Clock::now();
      for (int f = 0; f < 2 && frames_written < frames; ++f, ++frames_written)
        sink.write_frame(std::span<const std::uint8_t>(rgb.get() + f * frame_bytes, frame_bytes));
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
    options.stats->network_seconds += network;
    options.stats->upscale_seconds += upscale;
    options.stats->write_seconds += write;
    options.stats->frames += frames;
    options.stats->threads = threads;
  }
}

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
