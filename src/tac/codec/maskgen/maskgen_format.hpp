#pragma once
// maskgen behind the codec interface: detection from the payload's framing, the section anatomy
// (mask chunks, pose, model, sidecar) for `tac archive inspect`, and inflate.
#include "tac/codec/codec.hpp"

namespace tac::codec::maskgen {

// True when the bytes frame as four records whose mask record opens with 22 QMA9 chunks.
bool looks_like_maskgen(std::span<const std::uint8_t> bytes);
std::vector<Section> describe_sections(std::span<const std::uint8_t> bytes, const std::string& source);

const Format& format();

}  // namespace tac::codec::maskgen
