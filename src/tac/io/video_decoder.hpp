#pragma once
// Streaming video decoder on FFmpeg's libav* API: HEVC in Matroska, bare Annex-B `.hevc`, and
// whatever else libav demuxes, as long as it decodes to 8-bit yuv420p/yuvj420p. Frames come out
// one at a time, in order; the whole video is never held.
//
// libav's frame threads decode ahead of the caller; optionally (queue_frames > 0) a background
// thread also demuxes and feeds libav into a small bounded queue, so heavy work on frame k
// overlaps with decoding of frames k+1, k+2, ...
// Damaged input (missing file, not a video, unsupported pixel format, truncated or corrupt
// stream) raises tac::Error naming the file and the problem; libav itself prints nothing.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "tac/image/yuv420_to_rgb.hpp"

namespace tac::io {

struct VideoDecoderOptions {
  int threads = 0;               // libav decoding threads; 0 = libav's choice (one per core)
  std::int64_t max_frames = -1;  // stop after this many frames; < 0 = all
  std::string format;            // force a demuxer ("hevc", "matroska", ...); empty = probe
  // Decoded frames buffered ahead of the consumer by a background thread; 0 = no thread: the
  // caller's next_*() drives libav itself (libav's frame threads still decode ahead). The thread
  // pays off when the consumer does heavy work per frame; for a light consumer (convert and
  // write) the hand-offs cost more than they win.
  int queue_frames = 3;
  // Strict (default): any decoding error, corrupt frame or error logged by libav (e.g. Matroska's
  // "File ended prematurely") fails. Lenient behaves like upstream PyAV: frames as libav conceals
  // them, cut-off data dropped silently; only errors libav returns fail.
  bool strict = true;
  // Largest frame (width * height) accepted; bounds what a hostile header makes libav allocate.
  std::int64_t max_pixels = std::int64_t{16384} * 16384;
};

struct VideoInfo {
  int width = 0;
  int height = 0;
  std::string codec;         // libav decoder name, e.g. "hevc"
  std::string container;     // demuxer name, e.g. "matroska,webm"
  std::string pixel_format;  // "yuv420p" or "yuvj420p"
  double frame_rate = 0;     // declared frames per second, 0 if unknown
  double duration_seconds = -1;  // declared by the container, -1 if unknown
};

// One decoded frame: its planes stay valid until the next call to next_yuv()/next_rgb().
struct YuvFrame {
  image::Yuv420Planes planes;
  std::int64_t index = 0;  // 0-based decode order (= display order: libav reorders)
};

class VideoDecoder {
 public:
  // Opens and probes the file; throws tac::Error when it cannot be decoded.
  explicit VideoDecoder(const std::filesystem::path& path, const VideoDecoderOptions& options = {});
  // Decodes bytes in memory (kept alive by the caller); `name` stands for the file in messages.
  VideoDecoder(std::span<const std::uint8_t> bytes, std::string name, const VideoDecoderOptions& options = {});
  ~VideoDecoder();
  VideoDecoder(const VideoDecoder&) = delete;
  VideoDecoder& operator=(const VideoDecoder&) = delete;

  const VideoInfo& info() const;
  // The next frame, or nullptr after the last one (or after max_frames).
  const YuvFrame* next_yuv();
  // The next frame converted to RGB per scorer_architecture.md §1.2 into `rgb`
  // (width * height * 3 bytes); false after the last frame. `convert_threads` > 1 splits rows.
  bool next_rgb(std::span<std::uint8_t> rgb, int convert_threads = 1);
  std::int64_t frames_delivered() const;
  // The name used in messages (the path, or the name given for bytes in memory).
  const std::string& name() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Decodes every frame (up to options.max_frames) and hands each RGB frame to `on_frame` in order,
// reusing one buffer. Returns the number of frames.
std::int64_t decode_rgb_frames(const std::filesystem::path& path, const VideoDecoderOptions& options,
                               const std::function<void(std::span<const std::uint8_t> rgb, std::int64_t index)>& on_frame);

}  // namespace tac::io
