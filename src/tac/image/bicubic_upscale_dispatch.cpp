#include "tac/image/bicubic_upscale_kernels.hpp"

namespace tac::image::detail {

const BicubicKernels& bicubic_kernels() {
  static const BicubicKernels chosen = [] {
#if defined(TAC_X86_KERNELS)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) return bicubic_kernels_avx512();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return bicubic_kernels_avx2();
#endif
    return bicubic_kernels_generic();
  }();
  return chosen;
}

}  // namespace tac::image::detail
