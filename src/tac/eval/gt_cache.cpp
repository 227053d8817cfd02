#include "tac/eval/gt_cache.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>
#include <nlohmann/json.hpp>

#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/sha256.hpp"

namespace tac::eval {

using scorer::SampleOutputs;

namespace {

constexpr const char* kPoseTensor = "pose";
constexpr const char* kSegTensor = "seg_argmax";
constexpr const char* kPoseHashKey = "pose_sha256";
constexpr const char* kSegHashKey = "seg_sha256";
constexpr const char* kGtFramesKey = "gt_frames";
constexpr int kSegClasses = 5;

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
        const auto& meta = file.metadata();
        const auto pose_hash = meta.find(kPoseHashKey);
        const auto seg_hash = meta.find(kSegHashKey);
        if (pose_hash == meta.end() || pose_hash->second != sha256_hex(pose->data) || seg_hash == meta.end() ||
            seg_hash->second != sha256_hex(seg->data)) {
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
  GtCacheWriter writer(*this, key);
  writer.append(outputs);
  writer.commit(gt_frames);
}

GtCacheWriter::GtCacheWriter(const GtCache& cache, GtCacheKey key)
    : final_path_(cache.entry_path(key)), key_(std::move(key)), seg_hash_(std::make_unique<Sha256>()) {
  std::filesystem::create_directories(cache.dir());
  seg_temp_ = final_path_;
  seg_temp_ += fmt::format(".seg-{}.tmp", ::getpid());
  seg_ = std::fopen(seg_temp_.c_str(), "wb");
  if (seg_ == nullptr) fail(ErrorKind::io, "{}: cannot create: {}", seg_temp_.string(), errno_text(errno));
}

GtCacheWriter::~GtCacheWriter() {
  if (seg_ != nullptr) std::fclose(seg_);
  std::error_code ec;
  std::filesystem::remove(seg_temp_, ec);
}

void GtCacheWriter::append(const SampleOutputs& batch) {
  if (batch.seg_argmax.size() != static_cast<std::size_t>(batch.samples()) * SampleOutputs::kSegPixels)
    fail(ErrorKind::internal, "ground-truth cache: inconsistent outputs ({} pose rows, {} map bytes)", batch.samples(), batch.seg_argmax.size());
  pose_.insert(pose_.end(), batch.pose.begin(), batch.pose.end());
  seg_hash_->update(batch.seg_argmax);
  if (!batch.seg_argmax.empty() && std::fwrite(batch.seg_argmax.data(), 1, batch.seg_argmax.size(), seg_) != batch.seg_argmax.size())
    fail(ErrorKind::io, "{}: write failed: {}", seg_temp_.string(), errno_text(errno));
  samples_ += batch.samples();
}

void GtCacheWriter::commit(std::int64_t gt_frames) {
  if (samples_ != key_.samples) fail(ErrorKind::internal, "ground-truth cache: {} samples of outputs for a key of {} samples", samples_, key_.samples);
  if (std::fclose(std::exchange(seg_, nullptr)) != 0) fail(ErrorKind::io, "{}: write failed: {}", seg_temp_.string(), errno_text(errno));
  const auto pose_bytes = as_bytes(pose_);
  const std::uint64_t seg_size = static_cast<std::uint64_t>(samples_) * SampleOutputs::kSegPixels;
  auto meta = key_.fields();
  meta[kPoseHashKey] = sha256_hex(pose_bytes);
  meta[kSegHashKey] = to_hex(seg_hash_->finish());
  meta[kGtFramesKey] = std::to_string(gt_frames);
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = meta;
  header[kPoseTensor] = {{"dtype", "F32"},
                         {"shape", {samples_, SampleOutputs::kPoseOutputs}},
                         {"data_offsets", {0, pose_bytes.size()}}};
  header[kSegTensor] = {{"dtype", "U8"},
                        {"shape", {samples_, 384, 512}},
                        {"data_offsets", {pose_bytes.size(), pose_bytes.size() + seg_size}}};
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');  // keeps the float data 4-byte aligned
  std::uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(text.size()) >> (8 * i));
  OutputFile out(final_path_);
  out.write(std::span<const std::uint8_t>(length, 8));
  out.write(text);
  out.write(pose_bytes);
  std::FILE* in = std::fopen(seg_temp_.c_str(), "rb");
  if (in == nullptr) fail(ErrorKind::io, "{}: cannot reopen: {}", seg_temp_.string(), errno_text(errno));
  std::vector<std::uint8_t> chunk(1 << 20);
  std::uint64_t copied = 0;
  for (std::size_t n; (n = std::fread(chunk.data(), 1, chunk.size(), in)) > 0;) {
    out.write(std::span<const std::uint8_t>(chunk.data(), n));
    copied += n;
  }
  std::fclose(in);
  if (copied != seg_size) fail(ErrorKind::io, "{}: {} bytes, expected {}", seg_temp_.string(), copied, seg_size);
  out.commit();
}

std::filesystem::path default_gt_cache_dir() {
  if (const char* d = std::getenv("TAC_CACHE_DIR"); d && *d) return std::filesystem::path(d) / "gt";
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "tac" / "gt";
  if (const char* d = std::getenv("HOME"); d && *d) return std::filesystem::path(d) / ".cache" / "tac" / "gt";
  return std::filesystem::temp_directory_path() / "tac-cache" / "gt";
}

}  // namespace tac::eval
