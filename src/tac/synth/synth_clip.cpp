#include "tac/synth/synth_clip.hpp"

#include <cmath>
#include <deque>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>

#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/io/video_encoder.hpp"

namespace tac::synth {

std::filesystem::path motion_path(const std::filesystem::path& clip) {
  return clip.parent_path() / (clip.stem().string() + ".motion.json");
}

std::filesystem::path labels_path(const std::filesystem::path& clip) {
  return clip.parent_path() / (clip.stem().string() + ".labels.u8");
}

nlohmann::json motion_json(const Scene& scene) {
  const auto& o = scene.options();
  nlohmann::json frames = nlohmann::json::array();
  const auto& poses = scene.poses();
  for (std::size_t i = 0; i < poses.size(); ++i) {
    const auto& p = poses[i];
    nlohmann::json f{{"frame", i}, {"t", p.t}, {"x", p.x}, {"z", p.z}, {"yaw", p.yaw}, {"speed", p.speed}, {"yaw_rate", p.yaw_rate}};
    // Motion from frame i-1 to i in the camera frame of i-1 (none for the first frame).
    const auto m = relative_motion(i > 0 ? poses[i - 1] : p, p);
    f["delta"] = {{"right", m[1]}, {"forward", m[0]}, {"yaw", m[5]}};
    f["pose6"] = m;
    frames.push_back(std::move(f));
  }
  const auto& cam = o.camera;
  return nlohmann::json{
      {"format", "tac-synth-motion/1"},
      {"seed", o.seed},
      {"fps", o.fps},
      {"frame_count", o.frames},
      {"vehicles", o.vehicles},
      {"camera",
       {{"width", cam.width}, {"height", cam.height}, {"focal_px", cam.focal}, {"cx", cam.cx}, {"horizon_row", cam.horizon},
        {"height_m", cam.camera_height}}},
      {"conventions",
       "world X right, Z forward, metres; yaw radians, positive turns right; delta is the motion since the previous "
       "frame in the previous camera's frame; pose6 is the same motion as [forward, right, down, roll, pitch, yaw]"},
      {"labels",
       {{"classes", {"road", "lane_marking", "undrivable", "movable", "my_car"}},
        {"layout", "uint8 (frames, height, width), class of the primitive covering >= half of each pixel"}}},
      {"frames", std::move(frames)}};
}

SynthClipResult write_synth_clip(const SynthClipOptions& options) {
  if (options.threads <= 0) fail(ErrorKind::usage, "synth: threads must be positive");
  const Scene scene(options.scene);
  const auto& cam = options.scene.camera;

  io::EncoderSettings settings;
  settings.codec = "libx265";
  settings.width = cam.width;
  settings.height = cam.height;
  settings.fps = options.scene.fps;
  settings.crf = options.crf;
  settings.preset = options.preset;
  settings.threads = options.threads;
  settings.codec_params = fmt::format("log-level=error:frame-threads={}", options.threads);
  io::VideoEncoder encoder(settings);

  // Frames render on worker threads a few ahead of the encoder, which takes them in order.
  const int total = options.scene.frames;
  const int ahead = options.threads + 1;
  struct Rendered {
    Yuv420Frame frame;
    LabelMap labels;
  };
  std::optional<OutputFile> labels;
  if (options.labels) labels.emplace(labels_path(options.output));
  const bool with_labels = options.labels;
  std::deque<std::future<Rendered>> pending;
  int next = 0;
  auto launch = [&] {
    const int index = next++;
    pending.push_back(std::async(std::launch::async, [&scene, index, with_labels] {
      Rendered r;
      scene.render(index, r.frame, with_labels ? &r.labels : nullptr);
      return r;
    }));
  };
  while (next < total && static_cast<int>(pending.size()) < ahead) launch();
  for (int done = 0; done < total; ++done) {
    Rendered r = pending.front().get();
    pending.pop_front();
    if (next < total) launch();
    const auto& frame = r.frame;
    encoder.write({frame.y.data(), frame.u.data(), frame.v.data(), frame.width, frame.width / 2, frame.width / 2});
    if (labels) labels->write(r.labels.classes);
    if (options.progress) options.progress(done + 1, total);
  }
  const auto bytes = encoder.finish();

  SynthClipResult result;
  result.clip = options.output;
  result.motion = motion_path(options.output);
  result.frames = total;
  result.clip_bytes = bytes.size();
  write_file_atomic(result.motion, motion_json(scene).dump(1) + "\n");
  if (labels) {
    labels->commit();
    result.labels = labels->path();
  }
  write_file_atomic(result.clip, bytes);
  return result;
}

}  // namespace tac::synth
