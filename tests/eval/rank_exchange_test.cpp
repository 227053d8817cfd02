// What ranks of a sharded evaluation send each other: bit-exact round trips, the error kind carried
// across ranks, hostile bytes rejected as corrupt input; the collective steps over a scripted
// communicator (the real c10d one runs in tests/apps/eval_test.cpp's two-process test).
#include <gtest/gtest.h>

#include <bit>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "tac/core/error.hpp"
#include "tac/eval/distributed.hpp"
#include "tac/eval/rank_exchange.hpp"
#include "tac/eval/rank_message.hpp"

namespace {

using tac::ErrorKind;
using tac::eval::RankError;
using tac::eval::RankMessage;
using tac::eval::RankWork;

RankWork sample_work() {
  RankWork w;
  w.seconds = 12.345678901234567;
  w.videos = {{1200, true, ""}, {-1, false, std::string("rebuilt: bad \0 entry \xc3\xa9", 22)}};
  const double values[] = {0.1, 1e-300, std::numeric_limits<double>::denorm_min(), -0.0, 0.38042614123456789,
                           std::numeric_limits<double>::max()};
  for (int i = 0; i < 6; ++i) w.samples.push_back({i % 2, 599 - i, values[i], values[5 - i]});
  return w;
}

void expect_same_bits(double a, double b) { EXPECT_EQ(std::bit_cast<std::uint64_t>(a), std::bit_cast<std::uint64_t>(b)); }

void expect_same_work(const RankWork& a, const RankWork& b) {
  expect_same_bits(a.seconds, b.seconds);
  ASSERT_EQ(a.videos.size(), b.videos.size());
  for (std::size_t i = 0; i < a.videos.size(); ++i) {
    EXPECT_EQ(a.videos[i].gt_frames, b.videos[i].gt_frames);
    EXPECT_EQ(a.videos[i].cache_served, b.videos[i].cache_served);
    EXPECT_EQ(a.videos[i].cache_note, b.videos[i].cache_note);
  }
  ASSERT_EQ(a.samples.size(), b.samples.size());
  for (std::size_t i = 0; i < a.samples.size(); ++i) {
    EXPECT_EQ(a.samples[i].video, b.samples[i].video);
    EXPECT_EQ(a.samples[i].sample, b.samples[i].sample);
    expect_same_bits(a.samples[i].pose, b.samples[i].pose);
    expect_same_bits(a.samples[i].seg, b.samples[i].seg);
  }
}

ErrorKind kind_of_decoding(const std::vector<std::uint8_t>& bytes) {
  try {
    tac::eval::decode_rank_message(bytes, 3);
  } catch (const tac::Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 3"), std::string::npos) << e.what();
    return e.kind();
  }
  ADD_FAILURE() << "accepted";
  return ErrorKind::internal;
}

TEST(RankMessage, WorkRoundTripsBitExact) {
  RankMessage m;
  m.work = sample_work();
  const auto decoded = tac::eval::decode_rank_message(tac::eval::encode_rank_message(m), 1);
  EXPECT_FALSE(decoded.error);
  expect_same_work(m.work, decoded.work);
}

TEST(RankMessage, ErrorKeepsItsKindAndMessage) {
  for (const auto kind : {ErrorKind::usage, ErrorKind::corrupt_input, ErrorKind::limit_exceeded, ErrorKind::io, ErrorKind::internal}) {
    RankMessage m;
    m.error = RankError{kind, "0.raw: not even one sample"};
    const auto decoded = tac::eval::decode_rank_message(tac::eval::encode_rank_message(m), 1);
    ASSERT_TRUE(decoded.error);
    EXPECT_EQ(decoded.error->kind, kind);
    EXPECT_EQ(decoded.error->message, "0.raw: not even one sample");
  }
}

TEST(RankMessage, HostileBytesAreCorruptInput) {
  RankMessage m;
  m.work = sample_work();
  const auto good = tac::eval::encode_rank_message(m);
  EXPECT_EQ(kind_of_decoding({}), ErrorKind::corrupt_input);
  EXPECT_EQ(kind_of_decoding({0xc1}), ErrorKind::corrupt_input);  // never-used MessagePack byte
  for (const std::size_t cut : {std::size_t{1}, good.size() / 2, good.size() - 1})
    EXPECT_EQ(kind_of_decoding(std::vector<std::uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut))),
              ErrorKind::corrupt_input)
        << "cut at " << cut;
  using nlohmann::json;
  EXPECT_EQ(kind_of_decoding(json::to_msgpack(json::array({1, 2}))), ErrorKind::corrupt_input);
  EXPECT_EQ(kind_of_decoding(json::to_msgpack(json{{"work", {{"seconds", 1.0}}}})), ErrorKind::corrupt_input);
  EXPECT_EQ(kind_of_decoding(json::to_msgpack(json{{"error", {{"kind", "gremlins"}, {"message", "x"}}}})), ErrorKind::corrupt_input);
  auto uneven = json::from_msgpack(good);
  uneven["work"]["samples"]["pose"].erase(0);
  EXPECT_EQ(kind_of_decoding(json::to_msgpack(uneven)), ErrorKind::corrupt_input);
  auto wrong_type = json::from_msgpack(good);
  wrong_type["work"]["videos"][0]["cache_note"] = 7;
  EXPECT_EQ(kind_of_decoding(json::to_msgpack(wrong_type)), ErrorKind::corrupt_input);
}

