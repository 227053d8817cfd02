// How small can the int8 weights of an hnerv95 archive get with tac's adaptive binary coder?
// Reads archive.zip (member 0.bin, fixtures/README.md "Format of 0.bin"), takes the tensor section
// apart, and codes every tensor's int8 values in ONE range-coder stream under several context
// layouts (per tensor, per output channel, order-1 magnitude classes) and binarizations. Every
// configuration is decoded back and compared. The tensor headers (names, dims, scales) are
// counted as brotli q11 of their bytes. Prints JSON; the baseline is the archive's own brotli
// section. Usage: bench_hnerv95_weights_entropy ARCHIVE.zip
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/entropy/binarization.hpp"
#include "tac/entropy/generic_codecs.hpp"
#include "tac/io/zip_reader.hpp"
#include "tac/transform/zigzag.hpp"

namespace {

using namespace tac::entropy;

struct QuantTensor {
  std::string name;
  std::vector<std::uint32_t> dims;
  std::vector<std::int32_t> values;  // int8 values (unzigzagged)
};

struct Layout {
  std::string name;
  bool per_channel;     // contexts per output channel (dims[0]) instead of per tensor
  int order1_classes;   // 1 = order-0
  IntegerBinarization binarization;
};

// Context sets for one tensor: channel-major, order1_classes per channel.
std::size_t channel_length(const QuantTensor& t, bool per_channel) {
  if (!per_channel || t.dims.size() < 2 || t.dims[0] == 0) return t.values.size();
  return t.values.size() / t.dims[0];
}

template <typename Code>
void walk(std::vector<QuantTensor>& tensors, const Layout& layout, Code code) {
  for (auto& t : tensors) {
    const std::size_t length = std::max<std::size_t>(1, channel_length(t, layout.per_channel));
    const std::size_t channels = (t.values.size() + length - 1) / length;
    std::vector<IntegerContexts> sets(std::max<std::size_t>(1, channels) * std::size_t(layout.order1_classes),
                                      IntegerContexts(layout.binarization.rates));
    std::int32_t previous = 0;
    for (std::size_t i = 0; i < t.values.size(); ++i) {
      if (i % length == 0) previous = 0;
      const std::size_t cls = std::min<std::size_t>(std::size_t(std::abs(previous)), std::size_t(layout.order1_classes - 1));
      code(sets[(i / length) * std::size_t(layout.order1_classes) + cls], t.values[i]);
      previous = t.values[i];
    }
  }
}

// Bit-tree coding of the zigzag byte (an adaptive 256-symbol histogram made of 255 binary
// contexts), one tree per tensor, or per (tensor, channel spread class) when spread_classes > 1:
// the class of each output channel (from its mean |v|, log2-quantized) is sent as 2 bypass bits.
struct TreeLayout {
  std::string name;
  int spread_classes;
  BitRates rates;
  int previous_classes = 1;  // > 1: also by bit length of |previous value| in the channel, clamped
};

int previous_class(std::int32_t previous, int classes) {
  int bits = 0;
  for (std::uint32_t m = std::uint32_t(std::abs(previous)); m; m >>= 1) ++bits;
  return std::min(bits, classes - 1);
}

int spread_class(const std::int32_t* v, std::size_t n, int classes) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += std::abs(v[i]);
  const double mean = n ? sum / double(n) : 0;
  const int c = mean < 1 ? 0 : int(std::log2(mean));  // 0: <2, 1: 2..4, 2: 4..8, 3: >= 8
  return std::clamp(c, 0, classes - 1);
}

template <typename Coder>
void walk_tree(std::vector<QuantTensor>& tensors, const TreeLayout& layout, Coder& coder) {
  for (auto& t : tensors) {
    const std::size_t length = std::max<std::size_t>(1, channel_length(t, layout.spread_classes > 1));
    const std::size_t per_class = std::size_t(layout.previous_classes) * 256;
    std::vector<BitModel> trees(std::size_t(layout.spread_classes) * per_class, BitModel(layout.rates));
    for (std::size_t start = 0; start < t.values.size(); start += length) {
      const std::size_t n = std::min(length, t.values.size() - start);
      int cls = 0;
      if (layout.spread_classes > 1) cls = coder.side(spread_class(&t.values[start], n, layout.spread_classes));
      std::int32_t previous = 0;
      for (std::size_t i = start; i < start + n; ++i) {
        BitModel* tree = &trees[std::size_t(cls) * per_class +
                                std::size_t(previous_class(previous, layout.previous_classes)) * 256];
        coder.value(tree, t.values[i]);
        previous = t.values[i];
      }
    }
  }
}

