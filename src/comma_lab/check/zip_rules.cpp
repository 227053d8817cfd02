#include "comma_lab/check/zip_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "tac/core/error.hpp"
#include "tac/core/mapped_file.hpp"

namespace comma_lab::check {
namespace {

void add(Findings& out, std::string id, Severity s, std::string reason) {
  out.push_back({std::move(id), s, std::move(reason)});
}

// A name as printable text for reasons: control and non-ASCII bytes as \xNN.
std::string shown(const std::string& name) {
  std::string s;
  for (const unsigned char c : name) {
    if (c < 0x20 || c >= 0x7f) s += fmt::format("\\x{:02x}", c);
    else s += static_cast<char>(c);
  }
  return "'" + s + "'";
}

std::vector<std::string> components(const std::string& name) {
  std::vector<std::string> parts;
  std::string cur;
  for (const char c : name) {
    if (c == '/' || c == '\\') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0 || (n > 0 && i + n >= s.size())) return false;
    for (int k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n + 1;
  }
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void check_local(const CentralEntry& e, Findings& out) {
  const std::string n = shown(e.name);
  if (!e.local) {
    add(out, "zip.local-missing", Severity::error, fmt::format("member {}: local header at offset {}: {}", n, e.local_offset, e.local_error));
    return;
  }
  const auto& l = *e.local;
  if (l.name != e.name)
    add(out, "zip.local-name-mismatch", Severity::error,
        fmt::format("member {}: the local header names it {} (extractors disagree on which to use)", n, shown(l.name)));
  if (l.flags != e.flags)
    add(out, "zip.local-flags-mismatch", Severity::error,
        fmt::format("member {}: flags 0x{:04x} in the central directory, 0x{:04x} in the local header", n, e.flags, l.flags));
  if (l.method != e.method)
    add(out, "zip.local-method-mismatch", Severity::error,
        fmt::format("member {}: method {} in the central directory, {} in the local header", n, e.method, l.method));
  // With bit 3 the local CRC and sizes may be zero and the data descriptor carries them.
  const bool deferred = (l.flags & 0x8) && l.crc32 == 0 && l.compressed_size == 0 && l.uncompressed_size == 0;
  const std::uint32_t crc = deferred && e.descriptor ? e.descriptor->crc32 : l.crc32;
  const std::uint64_t csize = deferred && e.descriptor ? e.descriptor->compressed_size : l.compressed_size;
  const std::uint64_t usize = deferred && e.descriptor ? e.descriptor->uncompressed_size : l.uncompressed_size;
  if (deferred && !e.descriptor) return;
  if (crc != e.crc32)
    add(out, "zip.local-crc-mismatch", Severity::error,
        fmt::format("member {}: CRC-32 {:08x} in the central directory, {:08x} in the {}", n, e.crc32, crc,
                    deferred ? "data descriptor" : "local header"));
  if (csize != e.compressed_size || usize != e.uncompressed_size)
    add(out, "zip.local-size-mismatch", Severity::error,
        fmt::format("member {}: sizes {}/{} (compressed/uncompressed) in the central directory, {}/{} in the {}", n,
                    e.compressed_size, e.uncompressed_size, csize, usize, deferred ? "data descriptor" : "local header"));
}

void check_member(std::span<const std::uint8_t> bytes, const CentralEntry& e, const ZipLimits& limits, Findings& out) {
  const std::string n = shown(e.name);
  check_member_name(e.name, out);
  const bool directory = !e.name.empty() && e.name.back() == '/';
  if ((e.version_made_by >> 8) == 3 && ((e.external_attributes >> 16) & 0170000) == 0120000)
    add(out, "zip.symlink", Severity::error, fmt::format("member {} is a symbolic link (unzip would create it)", n));
  if (e.flags & 0x1) add(out, "zip.encrypted", Severity::error, fmt::format("member {} is encrypted", n));
  if (e.method != 0 && e.method != 8)
    add(out, "zip.unsupported-method", Severity::error, fmt::format("member {}: compression method {} (only stored and deflate)", n, e.method));
  const bool non_ascii = std::any_of(e.name.begin(), e.name.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  if (non_ascii && (!(e.flags & 0x800) || !valid_utf8(e.name)))
    add(out, "zip.name-encoding", Severity::warning,
        fmt::format("member {}: non-ASCII name {} (extractors may decode it differently)", n,
                    (e.flags & 0x800) ? "flagged UTF-8 but not valid UTF-8" : "without the UTF-8 flag"));
  check_local(e, out);
  if (e.method == 0 && e.compressed_size != e.uncompressed_size)
    add(out, "zip.stored-size-mismatch", Severity::error,
        fmt::format("member {}: stored, yet {} bytes stored and {} declared", n, e.compressed_size, e.uncompressed_size));
  if (e.uncompressed_size > limits.max_member_bytes)
    add(out, "zip.member-too-large", Severity::error,
        fmt::format("member {}: {} bytes uncompressed, limit {}", n, e.uncompressed_size, limits.max_member_bytes));
  const std::uint64_t c = std::max<std::uint64_t>(e.compressed_size, 1);
  if (e.uncompressed_size >= limits.ratio_min_bytes && e.uncompressed_size / c > limits.max_ratio)
    add(out, "zip.bomb-ratio", Severity::error,
        fmt::format("member {}: declares {} bytes from {} (ratio {}, limit {})", n, e.uncompressed_size, e.compressed_size,
                    e.uncompressed_size / c, limits.max_ratio));
  if (directory || !e.local || (e.flags & 0x1) || (e.method != 0 && e.method != 8)) return;
  // What the data really holds, never past the limit (a lying size cannot make us inflate a bomb).
  const auto data = read_member_data(bytes, e, std::min(e.uncompressed_size, limits.max_member_bytes));
  if (!data.error.empty()) {
    add(out, "zip.data-corrupt", Severity::error, fmt::format("member {}: {}", n, data.error));
  } else if (data.past_limit || data.uncompressed_size != e.uncompressed_size) {
    add(out, "zip.data-size-mismatch", Severity::error,
        fmt::format("member {}: declares {} bytes, its data holds {}{}", n, e.uncompressed_size,
                    data.past_limit ? "more" : std::to_string(data.uncompressed_size), data.past_limit ? " (stopped there)" : ""));
  } else if (data.crc32 != e.crc32) {
    add(out, "zip.data-crc-mismatch", Severity::error,
        fmt::format("member {}: CRC-32 of its data is {:08x}, declared {:08x}", n, data.crc32, e.crc32));
  }
}

// Bytes that belong to no member, overlapping members (the "overlapping files" zip bomb).
void check_layout(const ZipInspection& z, Findings& out) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
  for (const auto& e : z.entries)
    if (e.local) spans.emplace_back(e.local_offset, e.data_end);
  std::sort(spans.begin(), spans.end());
  std::uint64_t covered = 0, cursor = 0;
  bool overlap = false;
  for (const auto& [b, e] : spans) {
    if (b < cursor) overlap = true;
    covered += e - std::min(e, std::max(b, cursor));
    cursor = std::max(cursor, e);
  }
  if (overlap || cursor > z.cd_offset)
    add(out, "zip.overlapping-members", Severity::error,
        "members share bytes (each other's or the central directory's): a zip-bomb construction");
  const std::uint64_t accounted = covered + z.cd_size + (z.file_size - z.eocd_offset);
  if (!overlap && accounted < z.file_size)
    add(out, "zip.unaccounted-bytes", Severity::warning,
        fmt::format("{} bytes belong to no member, the central directory or the end record (hidden data?)", z.file_size - accounted));
}

}  // namespace

void check_member_name(const std::string& name, Findings& out) {
  const std::string n = shown(name);
  if (name.empty()) {
    add(out, "zip.empty-name", Severity::error, "a member has an empty name");
    return;
  }
  if (name.front() == '/') add(out, "zip.absolute-path", Severity::error, fmt::format("member {} is an absolute path", n));
  if (name.find('\\') != std::string::npos)
    add(out, "zip.backslash", Severity::error, fmt::format("member {} contains a backslash (a path separator on Windows)", n));
  if (name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) && name[1] == ':')
    add(out, "zip.drive-letter", Severity::error, fmt::format("member {} starts with a drive letter", n));
  if (std::any_of(name.begin(), name.end(), [](char c) { const auto u = static_cast<unsigned char>(c); return u < 0x20 || u == 0x7f; }))
    add(out, "zip.control-char", Severity::error, fmt::format("member {} contains control characters", n));
  const auto parts = components(name);
  bool hidden = false, parent = false, mac = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    if (p == "..") parent = true;
    else if (p.size() > 1 && p[0] == '.') hidden = true;
    if (p == "__MACOSX" || p == ".DS_Store" || (p.size() > 2 && p.compare(0, 2, "._") == 0)) mac = true;
  }
  if (parent) add(out, "zip.parent-dir", Severity::error, fmt::format("member {} has a '..' component (escapes the directory)", n));
  if (mac) add(out, "zip.macos-metadata", Severity::error, fmt::format("member {} is macOS metadata (__MACOSX, ._*, .DS_Store): bytes charged for nothing", n));
  if (hidden) add(out, "zip.hidden-file", Severity::error, fmt::format("member {} is hidden (a component starts with '.')", n));
}

