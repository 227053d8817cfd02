// The one-float lane S of generator_kernels_impl.hpp (tails, and the whole generic build),
// parameterized by the SLEEF scalar exp the translation unit may use. Included inside each kernel
// TU's anonymous namespace, so every instruction set keeps its own copy. No include guard.
template <auto ExpF>  // SLEEF declares its functions as returning `const float`
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
};