struct TreeEncoder {
  RangeEncoder& e;
  int side(int cls) {
    e.encode_bypass(std::uint32_t(cls), 2);
    return cls;
  }
  void value(BitModel* tree, std::int32_t v) {
    const std::uint32_t u = tac::transform::zigzag8(static_cast<std::int8_t>(v));
    std::uint32_t node = 1;
    for (int b = 7; b >= 0; --b) {
      const int bit = (u >> b) & 1;
      e.encode_bit(tree[node], bit);
      node = (node << 1) | std::uint32_t(bit);
    }
  }
};

struct TreeDecoder {
  RangeDecoder& d;
  bool same = true;
  int side(int cls) {
    const int got = int(d.decode_bypass(2));
    same = same && got == cls;
    return got;
  }
  void value(BitModel* tree, std::int32_t v) {
    std::uint32_t node = 1;
    for (int b = 0; b < 8; ++b) node = (node << 1) | std::uint32_t(d.decode_bit(tree[node]));
    same = same && tac::transform::unzigzag8(static_cast<std::uint8_t>(node)) == v;
  }
};

double order0_entropy_bytes(const std::vector<QuantTensor>& tensors) {
  double bits = 0;
  for (const auto& t : tensors) {
    std::map<std::int32_t, double> h;
    for (auto v : t.values) h[v] += 1;
    for (auto& [v, n] : h) bits -= n * std::log2(n / double(t.values.size()));
  }
  return bits / 8;
}

}  // namespace

