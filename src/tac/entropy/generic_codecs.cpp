#include "tac/entropy/generic_codecs.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lzma.h>
#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <memory>

#include "tac/core/error.hpp"
#include "tac/entropy/limits.hpp"

namespace tac::entropy {
namespace {

void check_size(std::size_t size, const std::string& source) {
  if (size > kMaxDecodedBytes)
    fail(ErrorKind::limit_exceeded, "{}: declared size {} exceeds the limit of {} bytes", source, size,
         kMaxDecodedBytes);
}

}  // namespace

Bytes brotli_compress(ByteSpan in, const BrotliSettings& s) {
  if (s.quality < 0 || s.quality > 11) fail(ErrorKind::usage, "brotli: quality {} is not in 0..11", s.quality);
  if (s.window < 10 || s.window > 24) fail(ErrorKind::usage, "brotli: window {} is not in 10..24", s.window);
  Bytes out(BrotliEncoderMaxCompressedSize(in.size()) + 16);
  std::size_t out_size = out.size();
  if (!BrotliEncoderCompress(s.quality, s.window, BROTLI_MODE_GENERIC, in.size(), in.data(), &out_size, out.data()))
    fail(ErrorKind::internal, "brotli: compression of {} bytes failed", in.size());
  out.resize(out_size);
  return out;
}

Bytes brotli_decompress(ByteSpan in, std::size_t size, const std::string& source) {
  check_size(size, source);
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (!state) fail(ErrorKind::internal, "{}: brotli decoder allocation failed", source);
  Bytes out(size);
  std::size_t available_in = in.size();
  const std::uint8_t* next_in = in.data();
  std::size_t available_out = out.size();
  std::uint8_t* next_out = out.data();
  const auto result =
      BrotliDecoderDecompressStream(state.get(), &available_in, &next_in, &available_out, &next_out, nullptr);
  if (result == BROTLI_DECODER_RESULT_ERROR)
    fail(ErrorKind::corrupt_input, "{}: brotli: {}", source,
         BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state.get())));
  if (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT)
    fail(ErrorKind::corrupt_input, "{}: brotli stream decodes to more than the declared {} bytes", source, size);
  if (result == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
    fail(ErrorKind::corrupt_input, "{}: brotli stream is truncated", source);
  if (available_out != 0)
    fail(ErrorKind::corrupt_input, "{}: brotli stream decodes to {} bytes, not the declared {}", source,
         size - available_out, size);
  if (available_in != 0) fail(ErrorKind::corrupt_input, "{}: {} bytes after the brotli stream", source, available_in);
  return out;
}

Bytes zstd_compress(ByteSpan in, const ZstdSettings& s, ByteSpan dictionary) {
  if (s.level < 1 || s.level > ZSTD_maxCLevel()) fail(ErrorKind::usage, "zstd: level {} is not in 1..22", s.level);
  if (s.window_log != 0 && (s.window_log < 10 || s.window_log > kMaxZstdWindowLog))
    fail(ErrorKind::usage, "zstd: window_log {} is not in 10..{}", s.window_log, kMaxZstdWindowLog);
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  auto check = [](std::size_t r) {
    if (ZSTD_isError(r)) fail(ErrorKind::internal, "zstd: {}", ZSTD_getErrorName(r));
  };
  check(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, s.level));
  // Decoders cap the window at kMaxZstdWindowLog; level 22's default (27) fits.
  if (s.window_log) check(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_windowLog, s.window_log));
  if (s.long_distance) check(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_enableLongDistanceMatching, 1));
  check(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 0));
  if (!dictionary.empty()) check(ZSTD_CCtx_loadDictionary(cctx.get(), dictionary.data(), dictionary.size()));
  Bytes out(ZSTD_compressBound(in.size()));
  const std::size_t n = ZSTD_compress2(cctx.get(), out.data(), out.size(), in.data(), in.size());
  check(n);
  out.resize(n);
  return out;
}

