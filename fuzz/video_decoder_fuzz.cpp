// libFuzzer target: the libav video decoder (from memory, via a custom AVIOContext) and the
// yuv420->RGB conversion of whatever frames come out must reject or accept any bytes without
// crashing, hanging or leaking. Inputs and frames are bounded so each run stays fast.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tac/core/error.hpp"
#include "tac/io/video_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1u << 20)) return 0;  // 1 MiB: enough for several small coded frames
  tac::io::VideoDecoderOptions options;
  options.threads = 1;
  options.max_frames = 4;
  options.queue_frames = 1;
  options.max_pixels = 512 * 512;
  try {
    tac::io::VideoDecoder decoder({data, size}, "fuzz-input", options);
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(decoder.info().width) * decoder.info().height * 3);
    while (decoder.next_rgb(rgb)) {
    }
  } catch (const tac::Error&) {
  }
  return 0;
}
