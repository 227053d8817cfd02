#include "tac/scorer/gt_cache.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/sha256.hpp"

namespace tac::scorer {

namespace {

constexpr const char* kPoseTensor = "pose";
constexpr const char* kSegTensor = "seg_argmax";
constexpr const char* kPayloadKey = "payload_sha256";
constexpr const char* kGtFramesKey = "gt_frames";
constexpr int kSegClasses = 5;

std::string payload_sha256(std::span<const std::uint8_t> pose, std::span<const std::uint8_t> seg) {
  Sha256 h;
  h.update(pose);
  h.update(seg);
  const auto d = h.finish();
  return to_hex(d);
}

std::span<const std::uint8_t> as_bytes(const std::vector<float>& v) {
  return {reinterpret_cast<const std::uint8_t*>(v.data()), v.size() * sizeof(float)};
}

}  // namespace

std::map<std::string, std::string> GtCacheKey::fields() const {
  return {{"tac_gt_cache_format", std::to_string(kGtCacheFormat)},
          {"video_sha256", video_sha256},
          {"segnet_sha256", segnet_sha256},
          {"posenet_sha256", posenet_sha256},
          {"device", device},
          {"scorer_revision", scorer_revision},
          {"selection", selection},
          {"samples", std::to_string(samples)}};
}

std::string GtCacheKey::digest() const {
  std::string text;
  for (const auto& [k, v] : fields()) text += k + "=" + v + "\n";
  return sha256_hex({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

GtCacheEntry::GtCacheEntry(io::Safetensors file, std::filesystem::path path)
    : file_(std::move(file)), path_(std::move(path)) {
  const auto& pose = file_.at(kPoseTensor);
  const auto& seg = file_.at(kSegTensor);
  samples_ = pose.shape.empty() ? 0 : pose.shape[0];
  pose_ = {reinterpret_cast<const float*>(pose.data.data()), pose.data.size() / sizeof(float)};
  seg_ = seg.data;
  const auto it = file_.metadata().find(kGtFramesKey);
  if (it != file_.metadata().end()) {
    try {
      gt_frames_ = std::stoll(it->second);
    } catch (const std::exception&) {
      gt_frames_ = -1;
    }
  }
}

std::span<const float> GtCacheEntry::pose(std::int64_t first, std::int64_t count) const {
  return pose_.subspan(static_cast<std::size_t>(first * SampleOutputs::kPoseOutputs),
                       static_cast<std::size_t>(count * SampleOutputs::kPoseOutputs));
}

std::span<const std::uint8_t> GtCacheEntry::seg(std::int64_t first, std::int64_t count) const {
  return seg_.subspan(static_cast<std::size_t>(first * SampleOutputs::kSegPixels),
                      static_cast<std::size_t>(count * SampleOutputs::kSegPixels));
}

GtCache::GtCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

std::filesystem::path GtCache::entry_path(const GtCacheKey& key) const { return dir_ / (key.digest() + ".safetensors"); }

std::unique_ptr<GtCacheEntry> GtCache::load(const GtCacheKey& key, std::string* note) const {
  const auto path = entry_path(key);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nullptr;
  std::string problem;
  try {
    auto file = io::Safetensors::open(path);
    const auto expected = key.fields();
    for (const auto& [k, v] : expected) {
      const auto it = file.metadata().find(k);
      if (it == file.metadata().end() || it->second != v) {
        problem = fmt::format("metadata '{}' is '{}', expected '{}'", k,
                              it == file.metadata().end() ? "(absent)" : it->second, v);
        break;
      }
    }
    if (problem.empty()) {
      const auto* pose = file.find(kPoseTensor);
      const auto* seg = file.find(kSegTensor);
      const std::vector<std::int64_t> pose_shape{key.samples, SampleOutputs::kPoseOutputs};
      const std::vector<std::int64_t> seg_shape{key.samples, 384, 512};
      if (!pose || pose->dtype != io::DType::F32 || pose->shape != pose_shape) {
        problem = "pose tensor missing or of the wrong type or shape";
      } else if (!seg || seg->dtype != io::DType::U8 || seg->shape != seg_shape) {
        problem = "seg_argmax tensor missing or of the wrong type or shape";
      } else if (file.tensors().size() != 2) {
        problem = "unexpected extra tensors";
      } else if (reinterpret_cast<std::uintptr_t>(pose->data.data()) % alignof(float) != 0) {
        problem = "pose data misaligned";
      } else {
        const auto it = file.metadata().find(kPayloadKey);
        if (it == file.metadata().end() || it->second != payload_sha256(pose->data, seg->data)) {
          problem = "payload SHA-256 does not match (corrupt entry)";
        } else {
          for (const auto c : seg->data)
            if (c >= kSegClasses) {
              problem = "seg_argmax holds a class index out of range";
              break;
            }
        }
      }
    }
    if (problem.empty()) {
      const auto it = file.metadata().find(kGtFramesKey);
      if (it == file.metadata().end() || it->second.empty() || it->second.size() > 18 ||
          it->second.find_first_not_of("-0123456789") != std::string::npos)
        problem = "gt_frames metadata missing or malformed";
    }
    if (problem.empty()) return std::make_unique<GtCacheEntry>(std::move(file), path);
  } catch (const Error& e) {
    problem = e.what();
  }
  std::filesystem::remove(path, ec);
  if (note) *note = fmt::format("ground-truth cache entry {} was invalid ({}); deleted and rebuilt", path.string(), problem);
  return nullptr;
}

void GtCache::store(const GtCacheKey& key, const SampleOutputs& outputs, std::int64_t gt_frames) const {
  if (outputs.samples() != key.samples ||
      outputs.seg_argmax.size() != static_cast<std::size_t>(key.samples) * SampleOutputs::kSegPixels)
    fail("ground-truth cache: {} samples of outputs for a key of {} samples", outputs.samples(), key.samples);
  std::filesystem::create_directories(dir_);
  const auto pose_bytes = as_bytes(outputs.pose);
  const std::span<const std::uint8_t> seg_bytes(outputs.seg_argmax);
  auto meta = key.fields();
  meta[kPayloadKey] = payload_sha256(pose_bytes, seg_bytes);
  meta[kGtFramesKey] = std::to_string(gt_frames);
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = meta;
  header[kPoseTensor] = {{"dtype", "F32"},
                         {"shape", {key.samples, SampleOutputs::kPoseOutputs}},
                         {"data_offsets", {0, pose_bytes.size()}}};
  header[kSegTensor] = {{"dtype", "U8"},
                        {"shape", {key.samples, 384, 512}},
                        {"data_offsets", {pose_bytes.size(), pose_bytes.size() + seg_bytes.size()}}};
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');
  std::uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(text.size()) >> (8 * i));
  OutputFile out(entry_path(key));  // streamed: no second copy of the seg maps in memory
  out.write(std::span<const std::uint8_t>(length, 8));
  out.write(text);
  out.write(pose_bytes);
  out.write(seg_bytes);
  out.commit();
}

std::filesystem::path default_gt_cache_dir() {
  if (const char* d = std::getenv("TAC_CACHE_DIR"); d && *d) return std::filesystem::path(d) / "gt";
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "tac" / "gt";
  if (const char* d = std::getenv("HOME"); d && *d) return std::filesystem::path(d) / ".cache" / "tac" / "gt";
  return std::filesystem::temp_directory_path() / "tac-cache" / "gt";
}

}  // namespace tac::scorer
