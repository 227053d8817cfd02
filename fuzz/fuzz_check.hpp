#pragma once
// A property a fuzz target checks: when it does not hold, print why and abort, so libFuzzer keeps
// the input as a crash and the corpus replay under ctest fails.
#include <cstdio>
#include <cstdlib>

#define TAC_FUZZ_CHECK(condition, ...)                                 \
  do {                                                                 \
    if (!(condition)) {                                                \
      std::fprintf(stderr, "fuzz property failed: %s: ", #condition); \
      std::fprintf(stderr, __VA_ARGS__);                               \
      std::fprintf(stderr, "\n");                                      \
      std::abort();                                                    \
    }                                                                  \
  } while (0)
