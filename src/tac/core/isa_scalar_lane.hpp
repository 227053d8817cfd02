// The one-float "vector" lane S of the kernel templates (hnerv95_kernels_impl.hpp,
// generator_kernels_impl.hpp): their row tails, and the whole generic build. Parameterized by the
// SLEEF scalar exp (and sin, for the kernels that need it) the translation unit may use: the FMA
// variants where the TU is compiled with FMA (bit-identical to torch 1.13's vectorized functions),
// the pure-C ones in the generic TU. Included inside each kernel TU's anonymous namespace, so
// every instruction set gets its own copy compiled with its own flags (no shared template
// instances across ISAs). No include guard, on purpose.
template <auto ExpF, auto SinF = nullptr>  // SLEEF declares its functions as returning `const float`
struct ScalarLane {
  using reg = float;
  static constexpr int N = 1;
  static reg load(const float* p) { return *p; }
  static void store(float* p, reg v) { *p = v; }
  static reg set1(float v) { return v; }
  static reg fma(reg a, reg b, reg c) { return std::fma(a, b, c); }
  static reg add(reg a, reg b) { return a + b; }
  static reg sub(reg a, reg b) { return a - b; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg div(reg a, reg b) { return a / b; }
  static reg exp(reg a) { return ExpF(a); }
  static reg sin(reg a) { return SinF(a); }  // instantiated only by kernels that use sin
  static reg interleave_lo(reg a, reg /*b*/) { return a; }  // one lane: a0 (then b0)
  static reg interleave_hi(reg /*a*/, reg b) { return b; }
};
