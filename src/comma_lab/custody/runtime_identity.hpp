#pragma once
// Runtime identity of a submission (challenge_notes.md, "Custody and evidence"): the same archive
// bytes inflated by different code are a different claim, so a record names the runtime by a
// SHA-256 over a canonical listing of every runtime file — inflate.sh and everything shipped
// beside archive.zip.
//
// Runtime files: every file under SUBMISSION_DIR, recursively, except archive.zip itself and what
// evaluate.sh creates there (archive/, inflated/, report.txt). Symbolic links are listed, never
// followed (their target text is what gets hashed).
//
// Canonical listing, one line per file sorted by path bytes:
//   <sha256 hex> <size> <kind> <escaped relative path>\n
// kind is `f` (regular file) or `l` (symlink); the path uses '/' and escapes bytes < 0x21, 0x7f,
// '%' and bytes >= 0x80 as %XX so a line never breaks. runtime sha256 = SHA-256 of that text.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace comma_lab::custody {

struct RuntimeFile {
  std::string path;  // relative, '/'-separated, raw bytes (unescaped)
  std::uint64_t bytes = 0;
  std::string sha256;
  bool symlink = false;
};

struct RuntimeIdentity {
  std::vector<RuntimeFile> files;  // sorted by path
  std::string listing;             // the canonical text hashed below
  std::string sha256;
};

struct RuntimeLimits {
  std::size_t max_files = 10000;
  int max_depth = 32;
};

// True for paths (relative to the submission directory) that are not runtime files.
bool excluded_from_runtime(const std::filesystem::path& relative);

// Lists and hashes the runtime files. Fails (io) when the directory cannot be read, (usage) when
// it is not a directory, (limit_exceeded) past the limits.
RuntimeIdentity runtime_identity(const std::filesystem::path& submission_dir, const RuntimeLimits& limits = {});

std::string escape_path(const std::string& path);

// {"sha256": ..., "files": [{"path", "bytes", "sha256", "kind"}...]}: the `runtime` object of an
// evaluation record.
nlohmann::json to_json(const RuntimeIdentity& identity);

}  // namespace comma_lab::custody
