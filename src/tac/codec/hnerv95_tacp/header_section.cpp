#include "tac/codec/hnerv95_tacp/header_section.hpp"

#include <cstring>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/transform/uleb128.hpp"

namespace tac::codec::hnerv95_tacp {
namespace {

constexpr std::uint64_t kMaxTensors = 256;
constexpr std::uint64_t kMaxNameLength = 256;
constexpr std::uint64_t kMaxRank = 4;
constexpr std::uint64_t kMaxDim = 1u << 20;
constexpr std::uint64_t kMaxTensorValues = 16u << 20;

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// The limits of the hnerv95 reader, checked on every tensor either way.
void check_tensor(const TensorHeader& t, std::size_t i, const std::string& source) {
  if (t.name.empty() || t.name.size() > kMaxNameLength)
    fail(ErrorKind::corrupt_input, "{}: tensor {} name length {} is invalid", source, i, t.name.size());
  if (t.dims.empty() || t.dims.size() > kMaxRank) fail(ErrorKind::corrupt_input, "{}: tensor {} has rank {}", source, i, t.dims.size());
  std::uint64_t numel = 1;
  for (const auto d : t.dims) {
    if (d == 0 || d > kMaxDim) fail(ErrorKind::corrupt_input, "{}: tensor {} has dimension {}", source, i, d);
    numel *= d;
    if (numel > kMaxTensorValues) fail(ErrorKind::limit_exceeded, "{}: tensor {} is too large", source, i);
  }
}

}  // namespace

std::uint64_t TensorHeader::size() const {
  std::uint64_t n = 1;
  for (const auto d : dims) n *= d;
  return n;
}

std::vector<std::uint8_t> write_header_section(const HeaderSection& h) {
  std::vector<std::uint8_t> out;
  transform::append_uleb128(out, h.meta_json.size());
  out.insert(out.end(), h.meta_json.begin(), h.meta_json.end());
  transform::append_uleb128(out, h.tensors.size());
  for (const auto& t : h.tensors) transform::append_uleb128(out, t.name.size());
  for (const auto& t : h.tensors) out.insert(out.end(), t.name.begin(), t.name.end());
  for (const auto& t : h.tensors) transform::append_uleb128(out, t.dims.size());
  for (const auto& t : h.tensors)
    for (const auto d : t.dims) transform::append_uleb128(out, d);
  for (std::size_t b = 0; b < 4; ++b)
    for (const auto& t : h.tensors) out.push_back(t.scale[b]);
  return out;
}

HeaderSection read_header_section(std::span<const std::uint8_t> bytes, const std::string& source) {
  ByteReader r(bytes, source);
  HeaderSection h;
  const std::uint64_t meta_size = r.uleb128("meta length");
  if (meta_size > hnerv95::kMaxMetaBytes) fail(ErrorKind::limit_exceeded, "{}: meta of {} bytes exceeds {}", source, meta_size, hnerv95::kMaxMetaBytes);
  const auto meta = r.take(meta_size, "meta");
  h.meta_json.assign(meta.begin(), meta.end());
  const std::uint64_t count = r.uleb128("tensor count");
  if (count == 0 || count > kMaxTensors) fail(ErrorKind::corrupt_input, "{}: tensor count {} is not in 1..{}", source, count, kMaxTensors);
  h.tensors.resize(count);
  std::vector<std::uint64_t> name_sizes(count);
  for (auto& n : name_sizes) {
    n = r.uleb128("tensor name length");
    if (n == 0 || n > kMaxNameLength) fail(ErrorKind::corrupt_input, "{}: tensor name length {} is invalid", source, n);
  }
  for (std::size_t i = 0; i < count; ++i) h.tensors[i].name = std::string(r.text(name_sizes[i], "tensor name"));
  std::vector<std::uint64_t> ranks(count);
  for (auto& rank : ranks) {
    rank = r.uleb128("tensor rank");
    if (rank == 0 || rank > kMaxRank) fail(ErrorKind::corrupt_input, "{}: tensor rank {} is invalid", source, rank);
  }
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < count; ++i) {
    for (std::uint64_t d = 0; d < ranks[i]; ++d) {
      const std::uint64_t dim = r.uleb128("tensor dimension");
      if (dim == 0 || dim > kMaxDim) fail(ErrorKind::corrupt_input, "{}: tensor {} has dimension {}", source, i, dim);
      h.tensors[i].dims.push_back(static_cast<std::uint32_t>(dim));
    }
    check_tensor(h.tensors[i], i, source);
    total += h.tensors[i].size();
    if (total > hnerv95::kMaxTensorBytes)
      fail(ErrorKind::limit_exceeded, "{}: tensors hold more than {} values", source, hnerv95::kMaxTensorBytes);
  }
  const auto planes = r.take(4 * count, "tensor scales");
  for (std::size_t b = 0; b < 4; ++b)
    for (std::size_t i = 0; i < count; ++i) h.tensors[i].scale[b] = planes[b * count + i];
  if (!r.at_end()) fail(ErrorKind::corrupt_input, "{}: {} unexpected bytes after the tensor scales", source, r.remaining());
  return h;
}

