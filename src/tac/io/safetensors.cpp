#include "tac/io/safetensors.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/quant/float16.hpp"

namespace tac::io {
namespace {

using json = nlohmann::json;

struct DTypeEntry {
  DType dtype;
  std::string_view name;
  std::size_t size;
};
constexpr std::array<DTypeEntry, 9> kDTypes{{{DType::F32, "F32", 4},
                                              {DType::F16, "F16", 2},
                                              {DType::BF16, "BF16", 2},
                                              {DType::F64, "F64", 8},
                                              {DType::I64, "I64", 8},
                                              {DType::I32, "I32", 4},
                                              {DType::I8, "I8", 1},
                                              {DType::U8, "U8", 1},
                                              {DType::BOOL, "BOOL", 1}}};

constexpr int kMaxJsonDepth = 8;          // a valid header nests 3 deep; deeper input is hostile
constexpr std::size_t kMaxDims = 16;

// Rejects deep nesting before the recursive JSON parser sees it (stack exhaustion).
void check_json_depth(std::string_view text, const std::string& source) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) fail(ErrorKind::limit_exceeded, "{}: safetensors header nests deeper than {} levels", source, kMaxJsonDepth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

std::int64_t checked_numel(const std::vector<std::int64_t>& shape, const std::string& source, const std::string& name) {
  std::int64_t numel = 1;
  for (const auto d : shape) {
    if (d != 0 && numel > std::numeric_limits<std::int64_t>::max() / d)
      fail(ErrorKind::corrupt_input, "{}: tensor '{}': shape overflows", source, name);
    numel *= d;
  }
  return numel;
}

}  // namespace

std::string_view dtype_name(DType dtype) {
  for (const auto& e : kDTypes)
    if (e.dtype == dtype) return e.name;
  return "?";
}

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& e : kDTypes)
    if (e.name == name) return e.dtype;
  return std::nullopt;
}

std::size_t dtype_size(DType dtype) {
  for (const auto& e : kDTypes)
    if (e.dtype == dtype) return e.size;
  return 0;
}

float half_to_float(std::uint16_t h) { return quant::half_to_float(h); }

float bfloat16_to_float(std::uint16_t bits) { return std::bit_cast<float>(std::uint32_t{bits} << 16); }

Safetensors Safetensors::parse(std::span<const std::uint8_t> bytes, std::string source) {
  Safetensors result;
  result.source_ = std::move(source);
  const std::string& src = result.source_;
  ByteReader file(bytes, src);
  const std::uint64_t header_len = file.u64("safetensors header length");
  if (header_len > kMaxSafetensorsHeader)
    fail(ErrorKind::limit_exceeded, "{}: safetensors header length {} exceeds the limit of {} bytes", src, header_len, kMaxSafetensorsHeader);
  if (header_len < 2) fail(ErrorKind::corrupt_input, "{}: safetensors header of {} bytes cannot hold a JSON object", src, header_len);
  const std::string_view header_text = file.text(header_len, "safetensors header");
  ByteReader data = file.sub(file.remaining(), "data section");

  check_json_depth(header_text, src);
  // Count top-level keys while parsing: a JSON object keeps only the last of duplicate keys.
  std::set<std::string> seen_keys;
  std::string duplicate;
  const json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key) {
      auto key = parsed.get<std::string>();
      if (!seen_keys.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  json header = json::parse(header_text.begin(), header_text.end(), on_event, /*allow_exceptions=*/false);
  if (header.is_discarded()) fail(ErrorKind::corrupt_input, "{}: safetensors header is not valid JSON", src);
  if (!header.is_object()) fail(ErrorKind::corrupt_input, "{}: safetensors header is not a JSON object", src);
  if (!duplicate.empty()) fail(ErrorKind::corrupt_input, "{}: safetensors header names '{}' twice", src, duplicate);

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const json& entry = it.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) fail(ErrorKind::corrupt_input, "{}: __metadata__ is not an object", src);
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string()) fail(ErrorKind::corrupt_input, "{}: __metadata__ value of '{}' is not a string", src, m.key());
        result.metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (name.empty()) fail(ErrorKind::corrupt_input, "{}: a tensor has an empty name", src);
    if (!entry.is_object()) fail(ErrorKind::corrupt_input, "{}: entry '{}' is not an object", src, name);
    const auto dtype_it = entry.find("dtype");
    const auto shape_it = entry.find("shape");
    const auto offsets_it = entry.find("data_offsets");
    if (dtype_it == entry.end() || !dtype_it->is_string()) fail(ErrorKind::corrupt_input, "{}: tensor '{}' has no dtype string", src, name);
    if (shape_it == entry.end() || !shape_it->is_array()) fail(ErrorKind::corrupt_input, "{}: tensor '{}' has no shape array", src, name);
    if (offsets_it == entry.end() || !offsets_it->is_array() || offsets_it->size() != 2)
      fail(ErrorKind::corrupt_input, "{}: tensor '{}' needs data_offsets [begin, end]", src, name);
    const auto dtype = dtype_from_name(dtype_it->get<std::string>());
    if (!dtype) fail(ErrorKind::corrupt_input, "{}: tensor '{}' has unsupported dtype '{}'", src, name, dtype_it->get<std::string>());
    if (shape_it->size() > kMaxDims) fail(ErrorKind::limit_exceeded, "{}: tensor '{}' has {} dimensions (limit {})", src, name, shape_it->size(), kMaxDims);
    TensorView view;
    view.name = name;
    view.dtype = *dtype;
    for (const auto& d : *shape_it) {
      if (!d.is_number_unsigned()) fail(ErrorKind::corrupt_input, "{}: tensor '{}' has a shape entry that is not a non-negative integer", src, name);
      const auto value = d.get<std::uint64_t>();
      if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        fail(ErrorKind::limit_exceeded, "{}: tensor '{}' has a dimension too large", src, name);
      view.shape.push_back(static_cast<std::int64_t>(value));
    }
    view.numel = checked_numel(view.shape, src, name);
    const json& b = (*offsets_it)[0];
    const json& e = (*offsets_it)[1];
    if (!b.is_number_unsigned() || !e.is_number_unsigned()) fail(ErrorKind::corrupt_input, "{}: tensor '{}' has non-integer data_offsets", src, name);
    const auto begin = b.get<std::uint64_t>();
    const auto end = e.get<std::uint64_t>();
    if (begin > end) fail(ErrorKind::corrupt_input, "{}: tensor '{}' data_offsets [{}, {}] run backwards", src, name, begin, end);
    const std::string field = fmt::format("tensor '{}' data_offsets [{}, {}]", name, begin, end);
    data.seek(begin, field);
    view.data = data.take(end - begin, field);
    // numel <= the data size keeps numel * dtype size from overflowing.
    const std::uint64_t expected = static_cast<std::uint64_t>(view.numel) * dtype_size(view.dtype);
    if (static_cast<std::uint64_t>(view.numel) > data.size() || end - begin != expected)
      fail(ErrorKind::corrupt_input, "{}: tensor '{}' holds {} bytes but {} x {} needs {}", src, name, end - begin, dtype_name(view.dtype), view.numel,
           static_cast<std::uint64_t>(view.numel) > data.size() ? std::string("more than the file") : std::to_string(expected));
    result.tensors_.push_back(std::move(view));
  }

  std::sort(result.tensors_.begin(), result.tensors_.end(),
            [&](const TensorView& a, const TensorView& b) { return a.data.data() < b.data.data(); });
  // The format lays tensors out back to back, covering the data section exactly.
  const std::uint8_t* cursor = data.bytes().data();
  for (const auto& t : result.tensors_) {
    if (t.data.data() < cursor) fail(ErrorKind::corrupt_input, "{}: tensor '{}' overlaps the tensor before it", src, t.name);
    if (t.data.data() > cursor) fail(ErrorKind::corrupt_input, "{}: gap of {} bytes before tensor '{}'", src, t.data.data() - cursor, t.name);
    cursor = t.data.data() + t.data.size();
  }
  const std::uint8_t* data_end = data.bytes().data() + data.size();
  if (cursor != data_end)
    fail(ErrorKind::corrupt_input, "{}: {} bytes after the last tensor are not described by the header", src, data_end - cursor);
  for (std::size_t i = 0; i < result.tensors_.size(); ++i) result.index_[result.tensors_[i].name] = i;
  return result;
}

