#include "tac/image/yuv420_to_rgb.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "tac/core/error.hpp"

// Hot loops are compiled for several ISAs and picked at load time; everything is plain float32
// arithmetic (the project builds with -ffp-contract=off, so no FMA ever merges two roundings).
// (-DTAC_TARGET_CLONES= builds one plain variant, e.g. to test the SSE2 code on an AVX-512 host.)
#if defined(TAC_TARGET_CLONES)
#elif defined(__x86_64__) && !defined(__clang__)
#define TAC_TARGET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TAC_TARGET_CLONES
#endif

namespace tac::image {
namespace {

// §1.2 constants: Python doubles rounded once to float32.
constexpr float kK1 = static_cast<float>(255.0 / 219.0);
constexpr float kK2 = static_cast<float>(255.0 / 224.0);
constexpr float kRV = static_cast<float>(1.402);
constexpr float kGU = static_cast<float>(0.344136);
constexpr float kGV = static_cast<float>(0.714136);
constexpr float kBU = static_cast<float>(1.772);
static_assert(kK1 == 0x1.2a150ap+0f && kK2 == 0x1.236db6p+0f, "scorer_architecture.md §1.2 constants");

// Adding 2^23 to a value in [0, 2^23) leaves it rounded half to even (the default rounding mode,
// = nearbyintf) in the low mantissa bits; exact for the clamped range [0, 255].
constexpr float kRoundMagic = 0x1p23f;

inline std::uint8_t clamp_round_u8(float x) {
  x = x > 0.0f ? x : 0.0f;  // clamp(x, 0, 255) as torch: min(max(x, 0), 255)
  x = x < 255.0f ? x : 255.0f;
  return static_cast<std::uint8_t>(std::bit_cast<std::uint32_t>(x + kRoundMagic) & 0xffu);
}

// §1.2 for one pixel; the scalar path (row tails) of convert_row.
inline void convert_pixel(std::uint8_t y, float u0, float u1, float v0, float v1, float lh0, float lh1,
                          std::uint8_t* out) {
  const float yf = (static_cast<float>(y) - 16.0f) * kK1;
  const float uf = ((lh0 * u0 + lh1 * u1) - 128.0f) * kK2;
  const float vf = ((lh0 * v0 + lh1 * v1) - 128.0f) * kK2;
  out[0] = clamp_round_u8(yf + kRV * vf);
  out[1] = clamp_round_u8((yf - kGU * uf) - kGV * vf);
  out[2] = clamp_round_u8(yf + kBU * uf);
}

// GCC vector extensions, 8 pixels per step, lowered to AVX-512/AVX2/SSE2 by the clones: the same
// float32 operations in the same order as convert_pixel, lane by lane. (The auto-vectorizer
// refuses the clamp-then-round chain without -fno-trapping-math.)
typedef float F8 __attribute__((vector_size(32)));
typedef std::int32_t I8 __attribute__((vector_size(32)));
typedef std::uint8_t B8 __attribute__((vector_size(8)));
typedef std::uint16_t H8 __attribute__((vector_size(16)));
typedef std::uint8_t B32 __attribute__((vector_size(32)));

// One output row: vertical chroma blend (outer §1.3 step), §1.2 colour arithmetic, interleave.
TAC_TARGET_CLONES
void convert_row(const std::uint8_t* __restrict y, const float* __restrict u0, const float* __restrict u1,
                 const float* __restrict v0, const float* __restrict v1, float lh0, float lh1,
                 std::uint8_t* __restrict out, int width) {
  const F8 zero = F8{} + 0.0f;
  const F8 top = F8{} + 255.0f;
  int x = 0;
  for (; x + 8 <= width; x += 8) {
    B8 y8;
    F8 u0v, u1v, v0v, v1v;
    std::memcpy(&y8, y + x, sizeof y8);
    std::memcpy(&u0v, u0 + x, sizeof u0v);
    std::memcpy(&u1v, u1 + x, sizeof u1v);
    std::memcpy(&v0v, v0 + x, sizeof v0v);
    std::memcpy(&v1v, v1 + x, sizeof v1v);
    const F8 yf = (__builtin_convertvector(__builtin_convertvector(__builtin_convertvector(y8, H8), I8), F8) - 16.0f) * kK1;
    const F8 uf = ((lh0 * u0v + lh1 * u1v) - 128.0f) * kK2;
    const F8 vf = ((lh0 * v0v + lh1 * v1v) - 128.0f) * kK2;
    F8 r = yf + kRV * vf;
    F8 g = (yf - kGU * uf) - kGV * vf;
    F8 b = yf + kBU * uf;
    r = r > zero ? r : zero;  // clamp as torch: min(max(v, 0), 255)
    g = g > zero ? g : zero;
    b = b > zero ? b : zero;
    r = r < top ? r : top;
    g = g < top ? g : top;
    b = b < top ? b : top;
    const I8 ri = reinterpret_cast<I8>(r + kRoundMagic) & 0xff;  // round half to even
    const I8 gi = reinterpret_cast<I8>(g + kRoundMagic) & 0xff;
    const I8 bi = reinterpret_cast<I8>(b + kRoundMagic) & 0xff;
    // Eight 0x00BBGGRR words -> 24 bytes R,G,B,R,G,B,... (the last 8 lanes are unused).
    const B32 words = reinterpret_cast<B32>(ri | (gi << 8) | (bi << 16));
    const B32 packed = __builtin_shufflevector(words, words, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20, 21,
                                               22, 24, 25, 26, 28, 29, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    // 24 bytes are this step's; a full 32-byte store is cheaper and its extra 8 bytes are
    // rewritten by the next step, so use it whenever it stays inside the row.
    if (x + 11 <= width)
      std::memcpy(out + 3 * x, &packed, 32);
    else
      std::memcpy(out + 3 * x, &packed, 24);
  }
  for (; x < width; ++x) convert_pixel(y[x], u0[x], u1[x], v0[x], v1[x], lh0, lh1, out + 3 * x);
}

// Horizontal factor-2 upsample of one chroma row (n samples -> 2n outputs), §1.2 step 1:
// d=0 -> c[0]; d=2k -> 0.25c[k-1] + 0.75c[k]; d=2k+1 -> 0.75c[k] + 0.25c[k+1]; d=2n-1 -> c[n-1].
TAC_TARGET_CLONES
void upsample_row_x2(const std::uint8_t* __restrict c, int n, float* __restrict out) {
  out[0] = static_cast<float>(c[0]);
  for (int k = 0; k + 1 < n; ++k) {
    const float a = static_cast<float>(c[k]);
    const float b = static_cast<float>(c[k + 1]);
    out[2 * k + 1] = 0.75f * a + 0.25f * b;
    out[2 * k + 2] = 0.25f * a + 0.75f * b;
  }
  out[2 * n - 1] = static_cast<float>(c[n - 1]);
}

// §1.3 source index and weights for one output index along one axis (torch >= 2, float32).
struct Tap {
  int i0 = 0;
  int i1 = 0;
  float l0 = 1.0f;
  float l1 = 0.0f;
};

std::vector<Tap> axis_taps(int n_in, int n_out) {
  std::vector<Tap> taps(static_cast<std::size_t>(n_out));
  const float scale = static_cast<float>(n_in) / static_cast<float>(n_out);
  for (int d = 0; d < n_out; ++d) {
    float src = scale * (static_cast<float>(d) + 0.5f) - 0.5f;
    src = src < 0.0f ? 0.0f : src;
    Tap& t = taps[static_cast<std::size_t>(d)];
    t.i0 = std::min(static_cast<int>(std::floor(src)), n_in - 1);
    t.i1 = t.i0 + (t.i0 < n_in - 1 ? 1 : 0);
    t.l1 = std::clamp(src - static_cast<float>(t.i0), 0.0f, 1.0f);
    t.l0 = 1.0f - t.l1;
  }
  return taps;
}

// Horizontally upsampled chroma rows (inner §1.3 step), cached by source row: consecutive output
// rows share source rows, so each is computed about once per band.
class ChromaRows {
 public:
  ChromaRows(const Yuv420Planes& in) : in_(in), width_(in.width), cw_(used_chroma_size(in.width)) {
    for (auto& slot : slots_) {
      slot.u.resize(static_cast<std::size_t>(width_));
      slot.v.resize(static_cast<std::size_t>(width_));
    }
    if (width_ % 2 != 0) taps_ = axis_taps(cw_, width_);
  }

  // Rows for source row `index`, without evicting the slot holding `keep`.
  const std::pair<const float*, const float*> get(int index, int keep) {
    for (auto& slot : slots_)
      if (slot.index == index) return {slot.u.data(), slot.v.data()};
    Slot& slot = slots_[0].index == keep ? slots_[1] : slots_[0];
    fill(in_.u + index * in_.u_stride, slot.u.data());
    fill(in_.v + index * in_.v_stride, slot.v.data());
    slot.index = index;
    return {slot.u.data(), slot.v.data()};
  }

 private:
  struct Slot {
    int index = -1;
    std::vector<float> u, v;
  };

  void fill(const std::uint8_t* c, float* out) const {
    if (taps_.empty()) return upsample_row_x2(c, cw_, out);
    for (int x = 0; x < width_; ++x) {  // odd width: general float32 rule, lw0*x0 + lw1*x1
      const Tap& t = taps_[static_cast<std::size_t>(x)];
      out[x] = t.l0 * static_cast<float>(c[t.i0]) + t.l1 * static_cast<float>(c[t.i1]);
    }
  }

  const Yuv420Planes& in_;
  int width_;
  int cw_;
  std::vector<Tap> taps_;
  Slot slots_[2];
};

}  // namespace

void check_planes(const Yuv420Planes& in) {
  if (in.width < 2 || in.height < 2) fail(ErrorKind::internal, "yuv420 frame {}x{}: width and height must be at least 2", in.width, in.height);
  if (in.y == nullptr || in.u == nullptr || in.v == nullptr) fail(ErrorKind::internal, "yuv420 frame {}x{}: missing plane", in.width, in.height);
  if (in.y_stride < in.width || in.u_stride < used_chroma_size(in.width) || in.v_stride < used_chroma_size(in.width))
    fail(ErrorKind::internal, "yuv420 frame {}x{}: line sizes {}/{}/{} are shorter than the rows", in.width, in.height, in.y_stride,
         in.u_stride, in.v_stride);
}

namespace {

// Rows [row_begin, row_end) (already clamped, non-empty); row r goes to first_row + (r - row_begin) * rgb_stride.
void convert_rows(const Yuv420Planes& in, std::uint8_t* first_row, std::ptrdiff_t rgb_stride, int row_begin,
                  int row_end) {
  const int ch = used_chroma_size(in.height);
  ChromaRows rows(in);
  const float scale = static_cast<float>(ch) / static_cast<float>(in.height);
  for (int r = row_begin; r < row_end; ++r) {
    // Vertical taps for this row (§1.3), computed exactly as axis_taps would.
    float src = scale * (static_cast<float>(r) + 0.5f) - 0.5f;
    src = src < 0.0f ? 0.0f : src;
    const int i0 = std::min(static_cast<int>(std::floor(src)), ch - 1);
    const int i1 = i0 + (i0 < ch - 1 ? 1 : 0);
    const float l1 = std::clamp(src - static_cast<float>(i0), 0.0f, 1.0f);
    const float l0 = 1.0f - l1;
    const auto [u0, v0] = rows.get(i0, i1);
    const auto [u1, v1] = rows.get(i1, i0);
    convert_row(in.y + r * in.y_stride, u0, u1, v0, v1, l0, l1, first_row + (r - row_begin) * rgb_stride, in.width);
  }
}

}  // namespace

void yuv420_to_rgb_rows(const Yuv420Planes& in, std::uint8_t* rgb, std::ptrdiff_t rgb_stride, int row_begin,
                        int row_end) {
  check_planes(in);
  row_begin = std::max(row_begin, 0);
  row_end = std::min(row_end, in.height);
  if (row_begin >= row_end) return;
  convert_rows(in, rgb + row_begin * rgb_stride, rgb_stride, row_begin, row_end);
}

void yuv420_to_rgb_band(const Yuv420Planes& in, int row_begin, int row_end, std::span<std::uint8_t> band) {
  check_planes(in);
  if (row_begin < 0 || row_end > in.height || row_begin >= row_end)
    fail(ErrorKind::internal, "yuv420_to_rgb_band: rows [{}, {}) are not a non-empty range of a {}-row frame", row_begin, row_end, in.height);
  const std::ptrdiff_t stride = std::ptrdiff_t{in.width} * 3;
  const std::size_t expected = static_cast<std::size_t>(row_end - row_begin) * static_cast<std::size_t>(stride);
  if (band.size() < expected)
    fail(ErrorKind::internal, "yuv420_to_rgb_band: buffer has {} bytes, rows [{}, {}) need {}", band.size(), row_begin, row_end, expected);
  convert_rows(in, band.data(), stride, row_begin, row_end);
}

void yuv420_to_rgb(const Yuv420Planes& in, std::span<std::uint8_t> rgb) {
  check_planes(in);
  const std::size_t expected = static_cast<std::size_t>(in.width) * static_cast<std::size_t>(in.height) * 3;
  if (rgb.size() != expected)
    fail(ErrorKind::internal, "yuv420_to_rgb: output buffer has {} bytes, a {}x{} RGB frame needs {}", rgb.size(), in.width, in.height, expected);
  yuv420_to_rgb_rows(in, rgb.data(), std::ptrdiff_t{in.width} * 3, 0, in.height);
}

void yuv420_to_rgb_parallel(const Yuv420Planes& in, std::span<std::uint8_t> rgb, int threads) {
  threads = std::clamp(threads, 1, std::max(1, in.height / 16));
  if (threads <= 1) return yuv420_to_rgb(in, rgb);
  check_planes(in);
  const std::size_t expected = static_cast<std::size_t>(in.width) * static_cast<std::size_t>(in.height) * 3;
  if (rgb.size() != expected)
    fail(ErrorKind::internal, "yuv420_to_rgb: output buffer has {} bytes, a {}x{} RGB frame needs {}", rgb.size(), in.width, in.height, expected);
  const std::ptrdiff_t stride = std::ptrdiff_t{in.width} * 3;
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads - 1));
  const auto band = [&](int t) { return static_cast<int>(static_cast<std::int64_t>(in.height) * t / threads); };
  for (int t = 1; t < threads; ++t)
    workers.emplace_back([&, t] { yuv420_to_rgb_rows(in, rgb.data(), stride, band(t), band(t + 1)); });
  yuv420_to_rgb_rows(in, rgb.data(), stride, 0, band(1));
  for (auto& w : workers) w.join();
}

}  // namespace tac::image
