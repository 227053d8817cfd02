#include "tac/eval/rank_exchange.hpp"

#include "tac/eval/distributed.hpp"

namespace tac::eval {

namespace {

[[noreturn]] void rethrow(const RankError& e) { throw Error(e.kind, e.message); }

std::vector<RankMessage> exchange(Communicator& comm, const RankMessage& mine) {
  const auto all = comm.all_gather_bytes(encode_rank_message(mine));
  std::vector<RankMessage> out;
  out.reserve(all.size());
  for (std::size_t r = 0; r < all.size(); ++r) out.push_back(decode_rank_message(all[r], static_cast<int>(r)));
  return out;
}

}  // namespace

void agree_or_fail(Communicator* comm, const std::optional<RankError>& local_error, const char* stage) {
  if (comm == nullptr) {
    if (local_error) rethrow(*local_error);
    return;
  }
  RankMessage mine;
  mine.error = local_error;
  const auto all = exchange(*comm, mine);
  if (local_error) rethrow(*local_error);
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].error) fail(all[r].error->kind, "rank {} failed during {}: {}", r, stage, all[r].error->message);
  }
}

std::vector<RankWork> gather_work(Communicator* comm, RankWork mine, const std::optional<RankError>& local_error) {
  if (comm == nullptr) {
    if (local_error) rethrow(*local_error);
    std::vector<RankWork> works;
    works.push_back(std::move(mine));
    return works;
  }
  RankMessage message;
  message.error = local_error;
  if (!local_error) message.work = std::move(mine);
  auto all = exchange(*comm, message);
  if (local_error) rethrow(*local_error);
  std::vector<RankWork> works;
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].error) fail(all[r].error->kind, "rank {} failed: {}", r, all[r].error->message);
    works.push_back(std::move(all[r].work));
  }
  return works;
}

}  // namespace tac::eval
