#include "tac/container/section_codec.hpp"

#include "tac/entropy/byte_coders.hpp"
#include "tac/entropy/canonical_huffman.hpp"
#include "tac/entropy/hts_codecs.hpp"
#include "tac/entropy/limits.hpp"
#include "tac/transform/uleb128.hpp"

namespace tac::container {

const char* codec_name(CodecTag tag) {
  switch (tag) {
    case CodecTag::raw: return "raw";
    case CodecTag::brotli: return "brotli";
    case CodecTag::zstd: return "zstd";
    case CodecTag::xz: return "xz";
    case CodecTag::lzma1: return "lzma1";
    case CodecTag::rans: return "rans";
    case CodecTag::arith: return "arith";
    case CodecTag::adaptive_bytes: return "adaptive_bytes";
    case CodecTag::binary_bytes: return "binary_bytes";
    case CodecTag::huffman_bytes: return "huffman_bytes";
  }
  return "unknown";
}

bool known_codec(std::uint8_t tag) { return tag <= static_cast<std::uint8_t>(CodecTag::huffman_bytes); }

namespace {

entropy::FrequencyModelConfig frequency_config(const CodecSpec& s) {
  entropy::FrequencyModelConfig c;
  c.increment = s.increment;
  c.limit = s.limit;
  c.prior = s.prior;
  return c;
}

}  // namespace

EncodedSection encode_with(const CodecSpec& s, ByteSpan data) {
  EncodedSection out;
  switch (s.tag) {
    case CodecTag::raw: out.payload.assign(data.begin(), data.end()); break;
    case CodecTag::brotli: out.payload = entropy::brotli_compress(data, s.brotli); break;
    case CodecTag::zstd: out.payload = entropy::zstd_compress(data, s.zstd); break;
    case CodecTag::xz: out.payload = entropy::xz_compress(data, s.xz); break;
    case CodecTag::lzma1: {
      entropy::LzmaSettings used;
      out.payload = entropy::lzma1_compress(data, s.lzma, &used);
      out.params = {std::uint8_t(used.lc), std::uint8_t(used.lp), std::uint8_t(used.pb)};
      transform::append_uleb128(out.params, used.dictionary);
      break;
    }
    case CodecTag::rans: out.payload = entropy::rans_compress(data, s.hts_order); break;
    case CodecTag::arith: out.payload = entropy::arith_compress(data, s.hts_order); break;
    case CodecTag::adaptive_bytes:
      out.payload = entropy::encode_bytes_multi_symbol(data, s.order, frequency_config(s));
      out.params = {std::uint8_t(s.order)};
      transform::append_uleb128(out.params, s.increment);
      transform::append_uleb128(out.params, s.limit);
      transform::append_uleb128(out.params, s.prior);
      break;
    case CodecTag::binary_bytes:
      out.payload = entropy::encode_bytes_binary(data, s.order, s.rates);
      out.params = {std::uint8_t(s.order), s.rates.fast, s.rates.slow, std::uint8_t(s.rates.warmup ? 1 : 0)};
      break;
    case CodecTag::huffman_bytes: out.payload = entropy::encode_bytes_huffman(data); break;
    default: fail(ErrorKind::usage, "codec tag {} unknown", int(s.tag));
  }
  return out;
}

Bytes decode_with(CodecTag tag, ByteSpan params, ByteSpan payload, std::size_t size, const std::string& source) {
  if (size > entropy::kMaxDecodedBytes)
    fail(ErrorKind::limit_exceeded, "{}: declared size {} exceeds the limit of {} bytes", source, size,
         entropy::kMaxDecodedBytes);
  ByteReader p(params, source + " parameters");
  Bytes out;
  // Settings read from outside bytes are validated by the coders; their usage errors are
  // reported as corrupt input (the packet, not the caller, asked for them).
  try {
    switch (tag) {
      case CodecTag::raw:
        if (payload.size() != size)
          fail(ErrorKind::corrupt_input, "{}: raw payload of {} bytes declares {}", source, payload.size(), size);
        out.assign(payload.begin(), payload.end());
        break;
      case CodecTag::brotli: out = entropy::brotli_decompress(payload, size, source); break;
      case CodecTag::zstd: out = entropy::zstd_decompress(payload, size, source); break;
      case CodecTag::xz: out = entropy::xz_decompress(payload, size, source); break;
      case CodecTag::lzma1: {
        entropy::LzmaSettings s;
        s.lc = p.u8("lc");
        s.lp = p.u8("lp");
        s.pb = p.u8("pb");
        const std::uint64_t dictionary = p.uleb128("dictionary size");
        if (dictionary > entropy::kMaxLzmaDictionary)
          fail(ErrorKind::limit_exceeded, "{}: lzma dictionary {} exceeds the limit of {}", source, dictionary,
               entropy::kMaxLzmaDictionary);
        s.dictionary = static_cast<std::uint32_t>(dictionary);
        out = entropy::lzma1_decompress(payload, size, s, source);
        break;
      }
      case CodecTag::rans: out = entropy::rans_decompress(payload, size, source); break;
      case CodecTag::arith: out = entropy::arith_decompress(payload, size, source); break;
      case CodecTag::adaptive_bytes: {
        CodecSpec s;
        s.order = p.u8("order");
        const auto field = [&](const char* name) {
          const std::uint64_t v = p.uleb128(name);
          if (v > (1u << 16)) fail(ErrorKind::corrupt_input, "{}: {} {} out of range", source, name, v);
          return static_cast<std::uint32_t>(v);
        };
        s.increment = field("increment");
        s.limit = field("limit");
        s.prior = field("prior");
        out = entropy::decode_bytes_multi_symbol(payload, size, s.order, frequency_config(s), source);
        break;
      }
      case CodecTag::binary_bytes: {
        const int order = p.u8("order");
        entropy::BitRates rates;
        rates.fast = p.u8("fast rate");
        rates.slow = p.u8("slow rate");
        const std::uint8_t warmup = p.u8("warm-up flag");
        if (warmup > 1) fail(ErrorKind::corrupt_input, "{}: warm-up flag {} is not 0 or 1", source, warmup);
        rates.warmup = warmup == 1;
        out = entropy::decode_bytes_binary(payload, size, order, rates, source);
        break;
      }
      case CodecTag::huffman_bytes: out = entropy::decode_bytes_huffman(payload, size, source); break;
      default: fail(ErrorKind::corrupt_input, "{}: unknown codec tag {}", source, int(tag));
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::usage) fail(ErrorKind::corrupt_input, "{}: bad codec parameters: {}", source, e.what());
    throw;
  }
  if (!p.at_end()) fail(ErrorKind::corrupt_input, "{}: {} unused parameter bytes", source, p.remaining());
  return out;
}

}  // namespace tac::container
