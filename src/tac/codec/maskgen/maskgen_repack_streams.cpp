#include "tac/codec/maskgen/maskgen_repack_streams.hpp"

#include <array>
#include <memory>

#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/codec/maskgen/generator_schema.hpp"
#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/transform/zigzag.hpp"

namespace tac::codec::maskgen {
namespace {

using Span = std::span<const std::uint8_t>;

// ---- Moving bytes between a record and its field groups, in the record's own order ------------
// The record grammars (model, sidecar) are written once against a Router: split routes raw bytes
// into groups, join routes group bytes back into a raw record. `move` returns the bytes moved, so
// the grammar can read counts and flags from them.
class Router {
 public:
  virtual ~Router() = default;
  virtual Span move(int field, std::size_t n, std::string_view what) = 0;
};

class Splitter final : public Router {
 public:
  Splitter(Span raw, const std::vector<int>& group_of, std::size_t groups)
      : raw_(raw, "raw record"), group_of_(group_of), groups_(groups) {}
  Span move(int field, std::size_t n, std::string_view what) override {
    const Span s = raw_.take(n, what);
    auto& g = groups_[group_of_[field]];
    g.insert(g.end(), s.begin(), s.end());
    return s;
  }
  bool at_end() const { return raw_.at_end(); }
  std::vector<RawBytes>& groups() { return groups_; }

 private:
  ByteReader raw_;
  const std::vector<int>& group_of_;
  std::vector<RawBytes> groups_;
};

class Joiner final : public Router {
 public:
  Joiner(const std::vector<RawBytes>& groups, const std::vector<std::string>& names, const std::vector<int>& group_of,
         const std::string& source)
      : group_of_(group_of) {
    for (std::size_t i = 0; i < groups.size(); ++i) readers_.emplace_back(groups[i], source + ": stream " + names[i]);
  }
  Span move(int field, std::size_t n, std::string_view what) override {
    const Span s = readers_[group_of_[field]].take(n, what);
    raw_.insert(raw_.end(), s.begin(), s.end());
    return s;
  }
  RawBytes finish() {
    for (const auto& r : readers_)
      if (!r.at_end()) fail(ErrorKind::corrupt_input, "{}: {} bytes left over", r.source(), r.remaining());
    return std::move(raw_);
  }

