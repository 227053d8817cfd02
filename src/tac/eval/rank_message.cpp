#include "tac/eval/rank_message.hpp"

#include <array>
#include <nlohmann/json.hpp>

namespace tac::eval {

namespace {

using nlohmann::json;

constexpr std::array kKinds{ErrorKind::usage, ErrorKind::corrupt_input, ErrorKind::limit_exceeded, ErrorKind::io,
                            ErrorKind::internal};

ErrorKind kind_from_name(const std::string& name, int rank) {
  for (const auto kind : kKinds)
    if (kind_name(kind) == name) return kind;
  fail(ErrorKind::corrupt_input, "rank {} sent an unknown error kind '{}'", rank, name);
}

json encode_work(const RankWork& w) {
  json videos = json::array();
  for (const auto& v : w.videos) videos.push_back({{"gt_frames", v.gt_frames}, {"cache_served", v.cache_served}, {"cache_note", v.cache_note}});
  // Samples as columns: one array per field.
  json video = json::array(), sample = json::array(), pose = json::array(), seg = json::array();
  for (const auto& s : w.samples) {
    video.push_back(s.video);
    sample.push_back(s.sample);
    pose.push_back(s.pose);
    seg.push_back(s.seg);
  }
  return {{"seconds", w.seconds},
          {"videos", std::move(videos)},
          {"samples", {{"video", std::move(video)}, {"sample", std::move(sample)}, {"pose", std::move(pose)}, {"seg", std::move(seg)}}}};
}

RankWork decode_work(const json& j, int rank) {
  RankWork w;
  w.seconds = j.at("seconds").get<double>();
  for (const auto& v : j.at("videos"))
    w.videos.push_back({v.at("gt_frames").get<std::int64_t>(), v.at("cache_served").get<bool>(), v.at("cache_note").get<std::string>()});
  const auto& s = j.at("samples");
  const auto& video = s.at("video");
  const auto& sample = s.at("sample");
  const auto& pose = s.at("pose");
  const auto& seg = s.at("seg");
  if (!video.is_array() || sample.size() != video.size() || pose.size() != video.size() || seg.size() != video.size())
    fail(ErrorKind::corrupt_input, "rank {} sent sample columns of different lengths", rank);
  w.samples.reserve(video.size());
  for (std::size_t i = 0; i < video.size(); ++i)
    w.samples.push_back({video[i].get<int>(), sample[i].get<std::int64_t>(), pose[i].get<double>(), seg[i].get<double>()});
  return w;
}

}  // namespace

std::vector<std::uint8_t> encode_rank_message(const RankMessage& message) {
  json j;
  if (message.error) j["error"] = {{"kind", std::string(kind_name(message.error->kind))}, {"message", message.error->message}};
  else j["work"] = encode_work(message.work);
  return json::to_msgpack(j);
}

RankMessage decode_rank_message(std::span<const std::uint8_t> bytes, int rank) {
  RankMessage m;
  try {
    const json j = json::from_msgpack(bytes.begin(), bytes.end());
    if (!j.is_object()) fail(ErrorKind::corrupt_input, "rank {} sent a message that is not a map", rank);
    if (j.contains("error")) {
      const auto& e = j.at("error");
      m.error = RankError{kind_from_name(e.at("kind").get<std::string>(), rank), e.at("message").get<std::string>()};
      if (m.error->message.empty()) m.error->message = "unknown error";
    } else {
      m.work = decode_work(j.at("work"), rank);
    }
  } catch (const json::exception& e) {
    fail(ErrorKind::corrupt_input, "rank {} sent a malformed message ({} bytes): {}", rank, bytes.size(), e.what());
  }
  return m;
}

}  // namespace tac::eval
