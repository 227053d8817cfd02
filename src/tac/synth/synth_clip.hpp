#pragma once
// `tac synth`: render a procedural dashcam clip, encode it (libx265 in Matroska, reproducible),
// and write the true per-frame camera motion beside it as JSON.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "tac/synth/scene.hpp"

namespace tac::synth {

struct SynthClipOptions {
  std::filesystem::path output;  // the clip (.mkv); the motion goes to motion_path(output)
  SceneOptions scene;
  double crf = 12;               // high quality: this is a ground-truth clip
  std::string preset = "ultrafast";
  int threads = 2;               // render workers and pinned encoder threads
  std::function<void(int done, int total)> progress;  // optional
};

struct SynthClipResult {
  std::filesystem::path clip;
  std::filesystem::path motion;
  std::uint64_t clip_bytes = 0;
  int frames = 0;
};

// `<dir>/<stem>.motion.json` for `<dir>/<stem>.<ext>`.
std::filesystem::path motion_path(const std::filesystem::path& clip);

// The motion file: camera model, seed, and per frame the absolute pose and the motion since the
// previous frame expressed in the previous camera's frame (forward, right, yaw change).
nlohmann::json motion_json(const Scene& scene);

SynthClipResult write_synth_clip(const SynthClipOptions& options);

}  // namespace tac::synth
