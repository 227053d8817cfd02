// Hostile safetensors inputs: each must be rejected with a clear message, never a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/error_kind.hpp"
#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

namespace {

std::vector<std::uint8_t> file_with_header(const std::string& header, std::size_t data_bytes, std::uint64_t declared_len = 0) {
  const std::uint64_t len = declared_len != 0 ? declared_len : header.size();
  std::vector<std::uint8_t> out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(len >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + data_bytes, 0);
  return out;
}

struct Case {
  const char* label;
  std::vector<std::uint8_t> bytes;
  tac::ErrorKind expected_kind;
};

std::vector<Case> malformed_cases() {
  const std::string good = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::vector<Case> cases;
  cases.push_back({"empty file", {}, tac::ErrorKind::corrupt_input});
  cases.push_back({"truncated length", {1, 2, 3}, tac::ErrorKind::corrupt_input});
  cases.push_back({"header length past end", file_with_header(good, 8, 5000), tac::ErrorKind::corrupt_input});
  cases.push_back({"huge header length", file_with_header(good, 8, 1ull << 62), tac::ErrorKind::limit_exceeded});
  cases.push_back({"bad JSON", file_with_header(R"({"a":{"dtype":"F32",)", 8), tac::ErrorKind::corrupt_input});
  cases.push_back({"not an object", file_with_header("[1,2,3]", 0), tac::ErrorKind::corrupt_input});
  cases.push_back({"offsets out of range",
                   file_with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", 8), tac::ErrorKind::corrupt_input});
  cases.push_back({"wrong size for dtype",
                   file_with_header(R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})", 8), tac::ErrorKind::corrupt_input});
  cases.push_back({"overlapping tensors",
                   file_with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                    R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                    8),
                   tac::ErrorKind::corrupt_input});
  cases.push_back({"gap between tensors",
                   file_with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), tac::ErrorKind::corrupt_input});
  cases.push_back({"unknown dtype", file_with_header(R"({"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}})", 16),
                   tac::ErrorKind::corrupt_input});
  cases.push_back({"negative dim", file_with_header(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1),
                   tac::ErrorKind::corrupt_input});
  cases.push_back({"backwards offsets", file_with_header(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})", 4),
                   tac::ErrorKind::corrupt_input});
  cases.push_back({"shape overflow",
                   file_with_header(R"({"a":{"dtype":"U8","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,1]}})", 1),
                   tac::ErrorKind::corrupt_input});
  cases.push_back({"duplicate key",
                   file_with_header(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})", 2),
                   tac::ErrorKind::corrupt_input});
  cases.push_back({"deep nesting", file_with_header(std::string(100000, '[') + std::string(100000, ']'), 0), tac::ErrorKind::limit_exceeded});
  cases.push_back({"metadata not strings", file_with_header(R"({"__metadata__":{"k":1}})", 0), tac::ErrorKind::corrupt_input});
  cases.push_back({"trailing undescribed data", file_with_header(good, 12), tac::ErrorKind::corrupt_input});
  cases.push_back({"missing offsets", file_with_header(R"({"a":{"dtype":"U8","shape":[1]}})", 1), tac::ErrorKind::corrupt_input});
  return cases;
}

}  // namespace

TEST(SafetensorsMalformed, EveryCaseRejectedWithAClearMessage) {
  const auto cases = malformed_cases();
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    try {
      (void)tac::io::Safetensors::parse(c.bytes, "hostile.safetensors");
      ADD_FAILURE() << c.label << ": accepted";
    } catch (const tac::Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("hostile.safetensors"), std::string::npos) << c.label << ": " << msg;
      EXPECT_EQ(e.kind(), c.expected_kind) << c.label << ": " << msg;
    }
  }
}

TEST(SafetensorsMalformed, EveryTruncationOfAValidFileIsRejected) {
  const std::vector<float> values(16, 1.0f);
  const auto bytes = tac::io::serialize_safetensors(
      {{"w", tac::io::DType::F32, {16}, {reinterpret_cast<const std::uint8_t*>(values.data()), 64}}});
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const auto e = tac::test::error_of([&] { (void)tac::io::Safetensors::parse(std::span(bytes.data(), n), "cut"); });
    ASSERT_TRUE(e.has_value()) << "length " << n;
    EXPECT_EQ(e->kind(), tac::ErrorKind::corrupt_input) << "length " << n << ": " << e->what();
  }
  EXPECT_NO_THROW((void)tac::io::Safetensors::parse(bytes, "whole"));
}
