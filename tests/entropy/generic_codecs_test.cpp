// The wrapped back ends (brotli, zstd with dictionaries, xz, raw LZMA1, htscodecs rANS and
// arithmetic): exact round trips on the property inputs and 10 MB, typed errors on damage.
#include <gtest/gtest.h>

#include <functional>

#include "entropy_test_inputs.hpp"
#include "tac/core/error.hpp"
#include "tac/entropy/generic_codecs.hpp"
#include "tac/entropy/hts_codecs.hpp"

namespace {

using tac::ErrorKind;
using namespace tac::entropy;

struct Coder {
  std::string name;
  std::function<Bytes(ByteSpan)> encode;
  std::function<Bytes(ByteSpan, std::size_t)> decode;
};

// `fast` picks cheap settings for the 10 MB inputs (the code path is the same).
std::vector<Coder> coders(bool fast) {
  std::vector<Coder> c;
  const int bq = fast ? 4 : 11;
  c.push_back({"brotli", [=](ByteSpan in) { return brotli_compress(in, {bq, 22}); },
               [](ByteSpan in, std::size_t n) { return brotli_decompress(in, n, "brotli"); }});
  c.push_back({"zstd", [=](ByteSpan in) { return zstd_compress(in, {fast ? 3 : 19, 0, !fast}); },
               [](ByteSpan in, std::size_t n) { return zstd_decompress(in, n, "zstd"); }});
  const int xp = fast ? 1 : 9;
  c.push_back({"xz", [=](ByteSpan in) { return xz_compress(in, {xp, !fast}); },
               [](ByteSpan in, std::size_t n) { return xz_decompress(in, n, "xz"); }});
  for (auto [lc, lp, pb] : {std::tuple{3, 0, 2}, std::tuple{0, 2, 2}, std::tuple{4, 0, 0}}) {
    LzmaSettings s;
    s.preset = xp;
    s.extreme = !fast;
    s.lc = lc;
    s.lp = lp;
    s.pb = pb;
    c.push_back({fmt::format("lzma1_lc{}lp{}pb{}", lc, lp, pb),
                 [s](ByteSpan in) {
                   LzmaSettings used;
                   auto out = lzma1_compress(in, s, &used);
                   // The dictionary is clamped to the input: stash it in front for the decoder.
                   for (int i = 3; i >= 0; --i) out.insert(out.begin(), std::uint8_t(used.dictionary >> (8 * i)));
                   return out;
                 },
                 [s](ByteSpan in, std::size_t n) {
                   if (in.size() < 4) tac::fail(ErrorKind::corrupt_input, "lzma1: no dictionary prefix");
                   LzmaSettings d = s;
                   d.dictionary = std::uint32_t(in[0]) | std::uint32_t(in[1]) << 8 | std::uint32_t(in[2]) << 16 |
                                  std::uint32_t(in[3]) << 24;
                   return lzma1_decompress(in.subspan(4), n, d, "lzma1");
                 }});
  }
  for (int order : {0, 1, 0x04, 0x41, 0x80}) {
    c.push_back({fmt::format("rans_{:#x}", order), [=](ByteSpan in) { return rans_compress(in, order); },
                 [](ByteSpan in, std::size_t n) { return rans_decompress(in, n, "rans"); }});
  }
  for (int order : {0, 1, 0x40}) {
    c.push_back({fmt::format("arith_{:#x}", order), [=](ByteSpan in) { return arith_compress(in, order); },
                 [](ByteSpan in, std::size_t n) { return arith_decompress(in, n, "arith"); }});
  }
  return c;
}

TEST(GenericCodecs, RoundTripEveryPropertyInput) {
  for (const auto& coder : coders(false))
    for (const auto& in : tac::test::small_inputs()) {
      SCOPED_TRACE(coder.name + " / " + in.name);
      const auto packed = coder.encode(in.bytes);
      EXPECT_EQ(coder.decode(packed, in.bytes.size()), in.bytes);
      if (in.name == "all_equal") {
        EXPECT_LT(packed.size(), 200u);
      }
    }
}

TEST(GenericCodecs, TenMegabytesOfRandomBytes) {
  const auto data = tac::test::random_bytes(10u << 20, 77);
  for (const auto& coder : coders(true)) {
    if (coder.name == "lzma1_lc0lp2pb2" || coder.name == "lzma1_lc4lp0pb0") continue;  // same path as lc3
    SCOPED_TRACE(coder.name);
    EXPECT_EQ(coder.decode(coder.encode(data), data.size()), data);
  }
}

TEST(GenericCodecs, DamageFailsTypedNeverCrashes) {
  const auto text = tac::test::small_inputs()[6].bytes;
  for (const auto& coder : coders(false)) {
    SCOPED_TRACE(coder.name);
    const auto packed = coder.encode(text);
    auto expect_typed = [&](ByteSpan bytes, std::size_t n) {
      try {
        const auto out = coder.decode(bytes, n);
        EXPECT_EQ(out.size(), n);  // a flipped literal bit may still decode: size must hold
      } catch (const tac::Error& e) {
        EXPECT_TRUE(e.kind() == ErrorKind::corrupt_input || e.kind() == ErrorKind::limit_exceeded) << e.what();
      }
    };
    // Wrong declared size, truncation, trailing junk, bit flips.
    for (std::size_t n : {std::size_t(0), text.size() - 1, text.size() + 1}) {
      try {
        coder.decode(packed, n);
        ADD_FAILURE() << "wrong size " << n << " accepted";
      } catch (const tac::Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::corrupt_input) << e.what();
      }
    }
    for (std::size_t cut = 0; cut < packed.size(); cut += 1 + packed.size() / 13)
      expect_typed(ByteSpan(packed).first(cut), text.size());
    Bytes junk = packed;
    junk.push_back(0x42);
    expect_typed(junk, text.size());
    for (std::size_t i = 0; i < packed.size(); i += 1 + packed.size() / 29) {
      Bytes flipped = packed;
      flipped[i] ^= std::uint8_t(1u << (i % 8));
      expect_typed(flipped, text.size());
    }
  }
}

