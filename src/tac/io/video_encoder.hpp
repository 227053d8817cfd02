#pragma once
// Streaming libav video encoder (libx265, libsvtav1, libaom-av1, ...) muxing into memory.
//
// Reproducible by construction: the codec and the muxer run in bit-exact mode (no random
// Matroska UIDs, no version strings that drift), encoder threading is pinned by the caller, and
// the container is written to a memory buffer, so the same frames and settings on the same
// machine give the same bytes. libav stays out of this header.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tac::io {

// Colour description written into the stream. The defaults describe the contest video:
// BT.601 limited ("tv") range, chroma sited left, primaries/transfer/matrix unspecified.
struct ColorTags {
  int range = 1;            // AVColorRange: 1 = MPEG/tv (limited)
  int chroma_location = 1;  // AVChromaLocation: 1 = left
  int primaries = 2;        // AVColorPrimaries: 2 = unspecified
  int transfer = 2;         // AVColorTransferCharacteristic: 2 = unspecified
  int matrix = 2;           // AVColorSpace: 2 = unspecified
};

struct EncoderSettings {
  std::string codec = "libx265";  // libav encoder name
  int width = 0;                  // even, > 0
  int height = 0;                 // even, > 0
  int fps = 20;
  std::optional<double> crf;
  std::string preset;                // the codec's own vocabulary ("ultrafast", "8", ...)
  std::optional<int> gop;            // keyframe interval; 1 = all-intra
  std::optional<int> max_b_frames;   // 0 = no B-frames
  std::string tune;                  // x265/aom tune
  std::string codec_params;          // passthrough "k=v:k=v" (x265-params / svtav1-params / aom-params)
  // Pinned encoder threads. 0 leaves x265's worker pool at its default (its output does not
  // depend on it; frame-threads, which it does depend on, goes in codec_params); 1 elsewhere.
  int threads = 1;
  std::string container = "matroska";  // libav muxer name (matroska, webm, ivf, hevc, ...)
  ColorTags color;
};

// Planes of one 8-bit 4:2:0 frame; strides in bytes.
struct Yuv420View {
  const std::uint8_t* y = nullptr;
  const std::uint8_t* u = nullptr;
  const std::uint8_t* v = nullptr;
  int y_stride = 0;
  int u_stride = 0;
  int v_stride = 0;
};

class VideoEncoder {
 public:
  explicit VideoEncoder(const EncoderSettings& settings);
  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  void write(const Yuv420View& frame);
  // Flushes the encoder and the muxer; returns the container bytes. Call once.
  std::vector<std::uint8_t> finish();
  std::int64_t frames_written() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The names `tac compress --codec` accepts and the libav encoder each maps to.
struct CodecChoice {
  std::string name;     // x265, svtav1, aom
  std::string encoder;  // libx265, libsvtav1, libaom-av1
};
const std::vector<CodecChoice>& codec_choices();
// Throws tac::Error listing the choices when `name` is unknown or the encoder is missing from libav.
std::string encoder_for_codec(const std::string& name);
bool encoder_available(const std::string& encoder);

}  // namespace tac::io
