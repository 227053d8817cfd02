#include "submission_script.hpp"

#include <sys/stat.h>

#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"

namespace tac::cli {

std::string inflate_script(const std::string& format) {
  return "#!/usr/bin/env bash\n"
         "# inflate.sh ARCHIVE_DIR OUTPUT_DIR NAMES_FILE — written by `tac submission init --format " + format + "`.\n"
         "# Runs tac-inflate (the light comma-lab runtime): $TAC_INFLATE if set, else tac-inflate on PATH.\n"
         "set -euo pipefail\n"
         "if [ \"$#\" -ne 3 ]; then echo \"usage: $0 ARCHIVE_DIR OUTPUT_DIR NAMES_FILE\" >&2; exit 2; fi\n"
         "if [ -n \"${TAC_INFLATE:-}\" ]; then\n"
         "  runtime=\"$TAC_INFLATE\"\n"
         "elif command -v tac-inflate >/dev/null 2>&1; then\n"
         "  runtime=tac-inflate\n"
         "else\n"
         "  echo \"inflate.sh: tac-inflate not found: put it on PATH or set TAC_INFLATE=/path/to/tac-inflate\" >&2\n"
         "  exit 1\n"
         "fi\n"
         "exec \"$runtime\" --format " + format + " \"$1\" \"$2\" \"$3\"\n";
}

void write_inflate_script(const std::filesystem::path& dir, const std::string& format) {
  const auto script = dir / "inflate.sh";
  tac::write_file_atomic(script, inflate_script(format));
  if (::chmod(script.c_str(), 0755) != 0) tac::fail(tac::ErrorKind::io, "{}: cannot make it executable", script.string());
}

}  // namespace tac::cli
