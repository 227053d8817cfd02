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
  // For large scratch outputs (.raw frames): commit() removes an existing regular file at the
  // final path before renaming, instead of renaming over it. Renaming over a file makes ext4
  // (auto_da_alloc) flush the new file's data at once, ~0.5 s for a 1 GB .raw; durability across
  // a power cut is not worth that for frames that can be rebuilt. The output still appears only
  // when complete; the old file is gone only once the new one is ready.
  void set_scratch(bool scratch) { scratch_ = scratch; }
  const std::filesystem::path& path() const { return final_path_; }

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  std::uint64_t written_ = 0;
  bool committed_ = false;
  bool scratch_ = false;
};

// Writes a whole file atomically (temporary + rename).
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
void write_file_atomic(const std::filesystem::path& path, std::string_view text);

}  // namespace tac
