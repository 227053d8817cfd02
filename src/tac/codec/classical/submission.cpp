#include "tac/codec/classical/submission.hpp"

#include <sys/stat.h>

#include <array>

#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/io/zip_writer.hpp"

namespace tac::codec::classical {
namespace {

// Single-quoted for bash: ' becomes '\''.
std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

constexpr std::array<const char*, 2> kOwnFiles{"archive.zip", "inflate.sh"};

}  // namespace

void check_output_dir(const std::filesystem::path& dir, bool force) {
  std::error_code ec;
  const auto status = std::filesystem::status(dir, ec);
  if (!std::filesystem::exists(status)) return;
  if (!std::filesystem::is_directory(status)) fail(ErrorKind::usage, "{}: exists and is not a directory", dir.string());
  if (force) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (name != kOwnFiles[0] && name != kOwnFiles[1]) {
      fail(ErrorKind::usage, "{}: directory already holds other files (for instance '{}'); choose an empty directory or pass --force",
           dir.string(), name);
    }
  }
}

std::string inflate_script_text(const std::filesystem::path& tac_inflate_hint, const std::string& description) {
  std::string hint = tac_inflate_hint.empty() ? "" : shell_quote(tac_inflate_hint.string());
  std::string text =
      "#!/usr/bin/env bash\n"
      "# Written by `tac compress` (" + description + ").\n"
      "# Upstream evaluate.sh contract: inflate.sh ARCHIVE_DIR OUTPUT_DIR NAMES_FILE rebuilds\n"
      "# OUTPUT_DIR/<name without extension>.raw for every name in NAMES_FILE. The work is done by\n"
      "# tac-inflate, comma-lab's light runtime (libav decode, contest-exact YUV->RGB, float32 bicubic\n"
      "# upscale to 874x1164; no libtorch). Set TAC_INFLATE to use another tac-inflate binary.\n"
      "set -euo pipefail\n"
      "if [ $# -ne 3 ]; then echo \"usage: $0 ARCHIVE_DIR OUTPUT_DIR NAMES_FILE\" >&2; exit 2; fi\n"
      "tac_inflate=\"${TAC_INFLATE:-}\"\n";
  if (!hint.empty()) text += "if [ -z \"$tac_inflate\" ] && [ -x " + hint + " ]; then tac_inflate=" + hint + "; fi\n";
  text +=
      "if [ -z \"$tac_inflate\" ]; then tac_inflate=\"$(command -v tac-inflate || true)\"; fi\n"
      "if [ -z \"$tac_inflate\" ]; then\n"
      "  echo \"inflate.sh: tac-inflate not found (build comma-lab, put tac-inflate on PATH or set TAC_INFLATE)\" >&2\n"
      "  exit 1\n"
      "fi\n"
      "mkdir -p \"$2\"\n"
      "exec \"$tac_inflate\" \"$1\" \"$2\" \"$3\"\n";
  return text;
}

SubmissionResult write_submission(const std::filesystem::path& video, const std::filesystem::path& dir,
                                  const SubmissionOptions& options) {
  check_output_dir(dir, options.force);
  std::error_code ec;
  const auto original_bytes = std::filesystem::file_size(video, ec);
  if (ec) fail(ErrorKind::io, "{}: cannot read: {}", video.string(), ec.message());
  if (original_bytes == 0) fail(ErrorKind::corrupt_input, "{}: empty file", video.string());

  SubmissionResult result;
  result.member = options.member.empty() ? video.stem().string() + ".mkv" : options.member;
  result.stream = compress_video(video, options.compress);
  const io::ZipEntry member{result.member, result.stream.bytes};
  const auto archive = io::zip_store(std::span(&member, 1));

  const auto& s = result.stream.settings;
  const std::string description = fmt::format("classical lane: {} {}x{}, {} frames", s.codec, s.width, s.height,
                                               result.stream.frames);
  std::filesystem::create_directories(dir, ec);
  if (ec) fail(ErrorKind::io, "{}: cannot create directory: {}", dir.string(), ec.message());
  result.archive = dir / "archive.zip";
  result.inflate_script = dir / "inflate.sh";
  write_file_atomic(result.archive, archive);
  write_file_atomic(result.inflate_script, inflate_script_text(options.tac_inflate_hint, description));
  if (::chmod(result.inflate_script.c_str(), 0755) != 0) fail(ErrorKind::io, "{}: cannot make executable", result.inflate_script.string());

  result.archive_bytes = archive.size();
  result.original_bytes = original_bytes;
  result.rate = static_cast<double>(result.archive_bytes) / static_cast<double>(original_bytes);
  result.rate_term = 25.0 * result.rate;
  return result;
}

}  // namespace tac::codec::classical
