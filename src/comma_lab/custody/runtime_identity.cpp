#include "comma_lab/custody/runtime_identity.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <span>

#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"

namespace comma_lab::custody {
namespace fs = std::filesystem;
using tac::ErrorKind;
using tac::fail;

bool excluded_from_runtime(const fs::path& relative) {
  const auto first = relative.begin() == relative.end() ? std::string() : relative.begin()->string();
  const bool top_level = std::distance(relative.begin(), relative.end()) == 1;
  if (first == "archive" || first == "inflated") return true;  // evaluate.sh's unzip and output dirs
  return top_level && (first == "archive.zip" || first == "report.txt");
}

std::string escape_path(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (const unsigned char c : path) {
    if (c < 0x21 || c == 0x7f || c == '%' || c >= 0x80) out += fmt::format("%{:02X}", c);
    else out += static_cast<char>(c);
  }
  return out;
}

namespace {

RuntimeFile hash_entry(const fs::path& full, const fs::path& relative, const fs::file_status& status) {
  RuntimeFile f;
  f.path = relative.generic_string();
  if (fs::is_symlink(status)) {
    std::error_code ec;
    const std::string target = fs::read_symlink(full, ec).string();
    if (ec) fail(ErrorKind::io, "{}: cannot read symlink: {}", full.string(), ec.message());
    f.symlink = true;
    f.bytes = target.size();
    f.sha256 = tac::sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(target.data()), target.size()));
  } else {
    std::error_code ec;
    f.bytes = fs::file_size(full, ec);
    if (ec) fail(ErrorKind::io, "{}: cannot stat: {}", full.string(), ec.message());
    if (::access(full.c_str(), R_OK) != 0) fail(ErrorKind::io, "{}: not readable", full.string());
    f.sha256 = tac::sha256_file_hex(full);
  }
  return f;
}

}  // namespace

RuntimeIdentity runtime_identity(const fs::path& submission_dir, const RuntimeLimits& limits) {
  std::error_code ec;
  if (!fs::is_directory(submission_dir, ec))
    fail(ErrorKind::usage, "{}: not a submission directory", submission_dir.string());
  RuntimeIdentity id;
  fs::recursive_directory_iterator it(submission_dir, fs::directory_options::none, ec), end;
  if (ec) fail(ErrorKind::io, "{}: cannot list: {}", submission_dir.string(), ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) fail(ErrorKind::io, "{}: cannot list: {}", submission_dir.string(), ec.message());
    const fs::path relative = it->path().lexically_relative(submission_dir);
    const auto status = it->symlink_status(ec);
    if (ec) fail(ErrorKind::io, "{}: cannot stat: {}", it->path().string(), ec.message());
    if (excluded_from_runtime(relative)) {
      if (fs::is_directory(status)) it.disable_recursion_pending();
      continue;
    }
    if (it.depth() >= limits.max_depth)
      fail(ErrorKind::limit_exceeded, "{}: runtime files nested deeper than {} levels", submission_dir.string(),
           limits.max_depth);
    if (fs::is_directory(status)) continue;  // directories are implied by their files
    if (!fs::is_regular_file(status) && !fs::is_symlink(status))
      fail(ErrorKind::corrupt_input, "{}: not a regular file or symlink (device, socket or fifo)", it->path().string());
    if (id.files.size() >= limits.max_files)
      fail(ErrorKind::limit_exceeded, "{}: more than {} runtime files", submission_dir.string(), limits.max_files);
    id.files.push_back(hash_entry(it->path(), relative, status));
  }
  std::sort(id.files.begin(), id.files.end(), [](const RuntimeFile& a, const RuntimeFile& b) { return a.path < b.path; });
  for (const auto& f : id.files)
    id.listing += fmt::format("{} {} {} {}\n", f.sha256, f.bytes, f.symlink ? 'l' : 'f', escape_path(f.path));
  id.sha256 = tac::sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(id.listing.data()), id.listing.size()));
  return id;
}

nlohmann::json to_json(const RuntimeIdentity& identity) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : identity.files)
    files.push_back({{"path", escape_path(f.path)}, {"bytes", f.bytes}, {"sha256", f.sha256}, {"kind", f.symlink ? "symlink" : "file"}});
  return {{"sha256", identity.sha256}, {"scheme", "comma_lab runtime v1"}, {"files", files}};
}

}  // namespace comma_lab::custody
