#pragma once
// safetensors: u64 little-endian header length, JSON header, raw little-endian tensor data.
// The reader treats the bytes as hostile: every size and offset is checked before use.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tac/core/mapped_file.hpp"

namespace tac::io {

enum class DType { F32, F16, BF16, F64, I64, I32, I8, U8, BOOL };

std::string_view dtype_name(DType dtype);
std::optional<DType> dtype_from_name(std::string_view name);
std::size_t dtype_size(DType dtype);

struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  std::int64_t numel = 0;
  std::span<const std::uint8_t> data;  // little-endian, not necessarily aligned
};

// Largest header accepted (the reference implementation's limit).
inline constexpr std::uint64_t kMaxSafetensorsHeader = 100'000'000;

class Safetensors {
 public:
  // Parses bytes owned by the caller (kept alive while the result is used); `source` names them in errors.
  static Safetensors parse(std::span<const std::uint8_t> bytes, std::string source);
  // Maps a file and parses it; the result owns the map.
  static Safetensors open(const std::filesystem::path& path);

  const std::vector<TensorView>& tensors() const { return tensors_; }  // in data-offset order
  const TensorView* find(std::string_view name) const;
  const TensorView& at(std::string_view name) const;  // throws naming the file and the key
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::string& source() const { return source_; }

  // Copies a floating tensor (F32, F16, BF16, F64) out as float32 values.
  std::vector<float> to_float32(const TensorView& tensor) const;
  std::vector<float> to_float32(std::string_view name) const { return to_float32(at(name)); }

 private:
  std::string source_;
  std::shared_ptr<MappedFile> map_;
  std::vector<TensorView> tensors_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::map<std::string, std::string> metadata_;
};

struct TensorToWrite {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  std::span<const std::uint8_t> data;
};

std::vector<std::uint8_t> serialize_safetensors(const std::vector<TensorToWrite>& tensors,
                                                const std::map<std::string, std::string>& metadata = {});
// Writes atomically (temporary file + rename).
void write_safetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

float half_to_float(std::uint16_t bits);
float bfloat16_to_float(std::uint16_t bits);

}  // namespace tac::io
