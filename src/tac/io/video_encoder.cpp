#include "tac/io/video_encoder.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cstring>

#include "tac/core/error.hpp"
#include "tac/io/libav_log.hpp"

namespace tac::io {
namespace {

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

// A seekable in-memory sink for the muxer (Matroska rewrites its header sizes at the end).
struct MemorySink {
  std::vector<std::uint8_t> bytes;
  std::int64_t position = 0;

  static int write(void* opaque, std::uint8_t* data, int size) {
    auto* sink = static_cast<MemorySink*>(opaque);
    const auto end = static_cast<std::size_t>(sink->position) + static_cast<std::size_t>(size);
    if (end > sink->bytes.size()) sink->bytes.resize(end);
    std::memcpy(sink->bytes.data() + sink->position, data, static_cast<std::size_t>(size));
    sink->position = static_cast<std::int64_t>(end);
    return size;
  }
  static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
    auto* sink = static_cast<MemorySink*>(opaque);
    const auto size = static_cast<std::int64_t>(sink->bytes.size());
    switch (whence & ~AVSEEK_FORCE) {
      case AVSEEK_SIZE: return size;
      case SEEK_SET: break;
      case SEEK_CUR: offset += sink->position; break;
      case SEEK_END: offset += size; break;
      default: return AVERROR(EINVAL);
    }
    if (offset < 0) return AVERROR(EINVAL);
    sink->position = offset;
    return offset;
  }
};

// True when `params` ("k=v:k=v") already sets `key`.
bool params_set(const std::string& params, const std::string& key) {
  std::size_t start = 0;
  while (start <= params.size()) {
    const auto end = std::min(params.find(':', start), params.size());
    const auto item = params.substr(start, end - start);
    if (item.substr(0, item.find('=')) == key) return true;
    start = end + 1;
  }
  return false;
}

void append_param(std::string& params, const std::string& key, const std::string& value) {
  if (params_set(params, key)) return;
  if (!params.empty()) params += ':';
  params += key + '=' + value;
}

void set_private(AVCodecContext* context, const char* key, const std::string& value, const std::string& encoder) {
  const int status = av_opt_set(context->priv_data, key, value.c_str(), 0);
  if (status < 0) fail(ErrorKind::usage, "encoder {}: option {}={} rejected: {}", encoder, key, value, av_error_text(status));
}

}  // namespace

struct VideoEncoder::State {
  EncoderSettings settings;
  AVCodecContext* codec = nullptr;
  AVFormatContext* format = nullptr;
  AVStream* stream = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  MemorySink sink;
  std::int64_t frames = 0;
  bool finished = false;

  ~State() {
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&codec);
    if (format) {
      if (format->pb) {
        av_freep(&format->pb->buffer);
        avio_context_free(&format->pb);
      }
      avformat_free_context(format);
    }
  }

  void drain(bool flushing) {
    while (true) {
      const int status = avcodec_receive_packet(codec, packet);
      if (status == AVERROR(EAGAIN) || (flushing && status == AVERROR_EOF)) return;
      if (status < 0) fail(ErrorKind::internal, "encoder {}: {}", settings.codec, av_error_text(status));
      av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
      packet->stream_index = stream->index;
      const int written = av_interleaved_write_frame(format, packet);
      if (written < 0) fail(ErrorKind::io, "muxer {}: {}", settings.container, av_error_text(written));
    }
  }
};

