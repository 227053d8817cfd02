#pragma once
// The one exception type of tac: a message meant for a person, naming the file and the problem.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace tac {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

// errno as text, for messages about failed system calls.
std::string errno_text(int error_number);

}  // namespace tac