int main(int argc, char** argv) {
  std::string archive;
  CLI::App app{"tac's adaptive binary coder on the int8 weights of an hnerv95 archive: bytes per context layout (JSON)."};
  app.add_option("archive", archive, "hnerv95 archive.zip")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    const auto zip = tac::io::ZipReader::open(archive);
    const auto member = zip.read(zip.members().at(0));
    tac::ByteReader r(member, archive + ": 0.bin");
    const std::uint32_t meta_size = r.u32("meta size");
    r.skip(meta_size, "meta");
    const std::uint32_t weights_size = r.u32("weights size");
    const auto weights_brotli = r.take(weights_size, "weights");
    const auto raw = tac::codec::hnerv95::brotli_decode_capped(weights_brotli, tac::codec::hnerv95::kMaxTensorBytes,
                                                              "weights");
    tac::ByteReader w(raw, "weights section");
    std::vector<QuantTensor> tensors(w.u32("tensor count"));
    std::vector<std::uint8_t> headers;  // everything but the int8 payloads
    std::size_t cursor = 0;
    for (auto& t : tensors) {
      t.name = std::string(w.text(w.u32("name length"), "name"));
      const std::uint32_t ndim = w.u32("ndim");
      for (std::uint32_t d = 0; d < ndim; ++d) t.dims.push_back(w.u32("dim"));
      w.f32("scale");
      const std::uint32_t size = w.u32("size");
      headers.insert(headers.end(), raw.begin() + std::ptrdiff_t(cursor), raw.begin() + std::ptrdiff_t(w.offset()));
      for (const auto u : w.take(size, "values")) t.values.push_back(tac::transform::unzigzag8(u));
      cursor = w.offset();
    }
    std::size_t value_count = 0;
    for (const auto& t : tensors) value_count += t.values.size();
    const std::size_t header_bytes = brotli_compress(headers, {11, 24}).size();

    std::vector<Layout> layouts;
    for (int k : {2, 8, 16})
      for (bool per_channel : {false, true})
        for (int classes : {1, 3}) {
          Layout l{fmt::format("{}_k{}_o1c{}", per_channel ? "per_channel" : "per_tensor", k, classes), per_channel,
                   classes, {}};
          l.binarization.greater_flags = k;
          layouts.push_back(l);
        }
    for (BitRates rates : {BitRates{5, 8}, BitRates{4, 6}, BitRates{3, 7}}) {
      Layout l{fmt::format("per_channel_k16_o1c1_rates{}_{}", rates.fast, rates.slow), true, 1, {}};
      l.binarization.greater_flags = 16;
      l.binarization.rates = rates;
      layouts.push_back(l);
    }

    nlohmann::json results = nlohmann::json::array();
    std::size_t best = SIZE_MAX;
    std::string best_name;
    for (const auto& layout : layouts) {
      const auto start = tac::SteadyClock::now();
      RangeEncoder e;
      walk(tensors, layout, [&](IntegerContexts& c, std::int32_t v) { encode_signed(e, c, layout.binarization, v); });
      const auto stream = e.finish();
      const double encode_s = tac::seconds_since(start);
      RangeDecoder d(stream, layout.name);
      auto copy = tensors;
      bool same = true;
      const auto dstart = tac::SteadyClock::now();
      walk(copy, layout, [&](IntegerContexts& c, std::int32_t& v) {
        const std::int32_t got = decode_signed(d, c, layout.binarization);
        same = same && got == v;
      });
      const double decode_s = tac::seconds_since(dstart);
      results.push_back({{"layout", layout.name},
                         {"payload_bytes", stream.size()},
                         {"section_bytes_estimate", stream.size() + header_bytes},
                         {"round_trip", same},
                         {"encode_s", encode_s},
                         {"decode_s", decode_s}});
      if (same && stream.size() < best) {
        best = stream.size();
        best_name = layout.name;
      }
    }
    std::vector<TreeLayout> trees;
    for (BitRates rates : {BitRates{4, 7}, BitRates{5, 8}, BitRates{3, 6}, BitRates{4, 6}, BitRates{3, 7}, BitRates{2, 6}})
      for (int classes : {1, 4})
        for (int previous : {1, 3, 5})
          trees.push_back({fmt::format("tree_spread{}_prev{}_rates{}_{}", classes, previous, rates.fast, rates.slow),
                           classes, rates, previous});
    for (BitRates rates : {BitRates{4, 6, true}, BitRates{4, 7, true}, BitRates{5, 8, true}, BitRates{4, 8, true},
                           BitRates{5, 9, true}, BitRates{6, 10, true}, BitRates{6, 11, true}, BitRates{7, 11, true},
                           BitRates{7, 12, true}, BitRates{5, 10, true}})
      for (int previous : {1, 3})
        trees.push_back({fmt::format("tree_warmup_prev{}_rates{}_{}", previous, rates.fast, rates.slow), 1, rates,
                         previous});
    for (const auto& layout : trees) {
      const auto start = tac::SteadyClock::now();
      RangeEncoder e;
      TreeEncoder te{e};
      walk_tree(tensors, layout, te);
      const auto stream = e.finish();
      const double encode_s = tac::seconds_since(start);
      RangeDecoder d(stream, layout.name);
      TreeDecoder td{d};
      const auto dstart = tac::SteadyClock::now();
      walk_tree(tensors, layout, td);
      const double decode_s = tac::seconds_since(dstart);
      results.push_back({{"layout", layout.name},
                         {"payload_bytes", stream.size()},
                         {"section_bytes_estimate", stream.size() + header_bytes},
                         {"round_trip", td.same},
                         {"encode_s", encode_s},
                         {"decode_s", decode_s}});
      if (td.same && stream.size() < best) {
        best = stream.size();
        best_name = layout.name;
      }
    }
    const nlohmann::json out = {{"archive", archive},
                                {"tensors", tensors.size()},
                                {"int8_values", value_count},
                                {"baseline_brotli_section_bytes", weights_size},
                                {"order0_entropy_bytes_per_tensor_sum", order0_entropy_bytes(tensors)},
                                {"header_bytes_brotli", header_bytes},
                                {"best_layout", best_name},
                                {"best_section_bytes_estimate", best + header_bytes},
                                {"saving_vs_baseline", std::int64_t(weights_size) - std::int64_t(best + header_bytes)},
                                {"layouts", results}};
    std::printf("%s\n", out.dump(2).c_str());
  } catch (const tac::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return tac::exit_code(e.kind());
  }
  return 0;
}
