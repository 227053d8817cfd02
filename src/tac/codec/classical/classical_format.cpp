#include "tac/codec/classical/classical_format.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/ordered_pipeline.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/core/worker_pool.hpp"
#include "tac/image/bicubic_upscale.hpp"
#include "tac/image/yuv420_to_rgb.hpp"
#include "tac/io/video_decoder.hpp"

namespace tac::codec::classical {
namespace {

bool is_annex_b_hevc_vps(std::span<const std::uint8_t> b) {
  std::size_t start = 0;
  if (b.size() >= 5 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 1) start = 4;
  else if (b.size() >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 1) start = 3;
  else return false;
  return ((b[start] >> 1) & 0x3F) == 32;  // nal_unit_type VPS (H.265 §7.4.2.2)
}

std::string container_of(std::span<const std::uint8_t> b) {
  if (b.size() >= 4 && b[0] == 0x1A && b[1] == 0x45 && b[2] == 0xDF && b[3] == 0xA3) return "Matroska/WebM";
  if (b.size() >= 4 && b[0] == 'D' && b[1] == 'K' && b[2] == 'I' && b[3] == 'F') return "IVF";
  if (is_annex_b_hevc_vps(b)) return "Annex-B HEVC";
  return {};
}

class ClassicalFormat final : public Format {
 public:
  std::string_view name() const override { return "classical"; }
  std::string_view summary() const override {
    return "a libav video stream (Matroska/WebM, IVF, Annex-B HEVC) upscaled bicubic to 874x1164";
  }
  bool detect(const ArchiveMember& member) const override { return looks_like_video_stream(member.bytes); }

  std::vector<Section> describe(const ArchiveMember& member) const override {
    Section s;
    s.name = "video stream";
    s.offset = 0;
    s.bytes = member.bytes.size();
    s.codec = container_of(member.bytes);
    try {
      io::VideoDecoder decoder(member.bytes, member.name, {.threads = 1, .max_frames = 0});
      const auto& info = decoder.info();
      s.codec += " / " + info.codec;
      s.detail = fmt::format("{}x{} {}, {} fps", info.width, info.height, info.pixel_format, info.frame_rate);
    } catch (const Error& e) {
      s.detail = e.what();
    }
    return {s};
  }

  const ArchiveMember* member_for(const ArchiveContents& archive, std::string_view video_name) const override {
    // The upstream baseline keeps the video's own name ("0.mkv"); any member with its stem and a
    // video stream inside will do ("0.ivf", "0.hevc").
    if (const auto* exact = archive.find(video_name)) return exact;
    const auto stem = video_stem(video_name);
    for (const auto& m : archive.members()) {
      if (video_stem(std::filesystem::path(m.name).filename().string()) == stem && detect(m)) return &m;
    }
    return nullptr;
  }

  void inflate(const ArchiveMember& member, FrameSink& sink, const InflateOptions& options) const override {
    const int threads = std::clamp(resolve_thread_count(options.threads), 1, 64);
    io::VideoDecoderOptions decode_options;
    decode_options.threads = std::min(threads, 4);
    decode_options.max_frames = options.max_frames;
    io::VideoDecoder decoder(member.bytes, member.name, decode_options);
    const auto& info = decoder.info();
    constexpr int H = contest::kFrameHeight, W = contest::kFrameWidth;
    if (info.width > W || info.height > H) {
      fail(ErrorKind::limit_exceeded, "{}: stream is {}x{}, larger than the contest's {}x{}", member.name, info.width, info.height, W, H);
    }
    const bool upscale = info.width != W || info.height != H;

    // Frame k: decoded and converted to RGB here, in order (small and cheap), upscaled by worker
    // k % threads (each upscaler belongs to one worker), written here in order
    // (tac/core/ordered_pipeline.hpp); a window of 2 frames per worker keeps every worker busy.
    struct Frame {
      std::vector<std::uint8_t> small, big;
    };
    const int workers = upscale ? threads : 1;
    std::vector<std::unique_ptr<image::BicubicUpscaler>> upscalers;
    std::vector<double> upscale_seconds(static_cast<std::size_t>(workers), 0.0);
    if (upscale)
      for (int w = 0; w < workers; ++w)
        upscalers.push_back(std::make_unique<image::BicubicUpscaler>(info.height, info.width, H, W));
    double write_seconds = 0, decode_seconds = 0;
    OrderedPipeline<Frame> pipeline;
    pipeline.make_buffer = [&] {
      Frame f;
      f.small.resize(static_cast<std::size_t>(info.width) * info.height * 3);
      if (upscale) f.big.resize(contest::kFrameBytes);
      return f;
    };
    pipeline.prepare = [&](std::int64_t, Frame& f) {
      const auto t = SteadyClock::now();
      const auto* frame = decoder.next_yuv();
      if (!frame) return false;
      if (frame->planes.width != info.width || frame->planes.height != info.height) {
        fail(ErrorKind::corrupt_input, "{}: frame {} is {}x{}, the stream started at {}x{}", member.name, frame->index,
             frame->planes.width, frame->planes.height, info.width, info.height);
      }
      image::yuv420_to_rgb(frame->planes, f.small);
      decode_seconds += seconds_since(t);
      return true;
    };
    pipeline.produce = [&](int w, std::int64_t, Frame& f) {
      if (!upscale) return;
      const auto t0 = SteadyClock::now();
      upscalers[static_cast<std::size_t>(w)]->rgb8_to_rgb8(f.small.data(), f.big.data());
      upscale_seconds[static_cast<std::size_t>(w)] += seconds_since(t0);
    };
    pipeline.consume = [&](std::int64_t, Frame& f) {
      const auto t = SteadyClock::now();
      sink.write_frame(upscale ? f.big : f.small);
      write_seconds += seconds_since(t);
    };
    std::int64_t written = 0;
    {
      WorkerPool pool(workers);
      written = pipeline.run(pool, 2 * workers, -1);
    }
    if (written == 0) fail(ErrorKind::corrupt_input, "{}: the video stream holds no frames", member.name);
    if (options.stats) {
      auto& st = *options.stats;
      st.network_seconds += decode_seconds;  // decode + YUV->RGB stands where a network would
      for (const double s : upscale_seconds) st.upscale_seconds += s;
      st.write_seconds += write_seconds;
      st.frames += written;
      st.threads = threads;
    }
  }
};

}  // namespace

bool looks_like_video_stream(std::span<const std::uint8_t> bytes) { return !container_of(bytes).empty(); }

const Format& format() {
  static const ClassicalFormat instance;
  return instance;
}

}  // namespace tac::codec::classical
