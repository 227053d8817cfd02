#pragma once
// hnerv95 behind the codec interface: detection, section anatomy, multi-threaded inflate.
#include "tac/codec/codec.hpp"

namespace tac::codec::hnerv95 {
const Format& format();

struct Archive;
// Decodes and upscales every pair of a parsed archive (the seam other containers of the same
// decoder use: codec/hnerv95_tacp).
void inflate_archive(const Archive& archive, FrameSink& sink, const InflateOptions& options);
}
