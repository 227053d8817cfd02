#include "tac/io/video_decoder.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
}

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tac/core/error.hpp"
#include "tac/core/mapped_file.hpp"
#include "tac/io/libav_log.hpp"

namespace tac::io {
namespace {

constexpr int kIoBufferBytes = 1 << 16;

struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;

struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;

bool supported_pixel_format(int format) { return format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P; }

std::string pixel_format_name(int format) {
  const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(format));
  return name != nullptr ? name : "unknown";
}

// The container is read from memory (a file is memory-mapped), so libav never opens anything
// itself: no protocols, no playlists or side files a hostile container could point at.
struct MemoryReader {
  std::span<const std::uint8_t> bytes;
  std::size_t position = 0;

  static int read(void* opaque, std::uint8_t* buffer, int size) {
    auto* self = static_cast<MemoryReader*>(opaque);
    const std::size_t left = self->bytes.size() - self->position;
    if (left == 0 || size <= 0) return AVERROR_EOF;
    const std::size_t n = std::min(left, static_cast<std::size_t>(size));
    std::memcpy(buffer, self->bytes.data() + self->position, n);
    self->position += n;
    return static_cast<int>(n);
  }

  static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
    auto* self = static_cast<MemoryReader*>(opaque);
    const auto size = static_cast<std::int64_t>(self->bytes.size());
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE) return size;
    std::int64_t base = 0;
    if (whence == SEEK_CUR) base = static_cast<std::int64_t>(self->position);
    else if (whence == SEEK_END) base = size;
    else if (whence != SEEK_SET) return AVERROR(EINVAL);
    if (offset > size || offset < -size) return AVERROR(EINVAL);
    const std::int64_t target = base + offset;
    if (target < 0 || target > size) return AVERROR(EINVAL);
    self->position = static_cast<std::size_t>(target);
    return target;
  }
};

int refuse_nested_open(AVFormatContext*, AVIOContext**, const char* url, int, AVDictionary**) {
  return AVERROR(EPERM);
}

}  // namespace

struct VideoDecoder::State {
  std::string name;
  VideoDecoderOptions options;
  VideoInfo info;
  std::optional<MappedFile> map;
  MemoryReader reader;
  libav::LogCapture log;

  AVIOContext* io = nullptr;
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  int stream_index = -1;

  // Producer -> consumer queue of decoded frames.
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<FramePtr> queue;
  bool finished = false;  // the producer has pushed its last frame (or failed)
  bool stop = false;      // the consumer is going away
  std::exception_ptr error;
  std::thread producer;

  FramePtr current;
  YuvFrame current_view;
  std::int64_t delivered = 0;

  ~State() {
    {
      std::lock_guard lock(mutex);
      stop = true;
    }
    changed.notify_all();
    if (producer.joinable()) producer.join();
    queue.clear();
    current.reset();
    avcodec_free_context(&codec);
    avformat_close_input(&format);
    if (io != nullptr) av_freep(&io->buffer);
    avio_context_free(&io);
  }

  [[noreturn]] void fail_with_log(const std::string& problem) {
    const std::string details = log.summary();
    if (details.empty()) fail(ErrorKind::corrupt_input, "{}: {}", name, problem);
    fail(ErrorKind::corrupt_input, "{}: {} (libav: {})", name, problem, details);
  }