// A communicator whose other ranks sent fixed messages.
class ScriptedCommunicator final : public tac::eval::Communicator {
 public:
  ScriptedCommunicator(int rank, std::map<int, RankMessage> others) : rank_(rank), others_(std::move(others)) {}
  int rank() const override { return rank_; }
  int world_size() const override { return static_cast<int>(others_.size()) + 1; }
  std::string backend() const override { return "scripted"; }
  std::vector<std::vector<std::uint8_t>> all_gather_bytes(std::span<const std::uint8_t> local) override {
    std::vector<std::vector<std::uint8_t>> all;
    for (int r = 0; r < world_size(); ++r)
      all.push_back(r == rank_ ? std::vector<std::uint8_t>(local.begin(), local.end()) : tac::eval::encode_rank_message(others_.at(r)));
    return all;
  }

 private:
  int rank_;
  std::map<int, RankMessage> others_;
};

RankMessage failed(ErrorKind kind, std::string message) {
  RankMessage m;
  m.error = RankError{kind, std::move(message)};
  return m;
}

TEST(RankExchange, AnotherRanksFailureKeepsItsKind) {
  ScriptedCommunicator comm(0, {{1, failed(ErrorKind::limit_exceeded, "too many frames")}});
  try {
    tac::eval::agree_or_fail(&comm, std::nullopt, "inflate");
    FAIL() << "no error";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::limit_exceeded);
    EXPECT_STREQ(e.what(), "rank 1 failed during inflate: too many frames");
  }
  try {
    tac::eval::gather_work(&comm, sample_work(), std::nullopt);
    FAIL() << "no error";
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::limit_exceeded);
    EXPECT_STREQ(e.what(), "rank 1 failed: too many frames");
  }
}

TEST(RankExchange, LocalFailureIsRethrownWithItsKind) {
  RankMessage ok;
  ok.work = sample_work();
  ScriptedCommunicator comm(1, {{0, ok}});
  const RankError mine{ErrorKind::corrupt_input, "1.raw: truncated"};
  for (auto* c : {static_cast<tac::eval::Communicator*>(&comm), static_cast<tac::eval::Communicator*>(nullptr)}) {
    try {
      tac::eval::gather_work(c, {}, mine);
      FAIL() << "no error";
    } catch (const tac::Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::corrupt_input);
      EXPECT_STREQ(e.what(), "1.raw: truncated");
    }
  }
}

TEST(RankExchange, GatherReturnsEveryRanksWorkByRank) {
  RankMessage zero;
  zero.work = sample_work();
  zero.work.seconds = 1;
  ScriptedCommunicator comm(1, {{0, zero}});
  RankWork mine = sample_work();
  mine.samples.resize(2);
  const auto works = tac::eval::gather_work(&comm, mine, std::nullopt);
  ASSERT_EQ(works.size(), 2u);
  expect_same_work(works[0], zero.work);
  expect_same_work(works[1], mine);
  EXPECT_NO_THROW(tac::eval::agree_or_fail(&comm, std::nullopt, "inflate"));
  EXPECT_EQ(tac::eval::gather_work(nullptr, mine, std::nullopt).size(), 1u);
}

}  // namespace
