// The bicubic passes built for AVX2 + FMA.
#define TAC_ISA_AVX2 1
#define TAC_BICUBIC_KERNELS bicubic_kernels_avx2
#include "tac/image/bicubic_upscale_isa_tu.hpp"
