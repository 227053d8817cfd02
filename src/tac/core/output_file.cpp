#include "tac/core/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "tac/core/error.hpp"

namespace tac {

OutputFile::OutputFile(std::filesystem::path final_path) : final_path_(std::move(final_path)) {
  const auto dir = final_path_.parent_path().empty() ? std::filesystem::path(".") : final_path_.parent_path();
  if (!std::filesystem::is_directory(dir)) fail(ErrorKind::io, "{}: output directory {} does not exist", final_path_.string(), dir.string());
  temp_path_ = dir / fmt::format(".{}.partial-{}", final_path_.filename().string(), ::getpid());
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(ErrorKind::io, "{}: cannot create: {}", final_path_.string(), errno_text(errno));
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temp_path_, ignored);
  }
}

void OutputFile::write(std::span<const std::uint8_t> bytes) {
  const std::uint8_t* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(ErrorKind::io, "{}: write failed after {} bytes: {}", final_path_.string(), written_, errno_text(errno));
    }
    data += n;
    left -= static_cast<std::size_t>(n);
    written_ += static_cast<std::uint64_t>(n);
  }
}

void OutputFile::write(std::string_view text) {
  write(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void OutputFile::commit() {
  if (committed_) return;
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail(ErrorKind::io, "{}: close failed: {}", final_path_.string(), errno_text(errno));
  }
  fd_ = -1;
  std::error_code ec;
  if (scratch_ && std::filesystem::is_regular_file(std::filesystem::symlink_status(final_path_, ec)))
    std::filesystem::remove(final_path_, ec);  // a failure here only means rename replaces it
  std::filesystem::rename(temp_path_, final_path_, ec);
  if (ec) fail(ErrorKind::io, "{}: cannot move into place: {}", final_path_.string(), ec.message());
  committed_ = true;
}

void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  OutputFile out(path);
  out.write(bytes);
  out.commit();
}

void write_file_atomic(const std::filesystem::path& path, std::string_view text) {
  OutputFile out(path);
  out.write(text);
  out.commit();
}

}  // namespace tac
