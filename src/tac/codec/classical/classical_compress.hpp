#pragma once
// The classical lane: decode a video, downscale it (libswscale, lanczos by default), re-encode it
// with a libav encoder (libx265, libsvtav1, libaom-av1) into Matroska, reproducibly.
//
// The x265 defaults are upstream baseline_fast's compress.sh, option for option:
//   scale 0.45 lanczos, -preset ultrafast -crf 30 -g 1 -bf 0
//   -x265-params keyint=1:min-keyint=1:scenecut=0:frame-threads=4
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tac/core/progress.hpp"
#include "tac/io/video_encoder.hpp"

namespace tac::codec::classical {

struct CompressOptions {
  std::string codec = "x265";       // x265, svtav1, aom
  double scale = 0.45;              // 0 < scale <= 1; output size trunc(iw*scale/2)*2
  std::string filter = "lanczos";   // libswscale resampler
  std::optional<double> crf;        // codec default when unset
  std::optional<std::string> preset;
  std::optional<int> gop;           // keyframe interval
  std::string tune;
  std::string params;               // extra encoder parameters, "k=v:k=v", win over the defaults
  int threads = 2;                  // pinned encoder threads (output depends on it for some codecs)
  bool threads_explicit = false;    // x265 gets pools=threads only when set (x265 writes it into the stream)
  int decode_threads = 0;           // input decode threads; 0 = one per core (output does not depend on it)
  std::int64_t max_frames = -1;
  ProgressCallback progress;        // stage "compress": frames encoded (total known only with max_frames)
};

struct CompressedStream {
  std::vector<std::uint8_t> bytes;  // Matroska
  io::EncoderSettings settings;     // what the encoder was given
  int source_width = 0, source_height = 0;
  std::int64_t frames = 0;
};

// The encoder settings `options` resolve to for a source of the given size (defaults filled in).
io::EncoderSettings resolve_settings(const CompressOptions& options, int source_width, int source_height);

// Decodes `video`, scales and encodes every frame. Throws tac::Error naming the file for an
// unreadable video, odd frame sizes, an unknown codec or filter, or a scale outside (0, 1].
CompressedStream compress_video(const std::filesystem::path& video, const CompressOptions& options);

}  // namespace tac::codec::classical
