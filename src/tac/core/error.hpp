#pragma once
// The one exception type of tac: a message meant for a person, naming the file and the problem,
// and a kind that says whose problem it is. The kind decides the process exit code, in one place
// (exit_code below), and tests assert the kind rather than the phrase (zstd's error_private.h).
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace tac {

enum class ErrorKind {
  usage,           // the caller asked for something impossible: bad option, missing argument
  corrupt_input,   // outside bytes that do not parse: truncated, inconsistent, unknown format
  limit_exceeded,  // well-formed input past a size or count limit (hostile-input caps)
  io,              // the system said no: open, read, write, rename, spawn failed
  internal,        // a bug or an unexpected state inside tac
};

std::string_view kind_name(ErrorKind kind);
// Process exit status for an error of this kind (every CLI maps errors through this):
// usage 2, corrupt input 3, limit exceeded 4, I/O 5, internal 70 (sysexits' EX_SOFTWARE).
int exit_code(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

template <typename... Args>
[[noreturn]] void fail(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(kind, fmt::format(format, std::forward<Args>(args)...));
}

// errno as text, for messages about failed system calls.
std::string errno_text(int error_number);

}  // namespace tac
