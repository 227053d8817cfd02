# Warnings, floating-point discipline and sanitizers for every target of the project.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

add_library(tac_options INTERFACE)
target_compile_options(tac_options INTERFACE
  -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wno-unused-parameter -Wno-missing-field-initializers
  # Contest-exact float32 arithmetic: one rounding per operation, never fused
  # (scorer_architecture.md §1.2). Applies to every translation unit.
  -ffp-contract=off
  -fno-math-errno)
if(TAC_SANITIZE)
  target_compile_options(tac_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(tac_options INTERFACE -fsanitize=address,undefined)
  # GCC's flow analysis on sanitizer-instrumented code reports uninitialized members inside
  # libstdc++'s <regex> (std::function moves in _NFA) that the uninstrumented build does not: a
  # known false positive of -fsanitize with -Wmaybe-uninitialized. The Release build keeps it.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(tac_options INTERFACE -Wno-maybe-uninitialized)
  endif()
  # Every ctest case (and the programs it starts, which inherit the environment) reads the
  # suppressions for third-party leaks; see the file for why each is there. One value, set
  # through ENVIRONMENT_MODIFICATION: a second ENVIRONMENT entry would be read by
  # gtest_discover_tests as a property name and silently dropped.
  set(TAC_SANITIZER_LSAN_OPTIONS "suppressions=${PROJECT_SOURCE_DIR}/cmake/sanitizers/lsan.supp:print_suppressions=0")
endif()
if(TAC_FUZZ)
  target_compile_options(tac_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(tac_options INTERFACE -fsanitize=address,undefined)
endif()
