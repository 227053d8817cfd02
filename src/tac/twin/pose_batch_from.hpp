#pragma once
// How a PoseNet training batch is drawn from a pool laid out in groups (a first frame's gaps
// 1..N, then its moves): TwinTrainingOptions::pose_batch_from, pose_batch_rows. Torch-free.
#include <string_view>

namespace tac::twin {

// Whole groups; single samples of any group (a batch of as many first frames as samples); or
// only each drawn group's consecutive pair (its first row, gap 1: the kind of pair held out and
// scored).
enum class PoseBatchFrom { groups, samples, consecutive };

constexpr std::string_view pose_batch_from_name(PoseBatchFrom from) {
  switch (from) {
    case PoseBatchFrom::groups: return "groups";
    case PoseBatchFrom::samples: return "samples";
    case PoseBatchFrom::consecutive: return "consecutive";
  }
  return "?";
}

}  // namespace tac::twin
