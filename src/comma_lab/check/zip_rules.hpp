#pragma once
// Zip-safety rules of `tac lab check` over a ZipInspection: unsafe names, macOS litter,
// duplicates, local/central header disagreements, sizes past limits, compression bombs and bytes
// that belong to no member. Finding ids are `zip.<rule>`; docs/lab.md lists them.
#include <cstdint>
#include <filesystem>
#include <span>

#include "comma_lab/check/finding.hpp"
#include "comma_lab/check/zip_inspection.hpp"

namespace comma_lab::check {

struct ZipLimits {
  std::uint64_t max_archive_bytes = 64ull << 20;  // more than the original video (37.5 MB) is rate > 1
  std::size_t max_members = 4096;
  std::uint64_t max_member_bytes = 1ull << 30;  // uncompressed, one member
  std::uint64_t max_total_bytes = 2ull << 30;   // uncompressed, all members
  std::uint64_t max_ratio = 100;                // uncompressed / compressed ...
  std::uint64_t ratio_min_bytes = 1ull << 20;   // ... for members at least this large
};

// The rules that need only a member name (each name rule is its own finding id).
void check_member_name(const std::string& name, Findings& out);

// Every zip rule over the bytes of an archive; `label` names it in reasons.
Findings check_zip_bytes(std::span<const std::uint8_t> bytes, const std::string& label, const ZipLimits& limits = {});
Findings check_zip_file(const std::filesystem::path& path, const ZipLimits& limits = {});

}  // namespace comma_lab::check
