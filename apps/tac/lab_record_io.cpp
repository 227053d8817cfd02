#include "lab_record_io.hpp"

#include <fstream>
#include <iterator>

#include "tac/core/error.hpp"

namespace tac::cli {

nlohmann::json read_record_file(const std::filesystem::path& path) {
  constexpr std::uintmax_t kMaxRecordBytes = 256ull << 20;  // 600 samples are ~100 KB; leave room
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail(ErrorKind::io, "{}: cannot read the record: {}", path.string(), ec.message());
  if (size > kMaxRecordBytes) fail(ErrorKind::limit_exceeded, "{}: {} bytes, more than a record may be ({})", path.string(), size, kMaxRecordBytes);
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail(ErrorKind::corrupt_input, "{}: not JSON: {}", path.string(), e.what());
  }
}

}  // namespace tac::cli
