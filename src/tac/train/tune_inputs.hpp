#pragma once
// What `tac tune` and `tac sensitivity --archive` read: the one hnerv95 member of an archive, and
// the ground-truth frames of a run of pairs, decoded as the scorer decodes the video.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tac::train {

struct Hnerv95Input {
  std::string member;               // "0.bin"
  std::vector<std::uint8_t> bytes;  // the member
  std::uint64_t archive_bytes = 0;  // what a submission weighs: the zip as given, else the member stored in a zip
};
// Throws corrupt_input when the archive holds no hnerv95 member, usage when it holds several.
Hnerv95Input read_hnerv95_input(const std::filesystem::path& archive);

// Frames 2 * first .. 2 * (first + count) - 1 (uint8 RGB, contest size, in order); usage error
// when the video ends before.
std::vector<std::uint8_t> ground_truth_pairs(const std::filesystem::path& video, std::int64_t first, std::int64_t count);

}  // namespace tac::train