  void open(std::span<const std::uint8_t> bytes) {
    libav::install_log_router();
    const libav::ThreadLogScope scope(&log);
    if (bytes.empty()) fail(ErrorKind::corrupt_input, "{}: empty file, not a video", name);
    if (options.queue_frames < 0) fail(ErrorKind::usage, "{}: queue_frames must not be negative", name);
    reader.bytes = bytes;

    auto* buffer = static_cast<std::uint8_t*>(av_malloc(kIoBufferBytes));
    if (buffer == nullptr) fail(ErrorKind::internal, "{}: out of memory", name);
    io = avio_alloc_context(buffer, kIoBufferBytes, 0, &reader, &MemoryReader::read, nullptr, &MemoryReader::seek);
    if (io == nullptr) {
      av_free(buffer);
      fail(ErrorKind::internal, "{}: out of memory", name);
    }
    format = avformat_alloc_context();
    if (format == nullptr) fail(ErrorKind::internal, "{}: out of memory", name);
    format->pb = io;
    format->flags |= AVFMT_FLAG_CUSTOM_IO;
    format->io_open = refuse_nested_open;

    // Upstream opens `.hevc` files with format='hevc' (bare Annex-B), everything else by probing.
    std::string forced = options.format;
    if (forced.empty() && std::filesystem::path(name).extension() == ".hevc") forced = "hevc";
    const AVInputFormat* input_format = nullptr;
    if (!forced.empty()) {
      input_format = av_find_input_format(forced.c_str());
      if (input_format == nullptr) fail(ErrorKind::usage, "{}: libav has no demuxer named '{}'", name, forced);
    }
    const int opened = avformat_open_input(&format, name.c_str(), input_format, nullptr);
    if (opened < 0) {
      format = nullptr;  // freed by avformat_open_input on failure
      fail_with_log(fmt::format("not a video file libav can read: {}", libav::error_text(opened)));
    }
    const int probed = avformat_find_stream_info(format, nullptr);
    if (probed < 0) fail_with_log(fmt::format("cannot read stream information: {}", libav::error_text(probed)));

    // Upstream decodes container.streams.video[0]: the first video stream.
    for (unsigned i = 0; i < format->nb_streams; ++i) {
      if (stream_index < 0 && format->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
        stream_index = static_cast<int>(i);
      else
        format->streams[i]->discard = AVDISCARD_ALL;
    }
    if (stream_index < 0) fail(ErrorKind::corrupt_input, "{}: no video stream (container {})", name, format->iformat->name);
    const AVStream* stream = format->streams[stream_index];
    const AVCodecParameters* par = stream->codecpar;
    const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
    if (decoder == nullptr) fail(ErrorKind::corrupt_input, "{}: libav has no decoder for codec '{}'", name, avcodec_get_name(par->codec_id));
    if (par->format != AV_PIX_FMT_NONE && !supported_pixel_format(par->format))
      fail(ErrorKind::corrupt_input, "{}: unsupported pixel format {} ({} video); tac decodes 8-bit yuv420p/yuvj420p only", name,
           pixel_format_name(par->format), avcodec_get_name(par->codec_id));
    if (par->width < 2 || par->height < 2 || std::int64_t{par->width} * par->height > options.max_pixels)
      fail(ErrorKind::limit_exceeded, "{}: unsupported frame size {}x{} (at most {} pixels)", name, par->width, par->height, options.max_pixels);

    codec = avcodec_alloc_context3(decoder);
    if (codec == nullptr) fail(ErrorKind::internal, "{}: out of memory", name);
    const int copied = avcodec_parameters_to_context(codec, par);
    if (copied < 0) fail(ErrorKind::corrupt_input, "{}: bad codec parameters: {}", name, libav::error_text(copied));
    codec->thread_count = std::max(0, options.threads);
    codec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    codec->max_pixels = options.max_pixels;
    codec->opaque = &log;  // routes worker-thread log lines here (libav_log.hpp)
    // Strict: a slice that fails to decode (e.g. a cut-off last frame of a bare .hevc) is an
    // error instead of being concealed or dropped silently.
    if (options.strict) codec->err_recognition |= AV_EF_EXPLODE;
    const int codec_opened = avcodec_open2(codec, decoder, nullptr);
    if (codec_opened < 0) fail_with_log(fmt::format("cannot open the {} decoder: {}", decoder->name, libav::error_text(codec_opened)));

    info.width = par->width;
    info.height = par->height;
    info.codec = decoder->name;
    info.container = format->iformat->name;
    info.pixel_format = pixel_format_name(par->format == AV_PIX_FMT_NONE ? AV_PIX_FMT_YUV420P : par->format);
    const AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
    if (rate.num > 0 && rate.den > 0) info.frame_rate = av_q2d(rate);
    if (format->duration != AV_NOPTS_VALUE && format->duration > 0)
      info.duration_seconds = static_cast<double>(format->duration) / AV_TIME_BASE;
    // Probing may have logged about a stream it still opened; only later errors count.
    log.clear();

    if (options.queue_frames > 0) producer = std::thread([this] { produce(); });
  }

  // Blocks until there is room; false when the consumer asked to stop.
  bool push(FramePtr frame) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return stop || queue.size() < static_cast<std::size_t>(options.queue_frames); });
    if (stop) return false;
    queue.push_back(std::move(frame));
    lock.unlock();
    changed.notify_all();
    return true;
  }

  void check_frame(const AVFrame& frame, std::int64_t index) {
    if (!supported_pixel_format(frame.format))
      fail(ErrorKind::corrupt_input, "{}: frame {} has unsupported pixel format {}; tac decodes 8-bit yuv420p/yuvj420p only", name, index,
           pixel_format_name(frame.format));
    if (frame.width != info.width || frame.height != info.height)
      fail(ErrorKind::corrupt_input, "{}: frame {} is {}x{} but the stream is {}x{} (size changes are not supported)", name, index, frame.width,
           frame.height, info.width, info.height);
    if (options.strict && ((frame.flags & AV_FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags != 0))
      fail_with_log(fmt::format("frame {} is corrupt (damaged or truncated stream)", index));
  }

  // Decoding state between calls of pull().
  PacketPtr packet;
  bool input_done = false;   // the demuxer hit the end and the decoder was flushed
  bool output_done = false;  // no more frames (end of stream, max_frames, or stop)
  std::int64_t produced = 0;

  // Feeds the decoder one packet of the video stream, or flushes it at the end of the file.
  void feed() {
    if (!packet) {
      packet.reset(av_packet_alloc());
      if (!packet) fail(ErrorKind::internal, "{}: out of memory", name);
    }
    while (true) {
      const int rc = av_read_frame(format, packet.get());
      if (rc == AVERROR_EOF) break;
      if (rc < 0) fail_with_log(fmt::format("read error: {}", libav::error_text(rc)));
      if (packet->stream_index != stream_index) {
        av_packet_unref(packet.get());
        continue;
      }
      if (options.strict && (packet->flags & AV_PKT_FLAG_CORRUPT) != 0)
        fail_with_log("corrupt packet (damaged or truncated file)");
      const int sent = avcodec_send_packet(codec, packet.get());
      av_packet_unref(packet.get());
      if (sent < 0 && sent != AVERROR(EAGAIN))
        fail_with_log(fmt::format("decoding failed, damaged or truncated stream: {}", libav::error_text(sent)));
      if (options.strict && !log.empty()) fail_with_log("damaged stream");
      return;
    }
    // A demuxer that hit the end of a cut file logs it (e.g. Matroska: "File ended prematurely").
    if (options.strict && !log.empty()) fail_with_log("truncated or damaged file");
    if (io->error < 0) fail(ErrorKind::corrupt_input, "{}: read error: {}", name, libav::error_text(io->error));
    const int flushed = avcodec_send_packet(codec, nullptr);
    if (flushed < 0 && flushed != AVERROR_EOF)
      fail_with_log(fmt::format("decoding failed at the end: {}", libav::error_text(flushed)));
    input_done = true;
  }

  // The next decoded frame in order, or null at the end (or after max_frames). With libav's frame
  // threading the decoder keeps working on the following frames while the caller uses this one.
  FramePtr pull() {
    if (output_done) return nullptr;
    if (options.max_frames >= 0 && produced >= options.max_frames) {
      output_done = true;
      return nullptr;
    }
    while (true) {
      FramePtr frame(av_frame_alloc());
      if (!frame) fail(ErrorKind::internal, "{}: out of memory", name);
      const int rc = avcodec_receive_frame(codec, frame.get());
      if (rc == 0) {
        check_frame(*frame, produced);
        if (options.strict && !log.empty()) fail_with_log("damaged stream");
        ++produced;
        return frame;
      }
      if (rc == AVERROR_EOF || (rc == AVERROR(EAGAIN) && input_done)) {
        output_done = true;
        if (options.strict && !log.empty()) fail_with_log("truncated or damaged stream");
        if (produced == 0) fail(ErrorKind::corrupt_input, "{}: the video stream has no decodable frames", name);
        return nullptr;
      }
      if (rc != AVERROR(EAGAIN))
        fail_with_log(fmt::format("decoding failed, damaged or truncated stream: {}", libav::error_text(rc)));
      feed();
    }
  }

  void decode_all() {
    while (FramePtr frame = pull())
      if (!push(std::move(frame))) return;
  }

  void produce() {
    const libav::ThreadLogScope scope(&log);
    std::exception_ptr failure;
    try {
      decode_all();
    } catch (...) {
      failure = std::current_exception();
    }
    {
      std::lock_guard lock(mutex);
      finished = true;
      error = failure;
    }
    changed.notify_all();
  }

  const YuvFrame* next() {
    current.reset();  // gives the previous frame's buffers back to libav's pool
    if (options.queue_frames == 0) {
      const libav::ThreadLogScope scope(&log);
      current = pull();
      if (!current) return nullptr;
    } else {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return !queue.empty() || finished; });
      if (queue.empty()) {
        if (error) std::rethrow_exception(error);
        return nullptr;
      }
      current = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      changed.notify_all();
    }
    image::Yuv420Planes& p = current_view.planes;
    p.y = current->data[0];
    p.u = current->data[1];
    p.v = current->data[2];
    p.y_stride = current->linesize[0];
    p.u_stride = current->linesize[1];
    p.v_stride = current->linesize[2];
    p.width = current->width;
    p.height = current->height;
    current_view.index = delivered++;
    return &current_view;
  }
};

