#pragma once
// An output file that appears under its final name only when complete: bytes go to a hidden
// temporary beside the target, commit() renames it into place, and destruction without commit()
// removes the temporary. No partial output is ever left behind.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

namespace tac {

class OutputFile {
 public:
  explicit OutputFile(std::filesystem::path final_path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::span<const std::uint8_t> bytes);
  void write(std::string_view text);
  std::uint64_t bytes_written() const { return written_; }
  void commit();
  const std::filesystem::path& path() const { return final_path_; }

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  std::uint64_t written_ = 0;
  bool committed_ = false;
};

// Writes a whole file atomically (temporary + rename).
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
void write_file_atomic(const std::filesystem::path& path, std::string_view text);

}  // namespace tac
