#pragma once
// The contest's CPU YUV 4:2:0 -> RGB conversion, bit-exact (scorer_architecture.md §1.2): bilinear
// chroma upsample (§1.3 rule), BT.601 limited range in float32 with one rounding per operation,
// clamp to [0, 255], round half to even, interleaved R,G,B.
#include <cstddef>
#include <cstdint>
#include <span>

namespace tac::image {

// One 8-bit 4:2:0 frame as libav lays it out: row r of a plane starts at `plane + r * stride`
// (stride >= the plane's width; only the first width bytes of a row are read). libav stores
// chroma planes of ((width + 1) / 2) x ((height + 1) / 2) samples.
struct Yuv420Planes {
  const std::uint8_t* y = nullptr;
  const std::uint8_t* u = nullptr;
  const std::uint8_t* v = nullptr;
  std::ptrdiff_t y_stride = 0;
  std::ptrdiff_t u_stride = 0;
  std::ptrdiff_t v_stride = 0;
  int width = 0;
  int height = 0;
};

// Chroma samples the contest's conversion reads per axis: floor(size / 2). Upstream slices
// `[:H//2, :W//2]`, so for an odd size libav's last chroma column/row is ignored and the upsample
// uses the general §1.3 float32 rule (scale != 0.5) instead of the exact factor-2 rule.
constexpr int used_chroma_size(int luma_size) { return luma_size / 2; }

// Throws tac::Error unless width, height >= 2, the pointers are set and strides cover the rows read.
void check_planes(const Yuv420Planes& in);

// Converts output rows [row_begin, row_end) into `rgb`: row r is written at rgb + r * rgb_stride,
// width * 3 bytes. Row ranges are independent, so callers may split a frame across threads.
void yuv420_to_rgb_rows(const Yuv420Planes& in, std::uint8_t* rgb, std::ptrdiff_t rgb_stride, int row_begin,
                        int row_end);

// Rows [row_begin, row_end) packed from the start of `band` (at least (row_end - row_begin) *
// width * 3 bytes). Converting a frame band by band keeps the output in cache for whoever consumes
// it next (a write(2), for instance).
void yuv420_to_rgb_band(const Yuv420Planes& in, int row_begin, int row_end, std::span<std::uint8_t> band);

// The whole frame into packed rows; rgb.size() must be width * height * 3.
void yuv420_to_rgb(const Yuv420Planes& in, std::span<std::uint8_t> rgb);

// Same result, rows split into `threads` contiguous bands run concurrently (threads <= 1: inline).
void yuv420_to_rgb_parallel(const Yuv420Planes& in, std::span<std::uint8_t> rgb, int threads);

}  // namespace tac::image
