#include "comma_lab/check/runtime_rules.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <set>

#include "comma_lab/custody/runtime_identity.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"

namespace comma_lab::check {
namespace {

struct Pattern {
  const char* id;
  const char* needle;  // lower case, single spaces; matched on word boundaries
  const char* what;
};

// Each needle is matched in lower-cased lines with runs of blanks collapsed to one space; a
// command needle ends in a space (a command with arguments, not the word in prose).
constexpr std::array kPatterns{
    Pattern{"runtime.network", "curl ", "downloads with curl"},
    Pattern{"runtime.network", "wget ", "downloads with wget"},
    Pattern{"runtime.network", "http://", "names an http URL"},
    Pattern{"runtime.network", "https://", "names an https URL"},
    Pattern{"runtime.network", "ftp://", "names an ftp URL"},
    Pattern{"runtime.network", "/dev/tcp/", "opens a bash network socket"},
    Pattern{"runtime.network", "urllib", "uses urllib"},
    Pattern{"runtime.network", "urlopen", "opens a URL"},
    Pattern{"runtime.network", "import requests", "imports requests"},
    Pattern{"runtime.network", "requests.get", "fetches with requests"},
    Pattern{"runtime.network", "import socket", "imports socket"},
    Pattern{"runtime.network", "sys/socket.h", "includes sys/socket.h"},
    Pattern{"runtime.network", "git clone", "clones a repository"},
    Pattern{"runtime.network", "git fetch", "fetches a repository"},
    Pattern{"runtime.network", "netcat ", "runs netcat"},
    Pattern{"runtime.network", "scp ", "copies with scp"},
    Pattern{"runtime.network", "rsync ", "copies with rsync"},
    Pattern{"runtime.network", "hf_hub_download", "downloads from the Hugging Face hub"},
    Pattern{"runtime.network", "snapshot_download", "downloads from the Hugging Face hub"},
    Pattern{"runtime.network", "torch.hub", "downloads through torch.hub"},
    Pattern{"runtime.package-install", "pip install", "installs Python packages"},
    Pattern{"runtime.package-install", "pip3 install", "installs Python packages"},
    Pattern{"runtime.package-install", "-m pip", "runs pip"},
    Pattern{"runtime.package-install", "uv pip", "installs Python packages"},
    Pattern{"runtime.package-install", "uv add", "installs Python packages"},
    Pattern{"runtime.package-install", "conda install", "installs conda packages"},
    Pattern{"runtime.package-install", "mamba install", "installs conda packages"},
    Pattern{"runtime.package-install", "apt-get install", "installs system packages"},
    Pattern{"runtime.package-install", "apt install", "installs system packages"},
    Pattern{"runtime.package-install", "dnf install", "installs system packages"},
    Pattern{"runtime.package-install", "yum install", "installs system packages"},
    Pattern{"runtime.package-install", "apk add", "installs system packages"},
    Pattern{"runtime.package-install", "npm install", "installs npm packages"},
    Pattern{"runtime.package-install", "cargo install", "installs Rust crates"},
    Pattern{"runtime.package-install", "go install", "installs Go modules"},
    Pattern{"runtime.package-install", "easy_install", "installs Python packages"},
    Pattern{"runtime.reads-original", "videos/", "names the original-video directory"},
    Pattern{"runtime.reads-original", "uncompressed_dir", "names the original-video directory"},
    Pattern{"runtime.reads-original", "uncompressed-dir", "names the original-video directory"},
    Pattern{"runtime.reads-original", "comma2k19", "names the source dataset"},
    Pattern{"runtime.reads-original", "b0c9d2329ad1606b", "names the contest video's segment"},
    Pattern{"runtime.reads-original", tac::contest::kVideoSha256.data(), "names the contest video's SHA-256"},
    Pattern{"runtime.reads-scorer", "segnet.safetensors", "names the scorer's SegNet weights"},
    Pattern{"runtime.reads-scorer", "posenet.safetensors", "names the scorer's PoseNet weights"},
    Pattern{"runtime.reads-scorer", "from modules import", "imports the scorer's modules.py"},
    Pattern{"runtime.reads-scorer", tac::contest::kSegnetSha256.data(), "names the SegNet weights' SHA-256"},
    Pattern{"runtime.reads-scorer", tac::contest::kPosenetSha256.data(), "names the PoseNet weights' SHA-256"},
    Pattern{"runtime.external-runtime", "tac-inflate", "runs tac-inflate, which is not shipped in the submission"},
};

bool ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool find_word(std::string_view line, std::string_view needle) {
  for (std::size_t at = line.find(needle); at != std::string_view::npos; at = line.find(needle, at + 1)) {
    const bool left = at == 0 || !ident(needle.front()) || !ident(line[at - 1]);
    const std::size_t end = at + needle.size();
    const bool right = end == line.size() || !ident(needle.back()) || !ident(line[end]);
    if (left && right) return true;
  }
  return false;
}

std::string normalized(std::string_view line) {
  std::string s;
  for (const char c : line) {
    const bool blank = c == ' ' || c == '\t';
    if (blank && (s.empty() || s.back() == ' ')) continue;
    s += blank ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

bool base64_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=' || c == '-' || c == '_'; }
bool graph_char(char c) { return c > ' ' && c < 0x7f; }

void scan_patterns(std::string_view text, const std::string& file, Findings& out) {
  std::set<std::string> reported;  // one finding per (id, what) per file
  std::size_t line_no = 0;
  for (std::size_t begin = 0; begin < text.size();) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    ++line_no;
    const std::string line = normalized(text.substr(begin, end - begin));
    for (const auto& p : kPatterns) {
      if (!find_word(line, p.needle)) continue;
      if (!reported.insert(std::string(p.id) + p.what).second) continue;
      const bool contest_only = std::string_view(p.id) == "runtime.external-runtime";
      out.push_back({p.id, contest_only ? Severity::warning : Severity::error,
                     fmt::format("{}:{}: {} ('{}')", file, line_no, p.what, p.needle)});
    }
    begin = end + 1;
  }
}

// Long encoded runs: hex, base64 (with the URL-safe alphabet) and base85-like printable noise.
void scan_encoded(std::string_view text, const std::string& file, const PayloadLimits& limits, Findings& out) {
  std::size_t total = 0, longest = 0;
  const char* kind = nullptr;
  auto consider = [&](std::size_t len, const char* k) {
    if (len >= 64) total += len;
    if (len > limits.max_encoded_run && len > longest) {
      longest = len;
      kind = k;
    }
  };
  for (std::size_t i = 0; i < text.size();) {
    if (!graph_char(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    std::set<char> distinct;
    while (j < text.size() && graph_char(text[j])) {
      if (distinct.size() < 64) distinct.insert(text[j]);
      ++j;
    }
    // Base64 stretches inside the printable run (a blob sits between quotes or brackets).
    bool stretch_found = false;
    for (std::size_t k = i; k < j;) {
      if (!base64_char(text[k])) {
        ++k;
        continue;
      }
      std::size_t e = k;
      bool hex = true;
      for (; e < j && base64_char(text[e]); ++e) hex = hex && std::isxdigit(static_cast<unsigned char>(text[e]));
      if (e - k >= 64) {
        consider(e - k, hex ? "hex" : "base64");
        stretch_found = true;
      }
      k = e;
    }
    if (!stretch_found && distinct.size() >= 50) consider(j - i, "base85");
    i = j;
  }
  if (kind)
    out.push_back({std::string("runtime.payload-") + kind, Severity::error,
                   fmt::format("{}: a {}-character {} literal (payload must be inside archive.zip)", file, longest, kind)});
  else if (total > limits.max_encoded_total)
    out.push_back({"runtime.payload-encoded", Severity::error,
                   fmt::format("{}: {} characters of encoded-looking literals in all (payload must be inside archive.zip)", file, total)});
}

// Numbers separated only by commas, blanks and brackets: an array literal.
void scan_numeric(std::string_view text, const std::string& file, const PayloadLimits& limits, Findings& out) {
  std::size_t run = 0, longest = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const bool starts_number = std::isdigit(static_cast<unsigned char>(c)) ||
                               ((c == '-' || c == '+' || c == '.') && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])));
    if (starts_number && (i == 0 || !ident(text[i - 1]))) {
      std::size_t j = i + 1;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '.' ||
                                 ((text[j] == '-' || text[j] == '+') && (text[j - 1] == 'e' || text[j - 1] == 'E'))))
        ++j;
      ++run;
      longest = std::max(longest, run);
      i = j;
    } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '[' || c == ']' || c == '{' || c == '}' ||
               c == '(' || c == ')' || c == ';') {
      ++i;
    } else {
      run = 0;
      ++i;
    }
  }
  if (longest > limits.max_numeric_run)
    out.push_back({"runtime.payload-numeric-array", Severity::error,
                   fmt::format("{}: an array literal of {} numbers (payload must be inside archive.zip)", file, longest)});
}