VideoDecoder::VideoDecoder(const std::filesystem::path& path, const VideoDecoderOptions& options)
    : state_(std::make_unique<State>()) {
  state_->name = path.string();
  state_->options = options;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(ErrorKind::io, "{}: is a directory, not a video file", state_->name);
  state_->map.emplace(path);
  state_->map->advise_sequential();
  state_->open(state_->map->bytes());
}

VideoDecoder::VideoDecoder(std::span<const std::uint8_t> bytes, std::string name, const VideoDecoderOptions& options)
    : state_(std::make_unique<State>()) {
  state_->name = std::move(name);
  state_->options = options;
  state_->open(bytes);
}

VideoDecoder::~VideoDecoder() = default;

const VideoInfo& VideoDecoder::info() const { return state_->info; }
const YuvFrame* VideoDecoder::next_yuv() { return state_->next(); }
std::int64_t VideoDecoder::frames_delivered() const { return state_->delivered; }
const std::string& VideoDecoder::name() const { return state_->name; }

bool VideoDecoder::next_rgb(std::span<std::uint8_t> rgb, int convert_threads) {
  const YuvFrame* frame = next_yuv();
  if (frame == nullptr) return false;
  image::yuv420_to_rgb_parallel(frame->planes, rgb, convert_threads);
  return true;
}

std::int64_t decode_rgb_frames(const std::filesystem::path& path, const VideoDecoderOptions& options,
                               const std::function<void(std::span<const std::uint8_t>, std::int64_t)>& on_frame) {
  VideoDecoder decoder(path, options);
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(decoder.info().width) * decoder.info().height * 3);
  std::int64_t count = 0;
  while (decoder.next_rgb(rgb)) on_frame(rgb, count++);
  return count;
}

}  // namespace tac::io
