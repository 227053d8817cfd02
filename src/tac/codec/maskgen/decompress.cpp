#include "tac/codec/maskgen/decompress.hpp"

#include <brotli/decode.h>
#include <lzma.h>

#include <algorithm>
#include <memory>

#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

constexpr std::size_t kFirstChunk = 1 << 14;

// Grows `out` for the next call of a streaming decoder, never past cap; false when out is at cap.
bool grow(std::vector<std::uint8_t>& out, std::size_t cap) {
  if (out.size() >= cap) return false;
  out.resize(std::min(cap, std::max(kFirstChunk, out.size() * 2)));
  return true;
}

}  // namespace

std::vector<std::uint8_t> brotli_decompress(std::span<const std::uint8_t> in, std::size_t cap, const std::string& what) {
  std::unique_ptr<BrotliDecoderState, decltype(&BrotliDecoderDestroyInstance)> s(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), &BrotliDecoderDestroyInstance);
  if (!s) fail(ErrorKind::internal, "{}: cannot create a brotli decoder", what);
  std::vector<std::uint8_t> out;
  std::size_t used = 0, avail_in = in.size();
  const std::uint8_t* next_in = in.data();
  BrotliDecoderResult r = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    if (!grow(out, cap)) fail(ErrorKind::limit_exceeded, "{}: brotli stream inflates past {} bytes", what, cap);
    std::size_t avail_out = out.size() - used;
    std::uint8_t* next_out = out.data() + used;
    r = BrotliDecoderDecompressStream(s.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
    used = out.size() - avail_out;
  }
  if (r != BROTLI_DECODER_RESULT_SUCCESS)
    fail(ErrorKind::corrupt_input, "{}: corrupt or truncated brotli stream", what);
  if (avail_in != 0) fail(ErrorKind::corrupt_input, "{}: {} bytes after the end of the brotli stream", what, avail_in);
  out.resize(used);
  return out;
}

std::vector<std::uint8_t> xz_decompress(std::span<const std::uint8_t> in, std::size_t cap, const std::string& what) {
  lzma_stream strm = LZMA_STREAM_INIT;
  // The dictionary may not need more than 64 MiB of decoder memory (xz -9 uses 64 MiB).
  if (lzma_stream_decoder(&strm, std::uint64_t{64} << 20, LZMA_CONCATENATED) != LZMA_OK)
    fail(ErrorKind::internal, "{}: cannot create an xz decoder", what);
  std::unique_ptr<lzma_stream, decltype(&lzma_end)> guard(&strm, &lzma_end);
  strm.next_in = in.data();
  strm.avail_in = in.size();
  std::vector<std::uint8_t> out;
  std::size_t used = 0;
  for (;;) {
    if (used == out.size() && !grow(out, cap))
      fail(ErrorKind::limit_exceeded, "{}: xz stream inflates past {} bytes", what, cap);
    strm.next_out = out.data() + used;
    strm.avail_out = out.size() - used;
    const lzma_ret r = lzma_code(&strm, LZMA_FINISH);
    used = out.size() - strm.avail_out;
    if (r == LZMA_STREAM_END) break;
    if (r == LZMA_OK && strm.avail_out == 0) continue;  // output full: grow and go on
    if (r == LZMA_MEMLIMIT_ERROR)
      fail(ErrorKind::limit_exceeded, "{}: xz stream needs more than 64 MiB of decoder memory", what);
    fail(ErrorKind::corrupt_input, "{}: corrupt or truncated xz stream (liblzma error {})", what, static_cast<int>(r));
  }
  out.resize(used);
  return out;
}

}  // namespace tac::codec::maskgen