 private:
  const std::vector<int>& group_of_;
  std::vector<ByteReader> readers_;
  RawBytes raw_;
};

// ---- Size-preserving (or invertible) rearrangements of one group into one or more streams -----
enum class Expand { none, planes2, nibble_values, sign_magnitude, nonzero_signs, patch_fields };

std::vector<std::string> expanded_names(const std::string& base, Expand e) {
  switch (e) {
    case Expand::none: return {base};
    case Expand::planes2: return {base + ".lo", base + ".hi"};
    case Expand::nibble_values: return {base + ".v"};
    case Expand::sign_magnitude: return {base + ".sgn", base + ".mag"};
    case Expand::nonzero_signs: return {base + ".mag", base + ".nzs"};
    case Expand::patch_fields: return {base + ".x", base + ".y", base + ".r"};
  }
  return {};
}

// nullopt when the group does not fit the rearrangement (a negative zero for nonzero_signs).
std::optional<std::vector<RawBytes>> expand(const RawBytes& g, Expand e) {
  switch (e) {
    case Expand::none: return std::vector<RawBytes>{g};
    case Expand::planes2: {  // f16 values: even (low) bytes, then odd (high) bytes
      std::vector<RawBytes> out(2);
      for (std::size_t i = 0; i < g.size(); ++i) out[i % 2].push_back(g[i]);
      return out;
    }
    case Expand::nibble_values: {  // high nibble first, as the format reads them
      RawBytes v;
      for (std::uint8_t b : g) v.push_back(b >> 4), v.push_back(b & 15);
      return std::vector<RawBytes>{v};
    }
    case Expand::sign_magnitude: {  // sign bits packed MSB first, magnitudes one per byte
      std::vector<RawBytes> out(2);
      out[0].assign((g.size() * 2 + 7) / 8, 0);
      for (std::size_t i = 0; i < g.size() * 2; ++i) {
        const std::uint8_t q = (i % 2 == 0) ? g[i / 2] >> 4 : g[i / 2] & 15;
        out[0][i / 8] |= static_cast<std::uint8_t>((q >> 3) << (7 - i % 8));
        out[1].push_back(q & 7);
      }
      return out;
    }
    case Expand::nonzero_signs: {  // magnitudes one per byte, then the signs of the non-zero ones
      std::vector<RawBytes> out(2);
      std::size_t signs = 0;
      for (std::size_t i = 0; i < g.size() * 2; ++i) {
        const std::uint8_t q = (i % 2 == 0) ? g[i / 2] >> 4 : g[i / 2] & 15;
        if (q == 8) return std::nullopt;  // -0 has no place here
        out[0].push_back(q & 7);
        if ((q & 7) == 0) continue;
        if (signs % 8 == 0) out[1].push_back(0);
        out[1].back() |= static_cast<std::uint8_t>((q >> 3) << (7 - signs % 8));
        ++signs;
      }
      return out;
    }
    case Expand::patch_fields: {  // 24-bit words (x 9, y 9, rest 6 bits): x low, y low, the rest
      std::vector<RawBytes> out(3);
      for (std::size_t i = 0; i + 2 < g.size(); i += 3) {
        const std::uint32_t v = g[i] | (std::uint32_t(g[i + 1]) << 8) | (std::uint32_t(g[i + 2]) << 16);
        const std::uint32_t x = v & 0x1FF, y = (v >> 9) & 0x1FF, rest = v >> 18;
        out[0].push_back(static_cast<std::uint8_t>(x));
        out[1].push_back(static_cast<std::uint8_t>(y));
        out[2].push_back(static_cast<std::uint8_t>((x >> 8) | ((y >> 8) << 1) | (rest << 2)));
      }
      return out;
    }
  }
  return {};
}

// The inverse of expand, on streams from outside.
RawBytes collapse(std::span<const RawBytes> s, Expand e, const std::string& where) {
  switch (e) {
    case Expand::none: return s[0];
    case Expand::planes2: {
      if (s[0].size() != s[1].size())
        fail(ErrorKind::corrupt_input, "{}: byte planes of {} and {} bytes", where, s[0].size(), s[1].size());
      RawBytes g;
      for (std::size_t i = 0; i < s[0].size(); ++i) g.push_back(s[0][i]), g.push_back(s[1][i]);
      return g;
    }
    case Expand::nibble_values: {
      if (s[0].size() % 2) fail(ErrorKind::corrupt_input, "{}: odd count of nibbles ({})", where, s[0].size());
      RawBytes g;
      for (std::size_t i = 0; i < s[0].size(); i += 2) {
        if ((s[0][i] | s[0][i + 1]) > 15) fail(ErrorKind::corrupt_input, "{}: nibble value above 15 at {}", where, i);
        g.push_back(static_cast<std::uint8_t>((s[0][i] << 4) | s[0][i + 1]));
      }
      return g;
    }
    case Expand::sign_magnitude: {
      const std::size_t n = s[1].size();
      if (n % 2 || s[0].size() != (n + 7) / 8)
        fail(ErrorKind::corrupt_input, "{}: {} sign bytes for {} magnitudes", where, s[0].size(), n);
      RawBytes g(n / 2, 0);
      for (std::size_t i = 0; i < n; ++i) {
        if (s[1][i] > 7) fail(ErrorKind::corrupt_input, "{}: magnitude above 7 at {}", where, i);
        const int q = (((s[0][i / 8] >> (7 - i % 8)) & 1) << 3) | s[1][i];
        g[i / 2] |= static_cast<std::uint8_t>(i % 2 == 0 ? q << 4 : q);
      }
      return g;
    }
    case Expand::nonzero_signs: {
      const std::size_t n = s[0].size();
      if (n % 2) fail(ErrorKind::corrupt_input, "{}: odd count of magnitudes ({})", where, n);
      RawBytes g(n / 2, 0);
      std::size_t signs = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (s[0][i] > 7) fail(ErrorKind::corrupt_input, "{}: magnitude above 7 at {}", where, i);
        int q = s[0][i];
        if (q != 0) {
          if (signs / 8 >= s[1].size())
            fail(ErrorKind::corrupt_input, "{}: {} sign bytes, too few for the non-zero magnitudes", where, s[1].size());
          q |= ((s[1][signs / 8] >> (7 - signs % 8)) & 1) << 3;
          ++signs;
        }
        g[i / 2] |= static_cast<std::uint8_t>(i % 2 == 0 ? q << 4 : q);
      }
      if (s[1].size() != (signs + 7) / 8 || (signs % 8 && (s[1].back() & ((1u << (8 - signs % 8)) - 1))))
        fail(ErrorKind::corrupt_input, "{}: {} sign bytes for {} non-zero magnitudes (or padding bits set)", where,
             s[1].size(), signs);
      return g;
    }
    case Expand::patch_fields: {
      if (s[0].size() != s[1].size() || s[0].size() != s[2].size())
        fail(ErrorKind::corrupt_input, "{}: patch fields of {}, {} and {} bytes", where, s[0].size(), s[1].size(),
             s[2].size());
      RawBytes g;
      for (std::size_t i = 0; i < s[0].size(); ++i) {
        const std::uint32_t r = s[2][i];
        const std::uint32_t v = (s[0][i] | ((r & 1) << 8)) | ((s[1][i] | (((r >> 1) & 1) << 8)) << 9) | ((r >> 2) << 18);
        for (int k = 0; k < 3; ++k) g.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
      }
      return g;
    }
  }
  return {};
}

// A layout over a record grammar: which group each field goes to, and how each group expands.
struct Group {
  std::string name;
  Expand expand = Expand::none;
};
using Grammar = void (*)(Router&);

StreamLayout routed_layout(std::string name, Grammar grammar, std::vector<int> group_of, std::vector<Group> groups) {
  StreamLayout l;
  l.name = std::move(name);
  for (const auto& g : groups)
    for (auto& n : expanded_names(g.name, g.expand)) l.streams.push_back(std::move(n));
  auto shared_map = std::make_shared<const std::vector<int>>(std::move(group_of));
  auto shared_groups = std::make_shared<const std::vector<Group>>(std::move(groups));
  l.split = [grammar, shared_map, shared_groups](Span raw) -> std::optional<std::vector<RawBytes>> {
    Splitter s(raw, *shared_map, shared_groups->size());
    grammar(s);
    if (!s.at_end()) return std::nullopt;
    std::vector<RawBytes> out;
    for (std::size_t i = 0; i < shared_groups->size(); ++i) {
      auto parts = expand(s.groups()[i], (*shared_groups)[i].expand);
      if (!parts) return std::nullopt;
      for (auto& e : *parts) out.push_back(std::move(e));
    }
    return out;
  };
  const auto names = l.streams;
  l.join = [grammar, shared_map, shared_groups, names](const std::vector<RawBytes>& streams, const std::string& source) {
    if (streams.size() != names.size())
      fail(ErrorKind::corrupt_input, "{}: {} streams, this layout has {}", source, streams.size(), names.size());
    std::vector<RawBytes> parts;
    std::vector<std::string> group_names;
    std::size_t at = 0;
    for (const auto& g : *shared_groups) {
      const std::size_t k = expanded_names(g.name, g.expand).size();
      parts.push_back(collapse(std::span(streams).subspan(at, k), g.expand, source + ": stream " + g.name));
      group_names.push_back(g.name);
      at += k;
    }
    Joiner j(parts, group_names, *shared_map, source);
    grammar(j);
    return j.finish();
  };
  return l;
}

// ---- Model: per tensor in schema order, FP4 nibbles + f16 block scales, or f16 values ----------
// Depthwise convolutions (C x 1 x k x k) and the other FP4 tensors, biases and the other f16
// tensors are separate fields, so a layout can code them apart or together.
enum ModelField { kNibbles, kDepthwiseNibbles, kScales, kDepthwiseScales, kHalves, kBiasHalves, kModelFields };

void model_grammar(Router& r) {
  for (const auto& spec : generator_schema()) {
    const std::size_t n = spec.numel();
    if (spec.storage == Storage::fp4) {
      const bool depthwise = spec.shape.size() == 4 && spec.shape[1] == 1;
      const std::size_t blocks = (n + kFp4Block - 1) / kFp4Block;
      r.move(depthwise ? kDepthwiseNibbles : kNibbles, blocks * kFp4Block / 2, spec.name);
      r.move(depthwise ? kDepthwiseScales : kScales, blocks * 2, spec.name);
    } else {
      r.move(spec.is_bias ? kBiasHalves : kHalves, n * 2, spec.name);
    }
  }
}

std::vector<StreamLayout> model_layouts() {
  const std::vector<int> by_kind = {0, 0, 1, 1, 2, 2};
  std::vector<StreamLayout> v;
  v.push_back(routed_layout("kinds", model_grammar, by_kind, {{"nib"}, {"scl"}, {"f16"}}));
  v.push_back(routed_layout("kinds+planes", model_grammar, by_kind,
                            {{"nib"}, {"scl", Expand::planes2}, {"f16", Expand::planes2}}));
  v.push_back(routed_layout("nibble-values+planes", model_grammar, by_kind,
                            {{"nib", Expand::nibble_values}, {"scl", Expand::planes2}, {"f16", Expand::planes2}}));
  v.push_back(routed_layout("sign-magnitude+planes", model_grammar, by_kind,
                            {{"nib", Expand::sign_magnitude}, {"scl", Expand::planes2}, {"f16", Expand::planes2}}));
  // Zero magnitudes carry no sign (when no nibble is a negative zero).
  v.push_back(routed_layout("magnitude+nonzero-signs+planes", model_grammar, by_kind,
                            {{"nib", Expand::nonzero_signs}, {"scl", Expand::planes2}, {"f16", Expand::planes2}}));
  // The same with depthwise and other FP4 tensors apart, and biases apart from the other f16 tensors.
  v.push_back(routed_layout("by-tensor-kind", model_grammar, {0, 1, 2, 2, 3, 4},
                            {{"nib", Expand::nonzero_signs},
                             {"dwnib", Expand::nonzero_signs},
                             {"scl", Expand::planes2},
                             {"f16", Expand::planes2},
                             {"bias", Expand::planes2}}));
  // Scales and f16 tensors are both f16 values: one pair of planes for all of them.
  v.push_back(routed_layout("nibbles+halves-planes", model_grammar, {0, 0, 1, 1, 1, 1},
                            {{"nib"}, {"half", Expand::planes2}}));
  return v;
}

// ---- Sidecar: the BPGD record grammar (sidecar.hpp) -------------------------------------------
enum SidecarField { kHeader, kPair, kFlags, kCount, kX2, kPixel, kPatternPatch, kPoseFix, kWarp, kSidecarFields };

void sidecar_grammar(Router& r) {
  r.move(kHeader, 4, "magic");
  const Span c = r.move(kHeader, 2, "record count");
  const int n = c[0] | (c[1] << 8);
  for (int i = 0; i < n; ++i) {
    if (i == 0) {
      r.move(kPair, 2, "pair index");
    } else if (r.move(kPair, 1, "pair delta")[0] == 0xFF) {
      r.move(kPair, 2, "pair index");
    }
    const std::uint8_t flags = r.move(kFlags, 1, "flags")[0];
    constexpr std::array<std::pair<std::uint8_t, SidecarField>, 3> kPatchKinds = {
        {{1, kX2}, {2, kPixel}, {4, kPatternPatch}}};
    for (const auto& [bit, field] : kPatchKinds)
      if (flags & bit) r.move(field, 3 * std::size_t(r.move(kCount, 1, "patch count")[0]), "patches");
    if (flags & 8) r.move(kPoseFix, 3, "pose corrections");
    if (flags & 16) r.move(kWarp, 2, "warp");
  }
}

std::vector<StreamLayout> sidecar_layouts() {
  std::vector<StreamLayout> v;
  // Record structure / patch words / pose and warp bytes.
  v.push_back(routed_layout("structure+patches+edits", sidecar_grammar, {0, 0, 0, 0, 1, 1, 1, 2, 2},
                            {{"rec"}, {"patch"}, {"edit"}}));
  v.push_back(routed_layout("structure+patch-fields+edits", sidecar_grammar, {0, 0, 0, 0, 1, 1, 1, 2, 2},
                            {{"rec"}, {"patch", Expand::patch_fields}, {"edit"}}));
  v.push_back(routed_layout("fields", sidecar_grammar, {0, 1, 2, 3, 4, 5, 6, 7, 8},
                            {{"hdr"}, {"pair"}, {"flag"}, {"cnt"}, {"x2"}, {"px"}, {"pat"}, {"pose"}, {"warp"}}));
  v.push_back(routed_layout("fields+x2-patch-fields", sidecar_grammar, {0, 1, 2, 3, 4, 5, 6, 7, 8},
                            {{"hdr"},
                             {"pair"},
                             {"flag"},
                             {"cnt"},
                             {"x2", Expand::patch_fields},
                             {"px"},
                             {"pat"},
                             {"pose"},
                             {"warp"}}));
  v.push_back(routed_layout("fields+patch-fields", sidecar_grammar, {0, 1, 2, 3, 4, 4, 4, 5, 5},
                            {{"hdr"}, {"pair"}, {"flag"}, {"cnt"}, {"patch", Expand::patch_fields}, {"edit"}}));
  return v;
}

// ---- Pose: header, then the bit-packed values as byte planes per dimension ---------------------
constexpr std::size_t kPoseHeader = PoseHeader::kBytes;
// Every dimension's values fill whole bytes, so the packed bits have no padding to keep.
static_assert(kPairs % 8 == 0);

// Bytes of the value planes: each dimension's values in whole bytes.
std::size_t value_bytes(const PoseHeader& h) {
  std::size_t n = 0;
  for (const int b : h.bits) n += std::size_t((b + 7) / 8) * kPairs;
  return n;
}

// The difference from the previous value modulo 2^bits, as a signed number, zigzagged.
std::uint32_t zigzag_delta(std::uint32_t v, std::uint32_t prev, int bits) {
  const std::uint64_t mod = std::uint64_t(1) << bits;
  const std::uint64_t d = (std::uint64_t(v) - prev) & (mod - 1);
  return transform::zigzag32(static_cast<std::int32_t>(d >= mod / 2 ? std::int64_t(d) - std::int64_t(mod) : std::int64_t(d)));
}

std::uint32_t undo_zigzag_delta(std::uint32_t z, std::uint32_t prev, int bits) {
  const std::uint64_t mod = std::uint64_t(1) << bits;
  return static_cast<std::uint32_t>((std::uint64_t(prev) + std::uint64_t(std::int64_t(transform::unzigzag32(z)))) & (mod - 1));
}

std::optional<std::vector<RawBytes>> split_pose(Span raw, bool deltas) {
  if (raw.size() < kPoseHeader) return std::nullopt;
  const PoseHeader s = parse_pose_header(raw.first(kPoseHeader), "raw");
  if (raw.size() != kPoseHeader + s.packed_bytes()) return std::nullopt;
  auto unpacked = unpack_pose_values(s, raw.subspan(kPoseHeader));
  RawBytes values;
  for (int d = 0; d < kPoseDims; ++d) {
    auto& v = unpacked[d];
    if (deltas && s.bits[d] > 0)
      for (int p = kPairs - 1; p >= 0; --p) v[p] = zigzag_delta(v[p], p ? v[p - 1] : 0, s.bits[d]);
    for (int plane = (s.bits[d] + 7) / 8 - 1; plane >= 0; --plane)
      for (const auto x : v) values.push_back(static_cast<std::uint8_t>(x >> (8 * plane)));
  }
  return std::vector<RawBytes>{RawBytes(raw.begin(), raw.begin() + kPoseHeader), std::move(values)};
}

RawBytes join_pose(const std::vector<RawBytes>& streams, bool deltas, const std::string& source) {
  if (streams.size() != 2) fail(ErrorKind::corrupt_input, "{}: {} pose streams, expected 2", source, streams.size());
  const auto& header = streams[0];
  const auto& values = streams[1];
  if (header.size() != kPoseHeader)
    fail(ErrorKind::corrupt_input, "{}: pose header stream of {} bytes, expected {}", source, header.size(), kPoseHeader);
  const PoseHeader s = parse_pose_header(header, source + ": stream hdr");
  if (values.size() != value_bytes(s))
    fail(ErrorKind::corrupt_input, "{}: pose value stream of {} bytes, expected {}", source, values.size(), value_bytes(s));
  RawBytes raw = header;
  raw.resize(kPoseHeader + s.packed_bytes(), 0);
  std::uint64_t at = 0;
  std::size_t in = 0;
  for (int d = 0; d < kPoseDims; ++d) {
    const int bits = s.bits[d], width = (bits + 7) / 8;
    std::vector<std::uint64_t> wide(kPairs, 0);
    for (int plane = width - 1; plane >= 0; --plane)
      for (auto& x : wide) x |= std::uint64_t(values[in++]) << (8 * plane);
    std::vector<std::uint32_t> v(kPairs);
    for (int p = 0; p < kPairs; ++p) {
      if ((wide[p] >> bits) != 0)
        fail(ErrorKind::corrupt_input, "{}: pose value of dimension {}, pair {} exceeds {} bits", source, d, p, bits);
      v[p] = static_cast<std::uint32_t>(wide[p]);
    }
    for (int p = 0; p < kPairs; ++p) {
      if (deltas && bits > 0) v[p] = undo_zigzag_delta(v[p], p ? v[p - 1] : 0, bits);
      for (int b = bits - 1; b >= 0; --b, ++at)
        raw[kPoseHeader + (at >> 3)] |= static_cast<std::uint8_t>(((v[p] >> b) & 1u) << (7 - (at & 7)));
    }
  }
  return raw;
}

std::vector<StreamLayout> pose_layouts() {
  std::vector<StreamLayout> v;
  for (const bool deltas : {false, true}) {
    StreamLayout l;
    l.name = deltas ? "header+delta-planes" : "header+value-planes";
    l.streams = {"hdr", deltas ? "dval" : "val"};
    l.split = [deltas](Span raw) { return split_pose(raw, deltas); };
    l.join = [deltas](const std::vector<RawBytes>& s, const std::string& source) { return join_pose(s, deltas, source); };
    v.push_back(std::move(l));
  }
  return v;
}

}  // namespace

const std::vector<StreamLayout>& stream_layouts(RecordId id) {
  static const std::vector<StreamLayout> pose = pose_layouts(), model = model_layouts(), sidecar = sidecar_layouts(),
                                         none;
  switch (id) {
    case RecordId::pose: return pose;
    case RecordId::model: return model;
    case RecordId::sidecar: return sidecar;
    case RecordId::mask: return none;
  }
  return none;
}

}  // namespace tac::codec::maskgen
