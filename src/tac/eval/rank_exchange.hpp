#pragma once
// The collective steps of a sharded evaluation: every rank learns whether any rank failed (a failure
// anywhere fails everywhere, naming the rank and keeping its error kind), and every rank gathers the
// others' work. With no communicator (one process) both just pass the local result through.
// Torch-free: the transport is the Communicator interface.
#include <optional>
#include <vector>

#include "tac/eval/rank_message.hpp"

namespace tac::eval {

class Communicator;

// After a step every rank ran (e.g. inflate on rank 0): rethrows the local error, else the first
// failed rank's error as "rank R failed during STAGE: ..." with that rank's kind.
void agree_or_fail(Communicator* comm, const std::optional<RankError>& local_error, const char* stage);

// Every rank's work, by rank. Any failed rank fails the gather the same way as agree_or_fail.
std::vector<RankWork> gather_work(Communicator* comm, RankWork mine, const std::optional<RankError>& local_error);

}  // namespace tac::eval
