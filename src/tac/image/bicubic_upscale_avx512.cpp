// The bicubic passes built for AVX-512 + FMA.
#define TAC_ISA_AVX512 1
#define TAC_BICUBIC_KERNELS bicubic_kernels_avx512
#include "tac/image/bicubic_upscale_isa_tu.hpp"
