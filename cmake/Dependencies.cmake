# Every dependency comes from a Debian 12 package (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
# toml++ (libtomlplusplus-dev): `tac tune --profile` recipes. Debian ships it as a shared library.
find_package(tomlplusplus REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(ZLIB REQUIRED)
pkg_check_modules(LIBAV REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil)
pkg_check_modules(SWSCALE REQUIRED IMPORTED_TARGET libswscale)  # lanczos downscale in `tac compress`
pkg_check_modules(BROTLI REQUIRED IMPORTED_TARGET libbrotlidec libbrotlienc)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZMA REQUIRED IMPORTED_TARGET liblzma)
# SLEEF: the vectorized sin/exp libtorch uses, so the hnerv95 decoder can match it bit for bit.
pkg_check_modules(SLEEF REQUIRED IMPORTED_TARGET sleef)
pkg_check_modules(SQLITE REQUIRED IMPORTED_TARGET sqlite3)
if(TAC_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(TAC_WITH_TORCH)
  # Debian's libtorch-dev (CPU); a CUDA-enabled libtorch from a PyTorch install works too
  # (point CMAKE_PREFIX_PATH at torch.utils.cmake_prefix_path).
  find_package(Torch REQUIRED)
endif()
