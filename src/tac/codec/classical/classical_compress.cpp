#include "tac/codec/classical/classical_compress.hpp"

#include "tac/codec/classical/frame_scaler.hpp"
#include "tac/core/error.hpp"
#include "tac/io/video_decoder.hpp"

namespace tac::codec::classical {
namespace {

// Appends k=v unless `params` already sets k (user parameters win over defaults).
void add_default(std::string& params, const std::string& key, const std::string& value) {
  std::size_t start = 0;
  while (start <= params.size()) {
    const auto end = std::min(params.find(':', start), params.size());
    const auto item = params.substr(start, end - start);
    if (item.substr(0, item.find('=')) == key) return;
    start = end + 1;
  }
  if (!params.empty()) params += ':';
  params += key + '=' + value;
}

}  // namespace

io::EncoderSettings resolve_settings(const CompressOptions& options, int source_width, int source_height) {
  io::EncoderSettings s;
  s.codec = io::encoder_for_codec(options.codec);
  const auto [w, h] = scaled_size(source_width, source_height, options.scale);
  swscale_flags(options.filter);  // validates the name
  s.width = w;
  s.height = h;
  s.fps = 20;
  s.threads = options.threads;
  // x265: keep the worker pool at its default unless asked (see EncoderSettings::threads), so the
  // stream is byte-identical to upstream's compress.sh output.
  if (s.codec == "libx265" && !options.threads_explicit) s.threads = 0;
  s.tune = options.tune;
  s.codec_params = options.params;
  s.container = "matroska";
  if (s.codec == "libx265") {
    // baseline_fast: -preset ultrafast -crf 30 -g 1 -bf 0 -x265-params keyint=1:min-keyint=1:scenecut=0:frame-threads=4
    const int gop = options.gop.value_or(1);
    s.crf = options.crf.value_or(30);
    s.preset = options.preset.value_or("ultrafast");
    s.gop = gop;
    s.max_b_frames = 0;
    add_default(s.codec_params, "keyint", std::to_string(gop));
    add_default(s.codec_params, "min-keyint", std::to_string(gop));
    add_default(s.codec_params, "scenecut", "0");
    add_default(s.codec_params, "frame-threads", "4");
    add_default(s.codec_params, "log-level", "warning");  // x265 records it in the stream
  } else if (s.codec == "libsvtav1") {
    s.crf = options.crf.value_or(35);
    s.preset = options.preset.value_or("8");
    if (options.gop) s.gop = options.gop;
  } else {  // libaom-av1
    s.crf = options.crf.value_or(35);
    s.preset = options.preset.value_or("6");
    if (options.gop) s.gop = options.gop;
  }
  if (s.crf && (*s.crf < 0 || *s.crf > 63)) fail(ErrorKind::usage, "crf {} is out of range 0..63", *s.crf);
  if (s.gop && *s.gop <= 0) fail(ErrorKind::usage, "gop {} must be positive", *s.gop);
  return s;
}

CompressedStream compress_video(const std::filesystem::path& video, const CompressOptions& options) {
  // Validate what needs no input first: a bad option fails before any decoding.
  io::encoder_for_codec(options.codec);
  swscale_flags(options.filter);
  scaled_size(1164, 874, options.scale);

  io::VideoDecoderOptions decode_options;
  decode_options.threads = options.decode_threads;
  decode_options.max_frames = options.max_frames;
  io::VideoDecoder decoder(video, decode_options);
  const auto& info = decoder.info();
  if (info.width % 2 || info.height % 2) {
    fail(ErrorKind::usage, "{}: frames are {}x{}; tac compress needs even width and height (4:2:0 chroma)", video.string(), info.width,
         info.height);
  }
  CompressedStream out;
  out.source_width = info.width;
  out.source_height = info.height;
  out.settings = resolve_settings(options, info.width, info.height);
  const bool full_range = info.pixel_format == "yuvj420p";
  if (full_range) out.settings.color.range = 2;  // AVCOL_RANGE_JPEG

  const bool scaling = out.settings.width != info.width || out.settings.height != info.height;
  std::optional<FrameScaler> scaler;
  if (scaling) scaler.emplace(info.width, info.height, out.settings.width, out.settings.height, options.filter, full_range);
  io::VideoEncoder encoder(out.settings);
  while (const auto* frame = decoder.next_yuv()) {
    const auto& p = frame->planes;
    const io::Yuv420View view{p.y, p.u, p.v, static_cast<int>(p.y_stride), static_cast<int>(p.u_stride),
                              static_cast<int>(p.v_stride)};
    encoder.write(scaling ? scaler->scale(view) : view);
    report_progress(options.progress, "compress", encoder.frames_written(), std::max<std::int64_t>(options.max_frames, 0), "frames");
  }
  out.frames = encoder.frames_written();
  if (out.frames == 0) fail(ErrorKind::corrupt_input, "{}: no frames decoded", video.string());
  out.bytes = encoder.finish();
  return out;
}

}  // namespace tac::codec::classical
