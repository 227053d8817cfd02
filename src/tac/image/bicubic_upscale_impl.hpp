// Included by exactly one translation unit per instruction set, inside an anonymous namespace,
// so the three builds never share a symbol. Scalar loops with std::fma: the flags of the
// including file decide whether they become vector FMA code.

// Horizontal pass of outputs [x0, x1) of one row, one output at a time.
inline void horizontal_scalar(const tac::image::BicubicAxis& cols, const float* __restrict row, int x0, int x1,
                              float* __restrict h) {
  for (int x = x0; x < x1; ++x) {
    const std::int32_t* i = cols.index.data() + 4 * x;
    const float* w = cols.weight.data() + 4 * x;
    h[x] = std::fma(row[i[3]], w[3], std::fma(row[i[2]], w[2], std::fma(row[i[0]], w[0], row[i[1]] * w[1])));
  }
}

#if defined(TAC_ISA_AVX512) || defined(TAC_ISA_AVX2)
// Vector horizontal pass: a group of L consecutive outputs (an upscale reads ~L/2 + 3 inputs for
// them) takes its four taps from one window of L inputs: one load, then per tap a lane permute
// and the same fma chain as the scalar formula. Groups whose taps do not fit one window (strong
// downscales, rows narrower than L) fall back to the scalar loop.
#if defined(TAC_ISA_AVX512)
constexpr int kLanes = 16;
using HVec = __m512;
using HIdx = __m512i;
inline HVec h_load(const float* p) { return _mm512_loadu_ps(p); }
inline HIdx h_load_idx(const std::int32_t* p) { return _mm512_loadu_si512(p); }
inline HVec h_permute(HVec v, HIdx i) { return _mm512_maskz_permutexvar_ps(0xFFFF, i, v); }  // (the unmasked form trips a GCC 12 warning)
inline HVec h_fma(HVec a, HVec b, HVec c) { return _mm512_fmadd_ps(a, b, c); }
inline HVec h_mul(HVec a, HVec b) { return _mm512_mul_ps(a, b); }
inline void h_store(float* p, HVec v) { _mm512_storeu_ps(p, v); }
#else
constexpr int kLanes = 8;
using HVec = __m256;
using HIdx = __m256i;
inline HVec h_load(const float* p) { return _mm256_loadu_ps(p); }
inline HIdx h_load_idx(const std::int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
inline HVec h_permute(HVec v, HIdx i) { return _mm256_permutevar8x32_ps(v, i); }
inline HVec h_fma(HVec a, HVec b, HVec c) { return _mm256_fmadd_ps(a, b, c); }
inline HVec h_mul(HVec a, HVec b) { return _mm256_mul_ps(a, b); }
inline void h_store(float* p, HVec v) { _mm256_storeu_ps(p, v); }
#endif

struct HorizontalPlan {
  int groups = 0;                  // full groups of kLanes outputs
  std::vector<std::int32_t> base;  // per group: first input of the window, or -1 (scalar)
  std::vector<std::int32_t> lane;  // per group, per tap: kLanes window-relative input indices
  std::vector<float> weight;       // per group, per tap: kLanes weights
};

inline HorizontalPlan plan_horizontal(const tac::image::BicubicAxis& cols) {
  HorizontalPlan p;
  p.groups = cols.out_size / kLanes;
  p.base.assign(p.groups, -1);
  p.lane.assign(std::size_t(p.groups) * 4 * kLanes, 0);
  p.weight.assign(std::size_t(p.groups) * 4 * kLanes, 0.0f);
  for (int g = 0; g < p.groups; ++g) {
    const int x0 = g * kLanes;
    int lo = cols.index[4 * x0], hi = lo;
    for (int k = 0; k < 4 * kLanes; ++k) {
      lo = std::min(lo, cols.index[4 * x0 + k]);
      hi = std::max(hi, cols.index[4 * x0 + k]);
    }
    const int base = std::min(lo, cols.in_size - kLanes);
    if (base < 0 || hi - base >= kLanes) continue;
    p.base[g] = base;
    for (int t = 0; t < 4; ++t)
      for (int l = 0; l < kLanes; ++l) {
        p.lane[(std::size_t(g) * 4 + t) * kLanes + l] = cols.index[4 * (x0 + l) + t] - base;
        p.weight[(std::size_t(g) * 4 + t) * kLanes + l] = cols.weight[4 * (x0 + l) + t];
      }
  }
  return p;
}

inline void horizontal_row(const tac::image::BicubicAxis& cols, const HorizontalPlan& p, const float* __restrict row,
                           float* __restrict h) {
  for (int g = 0; g < p.groups; ++g) {
    const int x0 = g * kLanes;
    if (p.base[g] < 0) {
      horizontal_scalar(cols, row, x0, x0 + kLanes, h);
      continue;
    }
    const HVec v = h_load(row + p.base[g]);
    const std::int32_t* li = p.lane.data() + std::size_t(g) * 4 * kLanes;
    const float* wi = p.weight.data() + std::size_t(g) * 4 * kLanes;
    HVec r[4];
    for (int t = 0; t < 4; ++t) r[t] = h_permute(v, h_load_idx(li + t * kLanes));
    HVec acc = h_mul(r[1], h_load(wi + kLanes));
    acc = h_fma(r[0], h_load(wi), acc);
    acc = h_fma(r[2], h_load(wi + 2 * kLanes), acc);
    acc = h_fma(r[3], h_load(wi + 3 * kLanes), acc);
    h_store(h + x0, acc);
  }
  horizontal_scalar(cols, row, p.groups * kLanes, cols.out_size, h);
}
#else
struct HorizontalPlan {};
inline HorizontalPlan plan_horizontal(const tac::image::BicubicAxis&) { return {}; }
inline void horizontal_row(const tac::image::BicubicAxis& cols, const HorizontalPlan&, const float* __restrict row,
                           float* __restrict h) {
  horizontal_scalar(cols, row, 0, cols.out_size, h);
}
#endif

inline void planar_to_rgb8_impl(const tac::image::BicubicAxis& rows, const tac::image::BicubicAxis& cols,
                                const float* const planes[3], std::size_t row_stride, float* scratch, std::uint8_t* out) {
  const int ow = cols.out_size, oh = rows.out_size;
  // Horizontal rows are made when first needed and kept in a ring of kRing rows per channel: an
  // output row reads four consecutive (clamped) source rows and the window only moves down, so
  // every source row is still computed once, and the rows stay in cache for the vertical pass.
  const HorizontalPlan plan = plan_horizontal(cols);
  constexpr int kRing = tac::image::detail::kBicubicRingRows;
  auto hrow = [&](int c, int y) { return scratch + (std::size_t(c) * kRing + y % kRing) * ow; };
  int next_row = 0;  // source rows [0, next_row) are done
  float line[3][4096];
  for (int oy = 0; oy < oh; ++oy) {
    const std::int32_t* yi = rows.index.data() + 4 * oy;
    const float* yw = rows.weight.data() + 4 * oy;
    for (; next_row <= yi[3]; ++next_row)
      for (int c = 0; c < 3; ++c) horizontal_row(cols, plan, planes[c] + std::size_t(next_row) * row_stride, hrow(c, next_row));
    for (int x0 = 0; x0 < ow; x0 += 4096) {
      const int n = std::min(4096, ow - x0);
      for (int c = 0; c < 3; ++c) {
        const float* __restrict r0 = hrow(c, yi[0]) + x0;
        const float* __restrict r1 = hrow(c, yi[1]) + x0;
        const float* __restrict r2 = hrow(c, yi[2]) + x0;
        const float* __restrict r3 = hrow(c, yi[3]) + x0;
        const float w0 = yw[0], w1 = yw[1], w2 = yw[2], w3 = yw[3];
        float* __restrict l = line[c];
        for (int x = 0; x < n; ++x) {
          const float v = std::fma(r3[x], w3, std::fma(r2[x], w2, std::fma(r0[x], w0, r1[x] * w1)));
          l[x] = std::nearbyint(std::min(std::max(v, 0.0f), 255.0f));
        }
      }
      std::uint8_t* __restrict o = out + (std::size_t(oy) * ow + x0) * 3;
      for (int x = 0; x < n; ++x) {
        o[3 * x + 0] = static_cast<std::uint8_t>(static_cast<int>(line[0][x]));
        o[3 * x + 1] = static_cast<std::uint8_t>(static_cast<int>(line[1][x]));
        o[3 * x + 2] = static_cast<std::uint8_t>(static_cast<int>(line[2][x]));
      }
    }
  }
}