TEST(GenericCodecs, AbsurdDeclaredSizesAreRefusedBeforeAllocating) {
  const Bytes tiny = {1, 2, 3};
  for (const auto& coder : coders(false)) {
    try {
      coder.decode(tiny, std::size_t(1) << 40);
      ADD_FAILURE() << coder.name;
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), coder.name.rfind("lzma1", 0) == 0 ? e.kind() : ErrorKind::limit_exceeded)
          << coder.name << ": " << e.what();
    }
  }
}

TEST(GenericCodecs, ZstdDictionaryHelpsSmallSimilarRecords) {
  std::vector<Bytes> samples;
  for (int i = 0; i < 400; ++i) {
    const std::string s = fmt::format("{{\"frame\": {}, \"camera\": \"road\", \"exposure\": {}, \"gain\": {}}}", i,
                                      i * 13 % 97, i % 7);
    samples.emplace_back(s.begin(), s.end());
  }
  const auto dict = zstd_train_dictionary(samples, 4096);
  ASSERT_FALSE(dict.empty());
  const std::string probe = "{\"frame\": 9001, \"camera\": \"road\", \"exposure\": 42, \"gain\": 3}";
  const Bytes in(probe.begin(), probe.end());
  const auto with = zstd_compress(in, {19}, dict);
  const auto without = zstd_compress(in, {19});
  EXPECT_LT(with.size(), without.size());
  EXPECT_EQ(zstd_decompress(with, in.size(), "dict", dict), in);
  EXPECT_THROW(zstd_decompress(with, in.size(), "no dict"), tac::Error);
}

TEST(GenericCodecs, LzmaSettingsAreChecked) {
  LzmaSettings s;
  s.lc = 4;
  s.lp = 1;
  EXPECT_THROW(lzma1_compress(Bytes{1, 2}, s), tac::Error);
  s = {};
  s.dictionary = 1u << 30;
  try {
    lzma1_decompress(Bytes{0, 0, 0}, 10, s, "big dict");
    ADD_FAILURE();
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::limit_exceeded);
  }
}

}  // namespace
