#pragma once
// The classical lane behind the codec interface: an archive member that is a libav video stream
// (Matroska/WebM, IVF, or bare Annex-B HEVC), decoded with libav, converted with the contest's
// exact yuv420_to_rgb (scorer_architecture.md §1.2), and brought to 874x1164 with the float32
// bicubic of upstream's inflate (a = -0.75, align_corners False, round half to even).
#include <cstdint>
#include <span>

#include "tac/codec/codec.hpp"

namespace tac::codec::classical {

const Format& format();

// True for the first bytes of a stream the classical format reads: EBML (Matroska/WebM),
// "DKIF" (IVF), or an Annex-B start code followed by an HEVC VPS NAL unit.
bool looks_like_video_stream(std::span<const std::uint8_t> bytes);

}  // namespace tac::codec::classical
