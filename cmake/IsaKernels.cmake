# tac_add_isa_kernels(TARGET AVX512_SOURCE AVX2_SOURCE): per-instruction-set builds of a kernel
# file (no -march=native anywhere: the binary runs on any x86-64 and picks the best build at run
# time). On other processors only the generic build exists; TAC_X86_KERNELS tells the dispatcher.
# The instruction set is set by a region inside each file (src/tac/core/isa_target.hpp), never by
# -m flags: those would also compile the standard-library templates the file instantiates, which
# the linker may then share with every caller.
function(tac_add_isa_kernels target avx512_source avx2_source)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
    target_sources(${target} PRIVATE ${avx512_source} ${avx2_source})
    target_compile_definitions(${target} PRIVATE TAC_X86_KERNELS=1)
  endif()
endfunction()
