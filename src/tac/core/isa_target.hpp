#pragma once
// Instruction-set regions for kernel translation units, instead of command-line -m flags.
//
// Why: a TU compiled with -mavx512f compiles every standard-library template it instantiates
// (std::vector<int>::assign, std::min, ...) with AVX-512 too. Those copies are weak symbols shared
// with the rest of the program, and the linker may keep the AVX-512 one for every caller: an
// illegal instruction on a processor without AVX-512 (seen in the ASan build's replay of the
// every-format fuzz corpus). A kernel TU therefore includes all its standard headers first, then
// opens a region: only functions defined inside it get the instruction set; templates defined in
// the headers above keep the baseline. The compilers do not define __AVX2__ & co. for a region,
// so kernel code tests TAC_ISA_AVX2 / TAC_ISA_AVX512, set by the TU.
#if defined(__clang__)
#define TAC_ISA_BEGIN_AVX2 \
  _Pragma("clang attribute push(__attribute__((target(\"avx2,fma,f16c\"))), apply_to = function)")
#define TAC_ISA_BEGIN_AVX512                                                                        \
  _Pragma("clang attribute push(__attribute__((target(\"avx512f,avx512dq,avx512bw,avx512vl,avx2,fma,f16c\"))), \
apply_to = function)")
#define TAC_ISA_END _Pragma("clang attribute pop")
#else
#define TAC_ISA_BEGIN_AVX2 _Pragma("GCC push_options") _Pragma("GCC target(\"avx2,fma,f16c\")")
#define TAC_ISA_BEGIN_AVX512 \
  _Pragma("GCC push_options") _Pragma("GCC target(\"avx512f,avx512dq,avx512bw,avx512vl,avx2,fma,f16c\")")
#define TAC_ISA_END _Pragma("GCC pop_options")
#endif
