#pragma once
// On-disk cache of the scorer's outputs on the original video (PoseNet head outputs, SegNet
// argmax maps). They never change for a given video, weights, device and scorer implementation,
// so a warm cache skips decoding and scoring the originals (half of the evaluation's work).
// Entries are safetensors files named by the SHA-256 of their key; every field of the key is
// repeated in the file's metadata and the payload carries its own SHA-256, so a corrupt,
// truncated or mismatched entry is detected, deleted and rebuilt, never trusted.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "tac/io/safetensors.hpp"
#include "tac/scorer/scorer.hpp"

namespace tac {
class Sha256;
}

namespace tac::eval {

// Bump when the cache file layout changes.
inline constexpr int kGtCacheFormat = 1;

struct GtCacheKey {
  std::string video_sha256;
  std::string segnet_sha256;
  std::string posenet_sha256;
  std::string device;            // "cpu" | "cuda": a CPU entry never serves a CUDA run
  std::string scorer_revision;   // implementation revision: an older scorer never serves a newer one
  std::string selection;         // which samples of the video, e.g. "samples [0, 600)"
  std::int64_t samples = 0;      // samples in the selection

  std::map<std::string, std::string> fields() const;  // the key as metadata
  std::string digest() const;                          // SHA-256 hex of the canonical key text
};

// A validated entry: outputs for the selection's samples in order, mapped from disk.
class GtCacheEntry {
 public:
  GtCacheEntry(io::Safetensors file, std::filesystem::path path);
  std::int64_t samples() const { return samples_; }
  // Frames of the whole original video, or -1 when the run that wrote the entry did not decode to its end.
  std::int64_t gt_frames() const { return gt_frames_; }
  std::span<const float> pose(std::int64_t first, std::int64_t count) const;
  std::span<const std::uint8_t> seg(std::int64_t first, std::int64_t count) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  io::Safetensors file_;
  std::filesystem::path path_;
  std::int64_t samples_ = 0;
  std::int64_t gt_frames_ = -1;
  std::span<const float> pose_;
  std::span<const std::uint8_t> seg_;
};

class GtCache {
 public:
  explicit GtCache(std::filesystem::path dir);
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path entry_path(const GtCacheKey& key) const;

  // The entry when present and valid. An invalid one is deleted and `note` says why.
  std::unique_ptr<GtCacheEntry> load(const GtCacheKey& key, std::string* note = nullptr) const;
  // Writes an entry atomically (temporary + rename); outputs must hold key.samples samples.
  void store(const GtCacheKey& key, const scorer::SampleOutputs& outputs, std::int64_t gt_frames) const;

 private:
  std::filesystem::path dir_;
};

// Builds an entry batch by batch without holding the SegNet maps in memory (they go to a
// temporary file beside the entry); commit() writes the entry atomically. Without commit() nothing
// is left behind.
class GtCacheWriter {
 public:
  GtCacheWriter(const GtCache& cache, GtCacheKey key);
  ~GtCacheWriter();
  GtCacheWriter(const GtCacheWriter&) = delete;
  GtCacheWriter& operator=(const GtCacheWriter&) = delete;
  void append(const scorer::SampleOutputs& batch);
  void commit(std::int64_t gt_frames);

 private:
  std::filesystem::path final_path_;
  std::filesystem::path seg_temp_;
  GtCacheKey key_;
  std::vector<float> pose_;
  std::int64_t samples_ = 0;
  std::FILE* seg_ = nullptr;
  std::unique_ptr<Sha256> seg_hash_;
};

// $TAC_CACHE_DIR, else $XDG_CACHE_HOME/tac, else ~/.cache/tac; then "/gt".
std::filesystem::path default_gt_cache_dir();

}  // namespace tac::eval