VideoEncoder::VideoEncoder(const EncoderSettings& settings) : state_(std::make_unique<State>()) {
  auto& s = *state_;
  s.settings = settings;
  if (settings.width <= 0 || settings.height <= 0 || settings.width % 2 || settings.height % 2) {
    fail(ErrorKind::usage, "encoder: frame size {}x{} must be positive and even (4:2:0)", settings.width, settings.height);
  }
  if (settings.fps <= 0) fail(ErrorKind::usage, "encoder: fps must be positive");
  if (settings.threads < 0) fail(ErrorKind::usage, "encoder: threads must not be negative");
  libav::install_log_router();  // libav prints nothing of its own in tac

  const AVCodec* codec = avcodec_find_encoder_by_name(settings.codec.c_str());
  if (!codec) fail(ErrorKind::usage, "encoder {} is not in this libavcodec build", settings.codec);
  const AVOutputFormat* muxer = av_guess_format(settings.container.c_str(), nullptr, nullptr);
  if (!muxer) fail(ErrorKind::usage, "container {} is not in this libavformat build", settings.container);

  if (avformat_alloc_output_context2(&s.format, muxer, nullptr, nullptr) < 0 || !s.format) {
    fail(ErrorKind::internal, "muxer {}: cannot allocate", settings.container);
  }
  s.format->flags |= AVFMT_FLAG_BITEXACT;  // no random UIDs, no version strings
  constexpr int kIoBuffer = 1 << 16;
  auto* io_buffer = static_cast<unsigned char*>(av_malloc(kIoBuffer));
  s.format->pb = avio_alloc_context(io_buffer, kIoBuffer, 1, &s.sink, nullptr, &MemorySink::write, &MemorySink::seek);
  if (!s.format->pb) {
    av_free(io_buffer);
    fail(ErrorKind::internal, "muxer {}: cannot allocate I/O", settings.container);
  }

  s.codec = avcodec_alloc_context3(codec);
  s.codec->width = settings.width;
  s.codec->height = settings.height;
  s.codec->pix_fmt = AV_PIX_FMT_YUV420P;
  s.codec->time_base = AVRational{1, settings.fps};
  s.codec->framerate = AVRational{settings.fps, 1};
  s.codec->thread_count = settings.threads > 0 ? settings.threads : 1;
  s.codec->flags |= AV_CODEC_FLAG_BITEXACT;
  s.codec->color_range = static_cast<AVColorRange>(settings.color.range);
  s.codec->chroma_sample_location = static_cast<AVChromaLocation>(settings.color.chroma_location);
  s.codec->color_primaries = static_cast<AVColorPrimaries>(settings.color.primaries);
  s.codec->color_trc = static_cast<AVColorTransferCharacteristic>(settings.color.transfer);
  s.codec->colorspace = static_cast<AVColorSpace>(settings.color.matrix);
  if (settings.gop) s.codec->gop_size = *settings.gop;
  if (settings.max_b_frames) s.codec->max_b_frames = *settings.max_b_frames;
  if (muxer->flags & AVFMT_GLOBALHEADER) s.codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  // Per-encoder option names; threading pinned so the output does not depend on the machine's cores.
  std::string params = settings.codec_params;
  const std::string threads = std::to_string(settings.threads);
  const std::string& name = settings.codec;
  if (name == "libx265") {
    // x265's output depends on frame-threads (the caller pins it in codec_params) but not on the
    // size of its worker pool; pools is set only when asked, since x265 records it in the stream.
    if (settings.threads > 0) append_param(params, "pools", threads);
    if (settings.crf) set_private(s.codec, "crf", fmt::format("{}", *settings.crf), name);
    if (!settings.preset.empty()) set_private(s.codec, "preset", settings.preset, name);
    if (!settings.tune.empty()) set_private(s.codec, "tune", settings.tune, name);
    set_private(s.codec, "x265-params", params, name);
  } else if (name == "libsvtav1") {
    append_param(params, "lp", settings.threads > 0 ? threads : "1");
    if (settings.crf) set_private(s.codec, "crf", fmt::format("{}", static_cast<int>(*settings.crf)), name);
    if (!settings.preset.empty()) set_private(s.codec, "preset", settings.preset, name);
    if (!settings.tune.empty()) append_param(params, "tune", settings.tune);
    set_private(s.codec, "svtav1-params", params, name);
  } else if (name == "libaom-av1") {
    if (settings.crf) set_private(s.codec, "crf", fmt::format("{}", static_cast<int>(*settings.crf)), name);
    if (!settings.preset.empty()) set_private(s.codec, "cpu-used", settings.preset, name);
    if (!settings.tune.empty()) set_private(s.codec, "tune", settings.tune, name);
    set_private(s.codec, "row-mt", "0", name);  // row threading off: output independent of scheduling
    if (!params.empty()) set_private(s.codec, "aom-params", params, name);
  } else {
    if (settings.crf) set_private(s.codec, "crf", fmt::format("{}", *settings.crf), name);
    if (!settings.preset.empty()) set_private(s.codec, "preset", settings.preset, name);
    if (!settings.tune.empty()) set_private(s.codec, "tune", settings.tune, name);
    if (!params.empty()) fail(ErrorKind::usage, "encoder {}: no parameter passthrough for this encoder", name);
  }

  int status = avcodec_open2(s.codec, codec, nullptr);
  if (status < 0) fail(ErrorKind::usage, "encoder {}: cannot open: {}", name, av_error_text(status));

  s.stream = avformat_new_stream(s.format, nullptr);
  if (!s.stream) fail(ErrorKind::internal, "muxer {}: cannot add stream", settings.container);
  s.stream->time_base = s.codec->time_base;
  s.stream->avg_frame_rate = s.codec->framerate;
  s.stream->r_frame_rate = s.codec->framerate;
  status = avcodec_parameters_from_context(s.stream->codecpar, s.codec);
  if (status < 0) fail(ErrorKind::internal, "muxer {}: {}", settings.container, av_error_text(status));
  status = avformat_write_header(s.format, nullptr);
  if (status < 0) fail(ErrorKind::io, "muxer {}: cannot write header: {}", settings.container, av_error_text(status));

  s.frame = av_frame_alloc();
  s.packet = av_packet_alloc();
  s.frame->format = AV_PIX_FMT_YUV420P;
  s.frame->width = settings.width;
  s.frame->height = settings.height;
  s.frame->color_range = s.codec->color_range;
  s.frame->chroma_location = s.codec->chroma_sample_location;
  if (av_frame_get_buffer(s.frame, 0) < 0) fail(ErrorKind::internal, "encoder {}: out of memory", name);
}

