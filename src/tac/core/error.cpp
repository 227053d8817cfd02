#include "tac/core/error.hpp"

#include <cstring>

namespace tac {

std::string errno_text(int error_number) {
  char buffer[256];
  // GNU strerror_r returns the message pointer (may not use buffer).
  return std::string(strerror_r(error_number, buffer, sizeof buffer));
}

}  // namespace tac