Findings check_zip_bytes(std::span<const std::uint8_t> bytes, const std::string& label, const ZipLimits& limits) {
  Findings out;
  if (bytes.size() > limits.max_archive_bytes)
    add(out, "zip.archive-too-large", Severity::error,
        fmt::format("{}: {} bytes, limit {} (the original video is 37,545,489)", label, bytes.size(), limits.max_archive_bytes));
  ZipInspection z;
  try {
    z = inspect_zip(bytes, label, limits.max_members);
  } catch (const tac::Error& e) {
    add(out, e.kind() == tac::ErrorKind::limit_exceeded ? "zip.too-many-members" : "zip.malformed", Severity::error, e.what());
    return out;
  }
  if (z.multi_disk) add(out, "zip.multi-disk", Severity::error, fmt::format("{}: split across disks", label));
  if (z.zip64) add(out, "zip.zip64", Severity::error, fmt::format("{}: zip64 records (not needed for a contest archive)", label));
  if (z.declared_entries != z.entries.size())
    add(out, "zip.entry-count-mismatch", Severity::error,
        fmt::format("{}: the end record counts {} entries, the central directory holds {}", label, z.declared_entries, z.entries.size()));
  if (z.entries.empty()) add(out, "zip.empty", Severity::error, fmt::format("{}: no members", label));
  if (!z.comment.empty())
    add(out, "zip.comment", Severity::warning, fmt::format("{}: a {}-byte archive comment (charged, carries nothing inflate may use)", label, z.comment.size()));
  std::map<std::string, std::string> seen;  // lower-case name -> name
  std::uint64_t total = 0;
  for (const auto& e : z.entries) {
    check_member(bytes, e, limits, out);
    total += e.uncompressed_size;
    const auto [it, fresh] = seen.emplace(lower(e.name), e.name);
    if (!fresh)
      add(out, "zip.duplicate-name", Severity::error,
          it->second == e.name ? fmt::format("member {} appears more than once", shown(e.name))
                               : fmt::format("members {} and {} differ only in case", shown(it->second), shown(e.name)));
  }
  if (total > limits.max_total_bytes)
    add(out, "zip.total-too-large", Severity::error, fmt::format("{}: {} bytes uncompressed in all, limit {}", label, total, limits.max_total_bytes));
  check_layout(z, out);
  return out;
}

Findings check_zip_file(const std::filesystem::path& path, const ZipLimits& limits) {
  const tac::MappedFile file(path);
  return check_zip_bytes(file.bytes(), path.string(), limits);
}

}  // namespace comma_lab::check