std::vector<TensorHeader> split_weights_section(std::span<const std::uint8_t> raw,
                                                std::vector<std::span<const std::uint8_t>>& values,
                                                const std::string& source) {
  ByteReader c(raw, source);
  const std::uint32_t count = c.u32("tensor count");
  if (count == 0 || count > kMaxTensors) fail(ErrorKind::corrupt_input, "{}: tensor count {} is not in 1..{}", source, count, kMaxTensors);
  std::vector<TensorHeader> out(count);
  values.clear();
  for (std::uint32_t i = 0; i < count; ++i) {
    TensorHeader& t = out[i];
    const std::uint32_t name_len = c.u32("tensor name length");
    if (name_len == 0 || name_len > kMaxNameLength) fail(ErrorKind::corrupt_input, "{}: tensor {} name length {} is invalid", source, i, name_len);
    t.name = std::string(c.text(name_len, "tensor name"));
    const std::uint32_t rank = c.u32("tensor rank");
    if (rank == 0 || rank > kMaxRank) fail(ErrorKind::corrupt_input, "{}: tensor {} has rank {}", source, i, rank);
    for (std::uint32_t d = 0; d < rank; ++d) t.dims.push_back(c.u32("tensor dimension"));
    check_tensor(t, i, source);
    const auto scale = c.take(4, "tensor scale");
    std::memcpy(t.scale.data(), scale.data(), 4);
    const std::uint32_t size = c.u32("tensor size");
    if (size != t.size()) fail(ErrorKind::corrupt_input, "{}: tensor {} stores {} values but its shape holds {}", source, i, size, t.size());
    values.push_back(c.take(size, "tensor values"));
  }
  if (!c.at_end()) fail(ErrorKind::corrupt_input, "{}: {} unexpected bytes after the last tensor", source, c.remaining());
  return out;
}

std::vector<std::uint8_t> join_weights_section(const std::vector<TensorHeader>& headers,
                                               const std::vector<std::vector<std::uint8_t>>& values) {
  if (headers.size() != values.size()) fail(ErrorKind::internal, "join_weights_section: {} headers, {} tensors", headers.size(), values.size());
  std::vector<std::uint8_t> out;
  put32(out, static_cast<std::uint32_t>(headers.size()));
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const auto& t = headers[i];
    put32(out, static_cast<std::uint32_t>(t.name.size()));
    out.insert(out.end(), t.name.begin(), t.name.end());
    put32(out, static_cast<std::uint32_t>(t.dims.size()));
    for (const auto d : t.dims) put32(out, d);
    out.insert(out.end(), t.scale.begin(), t.scale.end());
    put32(out, static_cast<std::uint32_t>(t.size()));
    out.insert(out.end(), values[i].begin(), values[i].end());
  }
  return out;
}

}  // namespace tac::codec::hnerv95_tacp
