// Included by exactly one translation unit per instruction set, inside an anonymous namespace,
// so the three builds never share a symbol. Scalar loops with std::fma: the flags of the
// including file decide whether they become vector FMA code.

inline void planar_to_rgb8_impl(const tac::image::BicubicAxis& rows, const tac::image::BicubicAxis& cols,
                                const float* const planes[3], std::size_t row_stride, float* scratch, std::uint8_t* out) {
  const int ow = cols.out_size, ih = rows.in_size, oh = rows.out_size;
  // Split weights and indices per tap so the horizontal loop is a plain gather per tap.
  const std::int32_t* __restrict xi = cols.index.data();
  const float* __restrict xw = cols.weight.data();
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < ih; ++y) {
      const float* __restrict row = planes[c] + std::size_t(y) * row_stride;
      float* __restrict h = scratch + (std::size_t(c) * ih + y) * ow;
      for (int x = 0; x < ow; ++x) {
        const std::int32_t* i = xi + 4 * x;
        const float* w = xw + 4 * x;
        h[x] = std::fma(row[i[3]], w[3], std::fma(row[i[2]], w[2], std::fma(row[i[0]], w[0], row[i[1]] * w[1])));
      }
    }
  float line[3][4096];
  for (int oy = 0; oy < oh; ++oy) {
    const std::int32_t* yi = rows.index.data() + 4 * oy;
    const float* yw = rows.weight.data() + 4 * oy;
    for (int x0 = 0; x0 < ow; x0 += 4096) {
      const int n = std::min(4096, ow - x0);
      for (int c = 0; c < 3; ++c) {
        const float* __restrict r0 = scratch + (std::size_t(c) * ih + yi[0]) * ow + x0;
        const float* __restrict r1 = scratch + (std::size_t(c) * ih + yi[1]) * ow + x0;
        const float* __restrict r2 = scratch + (std::size_t(c) * ih + yi[2]) * ow + x0;
        const float* __restrict r3 = scratch + (std::size_t(c) * ih + yi[3]) * ow + x0;
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
