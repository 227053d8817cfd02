#include "tac/transform/transform_chain.hpp"

#include <array>

#include "tac/transform/uleb128.hpp"

namespace tac::transform {
namespace {

struct KindInfo {
  TransformKind kind;
  const char* name;
  std::uint64_t min, max;  // parameter range
};
constexpr std::array<KindInfo, 6> kKinds = {{{TransformKind::delta, "delta", 1, 1u << 30},
                                             {TransformKind::byte_planes, "byte_planes", 1, 64},
                                             {TransformKind::transpose, "transpose", 1, 1u << 30},
                                             {TransformKind::zigzag, "zigzag", 0, 0},
                                             {TransformKind::negated_zigzag, "negated_zigzag", 0, 0},
                                             {TransformKind::offset, "offset", 0, 255}}};

const KindInfo* info(std::uint8_t kind) {
  for (const auto& k : kKinds)
    if (static_cast<std::uint8_t>(k.kind) == kind) return &k;
  return nullptr;
}

Bytes forward(const TransformStep& s, ByteSpan in) {
  switch (s.kind) {
    case TransformKind::delta: return delta(in, s.parameter);
    case TransformKind::byte_planes: return byte_planes(in, s.parameter);
    case TransformKind::transpose: return transpose(in, s.parameter);
    case TransformKind::zigzag: return zigzag_bytes(in);
    case TransformKind::negated_zigzag: return negated_zigzag_bytes(in);
    case TransformKind::offset: return offset_bytes(in, static_cast<std::uint8_t>(s.parameter));
  }
  fail(ErrorKind::internal, "transform kind {} has no forward map", int(s.kind));
}

Bytes inverse(const TransformStep& s, ByteSpan in) {
  switch (s.kind) {
    case TransformKind::delta: return undelta(in, s.parameter);
    case TransformKind::byte_planes: return unbyte_planes(in, s.parameter);
    case TransformKind::transpose: return untranspose(in, s.parameter);
    case TransformKind::zigzag: return unzigzag_bytes(in);
    case TransformKind::negated_zigzag: return unnegated_zigzag_bytes(in);
    case TransformKind::offset: return offset_bytes(in, static_cast<std::uint8_t>(256 - s.parameter));
  }
  fail(ErrorKind::internal, "transform kind {} has no inverse map", int(s.kind));
}

void check(const TransformStep& s, ErrorKind kind, const std::string& where) {
  const KindInfo* k = info(static_cast<std::uint8_t>(s.kind));
  if (!k) fail(kind, "{}unknown transform kind {}", where, int(s.kind));
  if (s.parameter < k->min || s.parameter > k->max)
    fail(kind, "{}transform {} parameter {} is not in {}..{}", where, k->name, s.parameter, k->min, k->max);
}

}  // namespace

Bytes apply_forward(const std::vector<TransformStep>& steps, ByteSpan in) {
  Bytes data(in.begin(), in.end());
  for (const auto& s : steps) {
    check(s, ErrorKind::usage, "");
    data = forward(s, data);
  }
  return data;
}

Bytes apply_inverse(const std::vector<TransformStep>& steps, ByteSpan in) {
  Bytes data(in.begin(), in.end());
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    check(*it, ErrorKind::usage, "");
    data = inverse(*it, data);
  }
  return data;
}

void append_steps(Bytes& out, const std::vector<TransformStep>& steps) {
  append_uleb128(out, steps.size());
  for (const auto& s : steps) {
    out.push_back(static_cast<std::uint8_t>(s.kind));
    append_uleb128(out, s.parameter);
  }
}

std::vector<TransformStep> read_steps(ByteReader& reader) {
  const std::uint64_t count = reader.uleb128("transform count");
  if (count > kMaxTransformSteps)
    fail(ErrorKind::corrupt_input, "{}: {} transforms exceed the limit of {}", reader.source(), count,
         kMaxTransformSteps);
  std::vector<TransformStep> steps;
  for (std::uint64_t i = 0; i < count; ++i) {
    TransformStep s{static_cast<TransformKind>(reader.u8("transform kind")), 0};
    s.parameter = reader.uleb128("transform parameter");
    check(s, ErrorKind::corrupt_input, reader.source() + ": ");
    steps.push_back(s);
  }
  return steps;
}

std::string describe(const TransformStep& step) {
  const KindInfo* k = info(static_cast<std::uint8_t>(step.kind));
  if (!k) return "unknown";
  if (k->max == 0) return k->name;
  return fmt::format("{}:{}", k->name, step.parameter);
}

TransformStep parse_step(const std::string& text) {
  const auto colon = text.find(':');
  const std::string name = text.substr(0, colon);
  for (const auto& k : kKinds) {
    if (name != k.name) continue;
    TransformStep s{k.kind, 0};
    if (colon != std::string::npos) {
      try {
        s.parameter = std::stoull(text.substr(colon + 1));
      } catch (const std::exception&) {
        fail(ErrorKind::usage, "transform '{}': parameter is not a number", text);
      }
    }
    check(s, ErrorKind::usage, "");
    return s;
  }
  fail(ErrorKind::usage, "unknown transform '{}'", text);
}

}  // namespace tac::transform