Bytes zstd_decompress(ByteSpan in, std::size_t size, const std::string& source, ByteSpan dictionary) {
  check_size(size, source);
  const unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) fail(ErrorKind::corrupt_input, "{}: not a zstd frame", source);
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != size)
    fail(ErrorKind::corrupt_input, "{}: zstd frame declares {} bytes, not {}", source, declared, size);
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, kMaxZstdWindowLog);
  if (!dictionary.empty()) {
    const std::size_t r = ZSTD_DCtx_loadDictionary(dctx.get(), dictionary.data(), dictionary.size());
    if (ZSTD_isError(r)) fail(ErrorKind::usage, "{}: zstd dictionary: {}", source, ZSTD_getErrorName(r));
  }
  Bytes out(size);
  const std::size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) {
    const auto code = ZSTD_getErrorCode(n);
    fail(code == ZSTD_error_frameParameter_windowTooLarge ? ErrorKind::limit_exceeded : ErrorKind::corrupt_input,
         "{}: zstd: {}", source, ZSTD_getErrorName(n));
  }
  if (n != size) fail(ErrorKind::corrupt_input, "{}: zstd stream decodes to {} bytes, not {}", source, n, size);
  return out;
}

Bytes zstd_train_dictionary(const std::vector<Bytes>& samples, std::size_t capacity) {
  Bytes joined;
  std::vector<std::size_t> sizes;
  for (const auto& s : samples) {
    joined.insert(joined.end(), s.begin(), s.end());
    sizes.push_back(s.size());
  }
  Bytes dict(capacity);
  const std::size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), joined.data(), sizes.data(),
                                              static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) fail(ErrorKind::usage, "zstd: dictionary training failed: {}", ZDICT_getErrorName(n));
  dict.resize(n);
  return dict;
}

namespace {

const char* lzma_message(lzma_ret r) {
  switch (r) {
    case LZMA_MEM_ERROR: return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "memory limit reached";
    case LZMA_FORMAT_ERROR: return "not an xz stream";
    case LZMA_OPTIONS_ERROR: return "unsupported options";
    case LZMA_DATA_ERROR: return "corrupt data";
    case LZMA_BUF_ERROR: return "truncated or oversized stream";
    default: return "error";
  }
}

ErrorKind lzma_kind(lzma_ret r) {
  return r == LZMA_MEMLIMIT_ERROR || r == LZMA_MEM_ERROR ? ErrorKind::limit_exceeded : ErrorKind::corrupt_input;
}

std::uint32_t preset_of(int preset, bool extreme) {
  if (preset < 0 || preset > 9) fail(ErrorKind::usage, "xz/lzma: preset {} is not in 0..9", preset);
  return std::uint32_t(preset) | (extreme ? LZMA_PRESET_EXTREME : 0u);
}

}  // namespace

Bytes xz_compress(ByteSpan in, const XzSettings& s) {
  Bytes out(lzma_stream_buffer_bound(in.size()));
  std::size_t out_pos = 0;
  const lzma_ret r = lzma_easy_buffer_encode(preset_of(s.preset, s.extreme), LZMA_CHECK_NONE, nullptr, in.data(),
                                             in.size(), out.data(), &out_pos, out.size());
  if (r != LZMA_OK) fail(ErrorKind::internal, "xz: compression failed: {}", lzma_message(r));
  out.resize(out_pos);
  return out;
}

Bytes xz_decompress(ByteSpan in, std::size_t size, const std::string& source) {
  check_size(size, source);
  std::uint64_t memlimit = std::uint64_t(kMaxLzmaDictionary) + (64u << 20);
  std::size_t in_pos = 0, out_pos = 0;
  // One more byte of room than declared, so an oversized stream is told apart from a truncated one.
  Bytes out(size + 1);
  const lzma_ret r =
      lzma_stream_buffer_decode(&memlimit, 0, nullptr, in.data(), &in_pos, in.size(), out.data(), &out_pos, out.size());
  if (r != LZMA_OK) fail(lzma_kind(r), "{}: xz: {}", source, lzma_message(r));
  if (out_pos != size) fail(ErrorKind::corrupt_input, "{}: xz stream decodes to {} bytes, not {}", source, out_pos, size);
  if (in_pos != in.size()) fail(ErrorKind::corrupt_input, "{}: {} bytes after the xz stream", source, in.size() - in_pos);
  out.resize(size);
  return out;
}

