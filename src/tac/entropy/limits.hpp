#pragma once
// Size caps for decoders of outside bytes: a declared decoded size above these is refused as
// limit_exceeded before anything is allocated.
#include <cstdint>

namespace tac::entropy {

inline constexpr std::uint64_t kMaxDecodedBytes = std::uint64_t(1) << 31;  // 2 GiB
inline constexpr std::uint32_t kMaxLzmaDictionary = 1u << 28;              // 256 MiB
inline constexpr int kMaxZstdWindowLog = 27;                               // 128 MiB

}  // namespace tac::entropy
