#pragma once
// Shared by the maskgen tests: the payload member `p` of the PR 97 archive fixture.
#include <filesystem>
#include <string>
#include <vector>

#include "tac/io/zip_reader.hpp"

namespace tac::test {

inline constexpr const char* kMaskgenDir = "replay/vibe_coder_final_boss/";

inline std::vector<std::uint8_t> maskgen_payload_bytes(const std::filesystem::path& zip) {
  const auto reader = tac::io::ZipReader::open(zip);
  const auto* member = reader.find("p");
  if (!member) throw std::runtime_error(zip.string() + ": no member p");
  return reader.read(*member);
}

}  // namespace tac::test