namespace {

lzma_options_lzma lzma1_options(const LzmaSettings& s) {
  lzma_options_lzma o{};
  if (lzma_lzma_preset(&o, preset_of(s.preset, s.extreme)))
    fail(ErrorKind::usage, "lzma: preset {} unsupported", s.preset);
  if (s.lc < 0 || s.lp < 0 || s.pb < 0 || s.lc + s.lp > LZMA_LCLP_MAX || s.pb > LZMA_PB_MAX)
    fail(ErrorKind::usage, "lzma: lc {} lp {} pb {} out of range (lc + lp <= 4, pb <= 4)", s.lc, s.lp, s.pb);
  o.lc = std::uint32_t(s.lc);
  o.lp = std::uint32_t(s.lp);
  o.pb = std::uint32_t(s.pb);
  o.dict_size = s.dictionary;
  return o;
}

}  // namespace

Bytes lzma1_compress(ByteSpan in, const LzmaSettings& settings, LzmaSettings* used) {
  LzmaSettings s = settings;
  s.dictionary = std::clamp<std::uint64_t>(in.size(), 4096, std::min(settings.dictionary, kMaxLzmaDictionary));
  lzma_options_lzma o = lzma1_options(s);
  o.ext_flags = 0;  // no end marker
  lzma_filter filters[2] = {{LZMA_FILTER_LZMA1EXT, &o}, {LZMA_VLI_UNKNOWN, nullptr}};
  Bytes out(in.size() + in.size() / 2 + 4096);
  std::size_t out_pos = 0;
  const lzma_ret r = lzma_raw_buffer_encode(filters, nullptr, in.data(), in.size(), out.data(), &out_pos, out.size());
  if (r != LZMA_OK) fail(ErrorKind::internal, "lzma: compression failed: {}", lzma_message(r));
  out.resize(out_pos);
  if (used) *used = s;
  return out;
}

Bytes lzma1_decompress(ByteSpan in, std::size_t size, const LzmaSettings& s, const std::string& source) {
  check_size(size, source);
  if (s.dictionary > kMaxLzmaDictionary)
    fail(ErrorKind::limit_exceeded, "{}: lzma dictionary {} exceeds the limit of {}", source, s.dictionary,
         kMaxLzmaDictionary);
  if (s.dictionary < 4096) fail(ErrorKind::corrupt_input, "{}: lzma dictionary {} is below 4096", source, s.dictionary);
  lzma_options_lzma o{};
  o.lc = std::uint32_t(s.lc);
  o.lp = std::uint32_t(s.lp);
  o.pb = std::uint32_t(s.pb);
  if (s.lc < 0 || s.lp < 0 || s.pb < 0 || s.lc + s.lp > LZMA_LCLP_MAX || s.pb > LZMA_PB_MAX)
    fail(ErrorKind::corrupt_input, "{}: lzma lc {} lp {} pb {} out of range", source, s.lc, s.lp, s.pb);
  o.dict_size = s.dictionary;
  o.ext_flags = 0;
  o.ext_size_low = static_cast<std::uint32_t>(size);
  o.ext_size_high = static_cast<std::uint32_t>(std::uint64_t(size) >> 32);
  lzma_filter filters[2] = {{LZMA_FILTER_LZMA1EXT, &o}, {LZMA_VLI_UNKNOWN, nullptr}};
  Bytes out(size);
  std::uint8_t empty_target = 0;  // liblzma refuses a null output buffer, even of size 0
  std::size_t in_pos = 0, out_pos = 0;
  const lzma_ret r = lzma_raw_buffer_decode(filters, nullptr, in.data(), &in_pos, in.size(),
                                            size ? out.data() : &empty_target, &out_pos, out.size());
  if (r != LZMA_OK && r != LZMA_STREAM_END) fail(lzma_kind(r), "{}: lzma: {}", source, lzma_message(r));
  if (out_pos != size) fail(ErrorKind::corrupt_input, "{}: lzma stream decodes to {} bytes, not {}", source, out_pos, size);
  if (in_pos != in.size())
    fail(ErrorKind::corrupt_input, "{}: {} bytes after the lzma stream", source, in.size() - in_pos);
  return out;
}

}  // namespace tac::entropy
