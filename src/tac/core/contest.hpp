#pragma once
// Fixed facts of the comma video compression challenge (../shared/docs/challenge_notes.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tac::contest {

inline constexpr int kFrameHeight = 874;
inline constexpr int kFrameWidth = 1164;
inline constexpr int kChannels = 3;
inline constexpr std::size_t kFrameBytes = std::size_t{kFrameHeight} * kFrameWidth * kChannels;  // 3,052,008
inline constexpr int kScorerHeight = 384;  // both networks see frames resized to 384x512
inline constexpr int kScorerWidth = 512;
inline constexpr int kFramesPerSample = 2;
inline constexpr int kContestSamples = 600;
inline constexpr std::uint64_t kOriginalVideoBytes = 37'545'489;  // videos/0.mkv

// Identities of the real contest files (SHA-256 from the upstream Git-LFS pointers).
inline constexpr std::string_view kVideoSha256 = "2611f5f3e186f3529777749f97bd4cce3a208d6b3559e137bd45d256980d2fa9";
inline constexpr std::string_view kSegnetSha256 = "68956e328d4c5d875389a1a444870e6bac1c052c9986123827af95c07c6991b6";
inline constexpr std::string_view kPosenetSha256 = "0f3a0874c5c387f990d7b88bd1d7e1f6de35d98b45f2a289989db2c77b9b6576";

}  // namespace tac::contest