void scan_escapes(std::string_view text, const std::string& file, const PayloadLimits& limits, Findings& out) {
  std::size_t run = 0, longest = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (i + 3 < text.size() && text[i] == '\\' && text[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(text[i + 2])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 3]))) {
      longest = std::max(longest, ++run);
      i += 4;
    } else {
      run = 0;
      ++i;
    }
  }
  if (longest > limits.max_escape_run)
    out.push_back({"runtime.payload-escaped-bytes", Severity::error,
                   fmt::format("{}: a string of {} \\xNN escapes (payload must be inside archive.zip)", file, longest)});
}

bool looks_binary(std::string_view text) {
  const auto head = text.substr(0, 65536);
  return head.find('\0') != std::string_view::npos || head.starts_with("\x7f" "ELF");
}

}  // namespace

void scan_runtime_text(std::string_view text, const std::string& file, const PayloadLimits& limits, Findings& out) {
  scan_patterns(text, file, out);
  if (looks_binary(text)) return;  // payload rules are about literals in code
  scan_encoded(text, file, limits, out);
  scan_numeric(text, file, limits, out);
  scan_escapes(text, file, limits, out);
}

Findings check_runtime(const std::filesystem::path& dir, const RuntimeCheckOptions& options) {
  Findings out;
  const auto script = dir / "inflate.sh";
  struct stat st{};
  if (::lstat(script.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    out.push_back({"runtime.inflate-missing", Severity::error, fmt::format("{}: no inflate.sh (a regular file) in the submission", dir.string())});
  } else if ((st.st_mode & S_IXUSR) == 0) {
    out.push_back({"runtime.inflate-not-executable", Severity::warning,
                   fmt::format("{}: not executable (evaluate.sh runs it with bash, a person may not)", script.string())});
  }
  if (!std::filesystem::is_regular_file(dir / "archive.zip"))
    out.push_back({"runtime.archive-missing", Severity::error, fmt::format("{}: no archive.zip", dir.string())});
  const auto identity = custody::runtime_identity(dir);
  for (const auto& f : identity.files) {
    if (f.symlink) {
      out.push_back({"runtime.symlink", Severity::error, fmt::format("{}: a symbolic link (runtime files must be shipped, not pointed to)", f.path)});
      continue;
    }
    if (f.bytes > options.payload.max_scanned_bytes) {
      out.push_back({"runtime.large-file", options.contest_final ? Severity::error : Severity::warning,
                     fmt::format("{}: {} bytes beside archive.zip, too large to be code (sidecar data must be inside the zip)", f.path, f.bytes)});
      continue;
    }
    std::ifstream in(dir / f.path, std::ios::binary);
    std::string text(f.bytes, '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(text.size())))
      tac::fail(tac::ErrorKind::io, "{}: cannot read", (dir / f.path).string());
    Findings found;
    scan_runtime_text(text, f.path, options.payload, found);
    if (looks_binary(text))
      found.push_back({"runtime.binary-file", options.contest_final ? Severity::error : Severity::warning,
                       fmt::format("{}: a binary file beside archive.zip (sidecar data must be inside the zip)", f.path)});
    for (auto& x : found) {
      if (x.id == "runtime.external-runtime" && options.contest_final) x.severity = Severity::error;
      out.push_back(std::move(x));
    }
  }
  return out;
}

}  // namespace comma_lab::check
