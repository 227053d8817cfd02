#include "tac/core/error.hpp"

#include <cstring>

namespace tac {

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return "usage";
    case ErrorKind::corrupt_input: return "corrupt input";
    case ErrorKind::limit_exceeded: return "limit exceeded";
    case ErrorKind::io: return "I/O";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return 2;
    case ErrorKind::corrupt_input: return 3;
    case ErrorKind::limit_exceeded: return 4;
    case ErrorKind::io: return 5;
    case ErrorKind::internal: return 70;
  }
  return 70;
}

std::string errno_text(int error_number) {
  char buffer[256];
  // GNU strerror_r returns the message pointer (may not use buffer).
  return std::string(strerror_r(error_number, buffer, sizeof buffer));
}

}  // namespace tac
