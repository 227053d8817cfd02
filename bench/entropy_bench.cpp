// Encode / decode speed of every coder on 10 MB inputs (MB/s of uncompressed bytes, best of
// `repeats`), plus raw library calls for the wrappers' overhead. JSON on stdout.
// Usage: entropy_bench [MEGABYTES=10] [REPEATS=3]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <zstd.h>

#include "tac/core/stopwatch.hpp"
#include "tac/entropy/byte_coders.hpp"
#include "tac/entropy/generic_codecs.hpp"
#include "tac/entropy/hts_codecs.hpp"

namespace {

using namespace tac::entropy;

// Skewed bytes (a geometric-like distribution, ~4.5 bits/byte): typical of quantized weights.
Bytes skewed(std::size_t n) {
  std::mt19937 rng(1);
  std::geometric_distribution<int> g(0.12);
  Bytes v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(std::min(g(rng), 255));
  return v;
}

double best_seconds(int repeats, const std::function<void()>& f) {
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    const auto start = tac::SteadyClock::now();
    f();
    best = std::min(best, tac::seconds_since(start));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t megabytes = 10;
  int repeats = 3;
  CLI::App app{"Encode/decode MB/s of every entropy coder and wrapped back end on skewed bytes (JSON)."};
  app.add_option("--megabytes", megabytes, "input size in MiB")->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "timed repeats (the best is kept)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  const Bytes data = skewed(megabytes << 20);
  struct Coder {
    std::string name;
    std::function<Bytes(ByteSpan)> encode;
    std::function<Bytes(ByteSpan, std::size_t)> decode;
  };
  const std::vector<Coder> coders = {
      {"tac_binary_order0", [](ByteSpan in) { return encode_bytes_binary(in, 0, {}); },
       [](ByteSpan in, std::size_t n) { return decode_bytes_binary(in, n, 0, {}, "bench"); }},
      {"tac_binary_order1", [](ByteSpan in) { return encode_bytes_binary(in, 1, {}); },
       [](ByteSpan in, std::size_t n) { return decode_bytes_binary(in, n, 1, {}, "bench"); }},
      {"tac_multi_symbol_order0", [](ByteSpan in) { return encode_bytes_multi_symbol(in, 0, {}); },
       [](ByteSpan in, std::size_t n) { return decode_bytes_multi_symbol(in, n, 0, {}, "bench"); }},
      {"htscodecs_rans_order0", [](ByteSpan in) { return rans_compress(in, 0); },
       [](ByteSpan in, std::size_t n) { return rans_decompress(in, n, "bench"); }},
      {"htscodecs_rans_order0_x32", [](ByteSpan in) { return rans_compress(in, 0x04); },
       [](ByteSpan in, std::size_t n) { return rans_decompress(in, n, "bench"); }},
      {"htscodecs_rans_order1", [](ByteSpan in) { return rans_compress(in, 1); },
       [](ByteSpan in, std::size_t n) { return rans_decompress(in, n, "bench"); }},
      {"htscodecs_arith_order0", [](ByteSpan in) { return arith_compress(in, 0); },
       [](ByteSpan in, std::size_t n) { return arith_decompress(in, n, "bench"); }},
      {"zstd19", [](ByteSpan in) { return zstd_compress(in, {19}); },
       [](ByteSpan in, std::size_t n) { return zstd_decompress(in, n, "bench"); }},
      {"brotli9", [](ByteSpan in) { return brotli_compress(in, {9, 24}); },
       [](ByteSpan in, std::size_t n) { return brotli_decompress(in, n, "bench"); }},
      {"xz6", [](ByteSpan in) { return xz_compress(in, {6, false}); },
       [](ByteSpan in, std::size_t n) { return xz_decompress(in, n, "bench"); }},
  };
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : coders) {
    Bytes packed;
    const double enc = best_seconds(repeats, [&] { packed = c.encode(data); });
    Bytes back;
    const double dec = best_seconds(repeats, [&] { back = c.decode(packed, data.size()); });
    rows.push_back({{"coder", c.name},
                    {"bytes", packed.size()},
                    {"bits_per_byte", 8.0 * double(packed.size()) / double(data.size())},
                    {"encode_mb_s", double(data.size()) / 1e6 / enc},
                    {"decode_mb_s", double(data.size()) / 1e6 / dec},
                    {"round_trip", back == data}});
  }
  // Wrapper overhead: zstd decode through the raw library call vs zstd_decompress.
  const Bytes z = zstd_compress(data, {19});
  Bytes out;
  // Both sides allocate a fresh output buffer, as a caller decoding one packet would.
  const double raw = best_seconds(repeats, [&] {
    Bytes fresh(data.size());
    ZSTD_decompress(fresh.data(), fresh.size(), z.data(), z.size());
  });
  const double wrapped = best_seconds(repeats, [&] { out = zstd_decompress(z, data.size(), "bench"); });
  const nlohmann::json j = {{"input", "geometric p=0.12 bytes"}, {"bytes", data.size()}, {"repeats", repeats},
                            {"coders", rows},
                            {"zstd_decode_wrapper_overhead", wrapped / raw - 1.0}};
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}
