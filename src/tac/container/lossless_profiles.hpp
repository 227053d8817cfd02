#pragma once
// Built-in lossless profiles: a transform chain plus a coder, written as a one-section packet
// ("data"). The packet records the codec and transforms actually used, so unpacking needs no
// profile name. "best" packs with every other profile and keeps the smallest (ties: first in
// the list), which makes it no larger than the brotli11 and xz9e profiles, i.e. brotli -q 11 and
// xz -9e of the same bytes plus the packet framing (~25 bytes).
#include <string>
#include <vector>

#include "tac/container/packet.hpp"

namespace tac::container {

struct LosslessProfile {
  std::string name;
  std::string description;
  CodecSpec codec;
  std::vector<transform::TransformStep> transforms;
};

inline constexpr const char* kBestProfile = "best";
inline constexpr const char* kLosslessSection = "data";

const std::vector<LosslessProfile>& lossless_profiles();
// Throws usage naming the known profiles.
const LosslessProfile& find_profile(const std::string& name);

struct PackResult {
  std::string profile;  // for "best": the winner
  Bytes packet;
};
PackResult lossless_pack(ByteSpan data, const std::string& profile);
// The "data" section of a packet; anything else is corrupt input.
Bytes lossless_unpack(ByteSpan packet, const std::string& source);

}  // namespace tac::container
