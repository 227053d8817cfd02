#pragma once
// Asserting errors by kind (tac::ErrorKind) rather than by phrase: the kind is the contract,
// the wording is for people. A message is still checked where it must name the file.
#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <ostream>

#include "tac/core/error.hpp"

namespace tac {
// gtest prints a kind by name.
inline void PrintTo(ErrorKind kind, std::ostream* os) { *os << kind_name(kind); }
}  // namespace tac

namespace tac::test {

// The tac::Error that `f` throws, or nullopt when it returns (other exceptions propagate).
template <typename F>
std::optional<Error> error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

// The kind of the tac::Error that `f` throws; `internal` when it returns (so an EXPECT_EQ against
// the expected kind fails), for tests that compare many kinds in a table.
template <typename F>
ErrorKind kind_of(F&& f) {
  const auto e = error_of(std::forward<F>(f));
  return e ? e->kind() : ErrorKind::internal;
}

}  // namespace tac::test

// Expects `statement` to throw a tac::Error of kind `expected` (reporting its message otherwise).
#define EXPECT_TAC_ERROR(statement, expected)                                                \
  do {                                                                                     \
    const auto tac_error_ = ::tac::test::error_of([&] { (void)(statement); });             \
    if (!tac_error_) {                                                                     \
      ADD_FAILURE() << #statement << " did not throw a tac::Error";                       \
    } else {                                                                               \
      EXPECT_EQ(tac_error_->kind(), expected) << #statement << ": " << tac_error_->what();\
    }                                                                                      \
  } while (0)
