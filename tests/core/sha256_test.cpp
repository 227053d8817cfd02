#include "tac/core/sha256.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {
std::span<const std::uint8_t> as_bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST(Sha256, KnownAnswerVectors) {
  // FIPS 180-2 example messages.
  EXPECT_EQ(tac::sha256_hex(as_bytes("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(tac::sha256_hex(as_bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  std::vector<std::uint8_t> data(100000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 3);
  tac::Sha256 h;
  h.update(std::span(data).subspan(0, 12345));
  h.update(std::span(data).subspan(12345));
  EXPECT_EQ(tac::to_hex(h.finish()), tac::sha256_hex(data));
}
