// `tac decode VIDEO -o OUT.raw`: the contest's ground-truth decode, written as a `.raw`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/io/raw_frames.hpp"
#include "tac/io/video_decoder.hpp"

namespace {

struct DecodeArgs {
  std::string video;
  std::string output;
  std::int64_t frames = -1;
  int threads = 0;
};

// "\rframe N  X fps" on a terminal, at most a few times per second; cleared when done or failing.
class Progress {
 public:
  Progress() : enabled_(::isatty(STDERR_FILENO) == 1) {}
  ~Progress() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }
  void update(std::int64_t frames, double seconds) {
    if (!enabled_ || seconds < next_) return;
    next_ = seconds + 0.25;
    shown_ = true;
    std::fprintf(stderr, "\r\033[Kdecode: %lld frames, %.1f fps", static_cast<long long>(frames),
                 seconds > 0 ? static_cast<double>(frames) / seconds : 0.0);
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  bool shown_ = false;
  double next_ = 0.5;
};

void run_decode(const DecodeArgs& args) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  tac::io::VideoDecoderOptions options;
  options.threads = args.threads;
  options.max_frames = args.frames;
  options.queue_frames = 0;  // converting and writing a frame is light: no extra hand-off thread
  tac::io::VideoDecoder decoder(args.video, options);
  const auto& info = decoder.info();
  if (info.width != tac::contest::kFrameWidth || info.height != tac::contest::kFrameHeight)
    tac::fail(tac::ErrorKind::usage, "{}: frames are {}x{}; the contest .raw layout holds {}x{} frames", args.video, info.width, info.height,
              tac::contest::kFrameWidth, tac::contest::kFrameHeight);

  // Each frame is converted and written in bands of rows small enough to stay in the core's L2
  // cache, so write(2) copies from cache instead of re-reading a 3 MB frame from memory: this
  // alone is ~0.4 s of CPU on 300 frames (bench/decode_bench.sh).
  constexpr int kBandRows = 32;
  std::vector<std::uint8_t> band(static_cast<std::size_t>(kBandRows) * tac::contest::kFrameWidth * 3);
  Progress progress;
  tac::io::RawWriter writer(args.output);  // removes its temporary unless committed
  while (const tac::io::YuvFrame* frame = decoder.next_yuv()) {
    for (int row = 0; row < info.height; row += kBandRows) {
      const int end = std::min(row + kBandRows, info.height);
      const std::span<std::uint8_t> rows(band.data(), static_cast<std::size_t>(end - row) * info.width * 3);
      tac::image::yuv420_to_rgb_band(frame->planes, row, end, rows);
      writer.write_rows(rows);
    }
    writer.end_frame();
    progress.update(writer.frames_written(), std::chrono::duration<double>(Clock::now() - start).count());
  }
  writer.commit();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto frames = writer.frames_written();
  std::printf("decoded %lld frames (%dx%d %s) in %.2f s, %.1f fps -> %s\n", static_cast<long long>(frames), info.width,
              info.height, info.codec.c_str(), seconds, seconds > 0 ? static_cast<double>(frames) / seconds : 0.0,
              args.output.c_str());
}

void register_decode(CLI::App& app) {
  auto args = std::make_shared<DecodeArgs>();
  auto* cmd = app.add_subcommand("decode", "Decode a video to RGB frames exactly as the contest's CPU scorer does.");
  cmd->footer(
      "Decodes VIDEO with FFmpeg's libav (HEVC in Matroska, bare Annex-B .hevc, or anything else libav\n"
      "reads that decodes to 8-bit yuv420p) and converts every frame with the contest's yuv420_to_rgb:\n"
      "bilinear chroma upsample, BT.601 limited range in float32, clamp, round half to even\n"
      "(scorer_architecture.md §1.2). The result is bit-identical to the ground truth the CPU scorer\n"
      "sees. OUT.raw is the contest's .raw layout: uint8 R,G,B, 874x1164 per frame, frames back to\n"
      "back, no header. OUT.raw appears only when decoding succeeded; damaged or truncated input is an\n"
      "error and leaves nothing behind.\n"
      "\n"
      "Example: tac decode videos/0.mkv -o gt/0.raw");
  cmd->add_option("video", args->video, "Input video file")->required();
  cmd->add_option("-o,--output", args->output, "Output .raw file")->required();
  cmd->add_option("--frames", args->frames, "Decode only the first N frames")->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->threads, "libav decoding threads (0 = one per core)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  cmd->callback([args] { run_decode(*args); });
}

TAC_REGISTER_COMMAND(10, register_decode);

}  // namespace
