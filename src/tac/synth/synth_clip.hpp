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
  bool labels = false;           // also write every frame's classes to labels_path(output)
  std::function<void(int done, int total)> progress;  // optional
};

struct SynthClipResult {
  std::filesystem::path clip;
  std::filesystem::path motion;
  std::filesystem::path labels;  // empty unless asked for
  std::uint64_t clip_bytes = 0;
  int frames = 0;
};

// `<dir>/<stem>.motion.json` for `<dir>/<stem>.<ext>`.
std::filesystem::path motion_path(const std::filesystem::path& clip);

// `<dir>/<stem>.labels.u8` for `<dir>/<stem>.<ext>`: every frame's SegClass per pixel, uint8,
// (frames, height, width) row-major, no header (like the contest's .raw, one byte per pixel).
std::filesystem::path labels_path(const std::filesystem::path& clip);

// The motion file: camera model, seed, and per frame the absolute pose and the motion since the
// previous frame expressed in the previous camera's frame (forward, right, yaw change), also as
// `pose6`, relative_motion()'s six components (forward, right, down, roll, pitch, yaw).
nlohmann::json motion_json(const Scene& scene);

SynthClipResult write_synth_clip(const SynthClipOptions& options);

}  // namespace tac::synth
