#pragma once
// What one rank of a sharded evaluation sends the others: its scored samples and per-video facts,
// or the error that stopped it (kind and message, so the kind survives the trip). Serialized as
// MessagePack through nlohmann-json; doubles travel as float64, so every value arrives bit-exact.
// Torch-free.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tac/core/error.hpp"
#include "tac/eval/evaluation_record.hpp"

namespace tac::eval {

// What one rank found for one video.
struct RankVideo {
  std::int64_t gt_frames = -1;
  bool cache_served = false;
  std::string cache_note;
};

struct RankWork {
  std::vector<SampleDistortion> samples;
  std::vector<RankVideo> videos;
  double seconds = 0;
};

// Why a rank stopped.
struct RankError {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
};

// A rank's message: its work, or its error.
struct RankMessage {
  RankWork work;
  std::optional<RankError> error;
};

std::vector<std::uint8_t> encode_rank_message(const RankMessage& message);

// Decodes bytes received from rank `rank`. Malformed bytes throw tac::Error (corrupt_input) naming
// the rank and the problem.
RankMessage decode_rank_message(std::span<const std::uint8_t> bytes, int rank);

}  // namespace tac::eval