Safetensors Safetensors::open(const std::filesystem::path& path) {
  auto map = std::make_shared<MappedFile>(path);
  Safetensors result = parse(map->bytes(), path.string());
  result.map_ = std::move(map);
  return result;
}

const TensorView* Safetensors::find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

const TensorView& Safetensors::at(std::string_view name) const {
  const auto* t = find(name);
  if (t == nullptr) fail(ErrorKind::corrupt_input, "{}: no tensor named '{}'", source_, name);
  return *t;
}

std::vector<float> Safetensors::to_float32(const TensorView& tensor) const {
  std::vector<float> out(static_cast<std::size_t>(tensor.numel));
  const std::uint8_t* p = tensor.data.data();
  UncheckedBlock values(tensor.data);  // parse() checked the size: numel x dtype size
  switch (tensor.dtype) {
    case DType::F32:
      if (!out.empty()) std::memcpy(out.data(), p, out.size() * 4);
      break;
    case DType::F64:
      for (auto& v : out) v = static_cast<float>(std::bit_cast<double>(values.u64()));
      break;
    case DType::F16:
    case DType::BF16:
      for (auto& v : out) {
        const std::uint16_t bits = values.u16();
        v = tensor.dtype == DType::F16 ? half_to_float(bits) : bfloat16_to_float(bits);
      }
      break;
    default:
      fail(ErrorKind::corrupt_input, "{}: tensor '{}' is {}, not a floating type", source_, tensor.name, dtype_name(tensor.dtype));
  }
  return out;
}

std::vector<std::uint8_t> serialize_safetensors(const std::vector<TensorToWrite>& tensors,
                                                const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& t : tensors) {
    std::int64_t numel = 1;
    for (auto d : t.shape) numel *= d;
    if (static_cast<std::uint64_t>(numel) * dtype_size(t.dtype) != t.data.size())
      fail(ErrorKind::internal, "safetensors writer: tensor '{}' has {} bytes, shape needs {}", t.name, t.data.size(), numel * dtype_size(t.dtype));
    if (header.contains(t.name)) fail(ErrorKind::internal, "safetensors writer: tensor '{}' given twice", t.name);
    header[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.data.size()}}};
    offset += t.data.size();
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');  // keep the data section 8-byte aligned
  std::vector<std::uint8_t> out;
  out.reserve(8 + text.size() + offset);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(text.size()) >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  for (const auto& t : tensors) out.insert(out.end(), t.data.begin(), t.data.end());
  return out;
}

void write_safetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  const auto bytes = serialize_safetensors(tensors, metadata);
  write_file_atomic(path, bytes);
}

}  // namespace tac::io
