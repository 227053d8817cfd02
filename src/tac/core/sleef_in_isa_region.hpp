// SLEEF's vector declarations for a translation unit built as an instruction-set region
// (tac/core/isa_target.hpp). sleef.h declares each vector variant only under the compiler's ISA
// macros, which a region does not set, and its declarations must sit inside the region (clang
// checks the callee's vector ABI): include this right after TAC_ISA_BEGIN_*. Defining
// TAC_SLEEF_WITH_AVX512 before including adds the AVX-512 variants.
// No include guard on purpose: it belongs to one region of one translation unit.
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
#ifdef TAC_SLEEF_WITH_AVX512
#define __AVX512F__ 1
#endif
#include <sleef.h>
#undef __AVX__
#undef __AVX2__
#undef __FMA__
#ifdef TAC_SLEEF_WITH_AVX512
#undef __AVX512F__
#endif