VideoEncoder::~VideoEncoder() = default;

void VideoEncoder::write(const Yuv420View& view) {
  auto& s = *state_;
  if (s.finished) fail(ErrorKind::internal, "encoder {}: write after finish", s.settings.codec);
  if (av_frame_make_writable(s.frame) < 0) fail(ErrorKind::internal, "encoder {}: out of memory", s.settings.codec);
  const int w = s.settings.width;
  const int h = s.settings.height;
  auto copy_plane = [](std::uint8_t* dst, int dst_stride, const std::uint8_t* src, int src_stride, int width, int rows) {
    for (int r = 0; r < rows; ++r) std::memcpy(dst + std::ptrdiff_t{r} * dst_stride, src + std::ptrdiff_t{r} * src_stride, width);
  };
  copy_plane(s.frame->data[0], s.frame->linesize[0], view.y, view.y_stride, w, h);
  copy_plane(s.frame->data[1], s.frame->linesize[1], view.u, view.u_stride, w / 2, h / 2);
  copy_plane(s.frame->data[2], s.frame->linesize[2], view.v, view.v_stride, w / 2, h / 2);
  s.frame->pts = s.frames++;
  const int status = avcodec_send_frame(s.codec, s.frame);
  if (status < 0) fail(ErrorKind::internal, "encoder {}: {}", s.settings.codec, av_error_text(status));
  s.drain(false);
}

std::vector<std::uint8_t> VideoEncoder::finish() {
  auto& s = *state_;
  if (s.finished) fail(ErrorKind::internal, "encoder {}: finish called twice", s.settings.codec);
  s.finished = true;
  const int status = avcodec_send_frame(s.codec, nullptr);
  if (status < 0) fail(ErrorKind::internal, "encoder {}: flush: {}", s.settings.codec, av_error_text(status));
  s.drain(true);
  const int trailer = av_write_trailer(s.format);
  if (trailer < 0) fail(ErrorKind::io, "muxer {}: cannot write trailer: {}", s.settings.container, av_error_text(trailer));
  avio_flush(s.format->pb);
  return std::move(s.sink.bytes);
}

std::int64_t VideoEncoder::frames_written() const { return state_->frames; }

const std::vector<CodecChoice>& codec_choices() {
  static const std::vector<CodecChoice> choices{
      {"x265", "libx265"}, {"svtav1", "libsvtav1"}, {"aom", "libaom-av1"}};
  return choices;
}

bool encoder_available(const std::string& encoder) { return avcodec_find_encoder_by_name(encoder.c_str()) != nullptr; }

std::string encoder_for_codec(const std::string& name) {
  std::string known;
  for (const auto& choice : codec_choices()) {
    if (choice.name == name || choice.encoder == name) {
      if (!encoder_available(choice.encoder)) fail(ErrorKind::usage, "codec {}: encoder {} is not in this libavcodec build", name, choice.encoder);
      return choice.encoder;
    }
    known += (known.empty() ? "" : ", ") + choice.name;
  }
  fail(ErrorKind::usage, "unknown codec '{}' (choose one of: {})", name, known);
}

}  // namespace tac::io
