#include "tac/twin/twin_samples.hpp"

#include <cmath>

#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/image/yuv420_to_rgb.hpp"
#include "tac/scorer/preprocess.hpp"

namespace tac::twin {

std::vector<std::uint8_t> frame_to_rgb(const synth::Yuv420Frame& frame) {
  image::Yuv420Planes planes;
  planes.y = frame.y.data();
  planes.u = frame.u.data();
  planes.v = frame.v.data();
  planes.y_stride = frame.width;
  planes.u_stride = planes.v_stride = (frame.width + 1) / 2;
  planes.width = frame.width;
  planes.height = frame.height;
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(frame.width) * frame.height * 3);
  image::yuv420_to_rgb(planes, rgb);
  return rgb;
}

namespace {

std::vector<int> nearest_index(int in, int out) {
  std::vector<int> index(static_cast<std::size_t>(out));
  for (int i = 0; i < out; ++i) {
    const int s = static_cast<int>((static_cast<double>(i) + 0.5) * in / out);
    index[static_cast<std::size_t>(i)] = s < in ? s : in - 1;
  }
  return index;
}

}  // namespace

std::vector<std::uint8_t> labels_at_net_size(const synth::LabelMap& labels) {
  if (labels.width < 1 || labels.height < 1 ||
      labels.classes.size() != static_cast<std::size_t>(labels.width) * static_cast<std::size_t>(labels.height))
    fail(ErrorKind::internal, "label map of {}x{} holds {} values", labels.width, labels.height, labels.classes.size());
  const auto rows = nearest_index(labels.height, scorer::kNetHeight);
  const auto cols = nearest_index(labels.width, scorer::kNetWidth);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(scorer::kNetHeight) * scorer::kNetWidth);
  for (int y = 0; y < scorer::kNetHeight; ++y) {
    const std::uint8_t* src = labels.classes.data() + static_cast<std::size_t>(rows[static_cast<std::size_t>(y)]) * labels.width;
    std::uint8_t* dst = out.data() + static_cast<std::size_t>(y) * scorer::kNetWidth;
    for (int x = 0; x < scorer::kNetWidth; ++x) dst[x] = src[cols[static_cast<std::size_t>(x)]];
  }
  return out;
}

TwinSample render_twin_sample(const synth::Scene& scene, int pair) {
  if (pair < 0 || 2 * pair + 1 >= scene.options().frames)
    fail(ErrorKind::usage, "pair {} is outside the scene's {} frames", pair, scene.options().frames);
  return render_twin_frames(scene, 2 * pair, 2 * pair + 1);
}

namespace {

void check_frames(const synth::Scene& scene, int first_frame, int second_frame) {
  const auto& cam = scene.options().camera;
  if (cam.width != contest::kFrameWidth || cam.height != contest::kFrameHeight)
    fail(ErrorKind::usage, "twin samples need the contest's {}x{} frames; the scene renders {}x{}", contest::kFrameWidth,
         contest::kFrameHeight, cam.width, cam.height);
  if (first_frame < 0 || second_frame <= first_frame || second_frame >= scene.options().frames)
    fail(ErrorKind::usage, "frames {} and {} are not an ordered pair inside the scene's {} frames", first_frame, second_frame,
         scene.options().frames);
}

TwinSample make_sample(const synth::EgoPose& first_pose, const synth::EgoPose& second_pose, const std::vector<std::uint8_t>& first,
                       const std::vector<std::uint8_t>& second, const synth::LabelMap& labels) {
  TwinSample s;
  s.seg_input.resize(scorer::kSegInputFloats);
  s.pose_input.resize(scorer::kPoseInputFloats);
  std::vector<float> scratch(scorer::kSegInputFloats);
  scorer::preprocess_pair(first.data(), second.data(), s.seg_input.data(), s.pose_input.data(), scratch.data());
  s.labels = labels_at_net_size(labels);
  s.motion = synth::relative_motion(first_pose, second_pose);
  return s;
}

}  // namespace

TwinSample render_twin_frames(const synth::Scene& scene, int first_frame, int second_frame) {
  check_frames(scene, first_frame, second_frame);
  synth::Yuv420Frame frame;
  synth::LabelMap labels;
  scene.render(first_frame, frame);
  const std::vector<std::uint8_t> first = frame_to_rgb(frame);
  scene.render(second_frame, frame, &labels);
  const auto& poses = scene.poses();
  return make_sample(poses[static_cast<std::size_t>(first_frame)], poses[static_cast<std::size_t>(second_frame)], first, frame_to_rgb(frame),
                     labels);
}

std::vector<TwinSample> render_twin_views(const synth::Scene& scene, int first_frame, const std::vector<synth::EgoPose>& views) {
  check_frames(scene, first_frame, first_frame + 1);
  synth::Yuv420Frame frame;
  synth::LabelMap labels;
  const synth::EgoPose& a = scene.poses()[static_cast<std::size_t>(first_frame)];
  scene.render(first_frame, frame);
  const std::vector<std::uint8_t> first = frame_to_rgb(frame);
  std::vector<TwinSample> out;
  for (const synth::EgoPose& b : views) {
    scene.render_at(b, b.t, frame, &labels);  // what scene.render does for one of its own poses
    out.push_back(make_sample(a, b, first, frame_to_rgb(frame), labels));
  }
  return out;
}

std::vector<TwinSample> render_twin_gaps(const synth::Scene& scene, int first_frame, int gaps) {
  if (gaps < 1) fail(ErrorKind::usage, "twin samples: {} frame gaps (at least 1)", gaps);
  check_frames(scene, first_frame, first_frame + gaps);
  const auto& poses = scene.poses();
  return render_twin_views(scene, first_frame, {poses.begin() + first_frame + 1, poses.begin() + first_frame + gaps + 1});
}

synth::EgoPose moved_pose(const synth::EgoPose& a, const CameraMove& m, double dt) {
  // A circular arc of length `arc` turning by `turn`: its chord is 2 R sin(turn / 2) with
  // R = arc / turn, at turn / 2 from the starting heading; a straight line when turn is 0.
  const double half = 0.5 * m.turn;
  const double chord = std::abs(half) > 1e-12 ? m.arc * std::sin(half) / half : m.arc;
  const double forward = chord * std::cos(half), right = chord * std::sin(half);
  const double c = std::cos(a.yaw), s = std::sin(a.yaw);
  synth::EgoPose b = a;
  b.t = a.t + dt;
  b.x = a.x + forward * s + right * c;  // the inverse of relative_motion's rotation
  b.z = a.z + forward * c - right * s;
  b.yaw = a.yaw + m.turn;
  b.speed = dt > 0 ? m.arc / dt : a.speed;
  b.yaw_rate = dt > 0 ? m.turn / dt : a.yaw_rate;
  return b;
}

std::vector<synth::EgoPose> moved_views(const synth::Scene& scene, int first_frame, const std::vector<CameraMove>& moves) {
  check_frames(scene, first_frame, first_frame + 1);
  for (const CameraMove& m : moves)
    if (!std::isfinite(m.arc) || !std::isfinite(m.turn) || m.arc < 0 || std::abs(m.turn) >= 1.0)
      fail(ErrorKind::usage, "twin samples: a camera move of {} m turning {} rad is not one a car makes between frames", m.arc, m.turn);
  const synth::EgoPose& a = scene.poses()[static_cast<std::size_t>(first_frame)];
  const double dt = 1.0 / scene.options().fps;
  std::vector<synth::EgoPose> views;
  for (const CameraMove& m : moves) views.push_back(moved_pose(a, m, dt));
  return views;
}

std::vector<TwinSample> render_twin_moves(const synth::Scene& scene, int first_frame, const std::vector<CameraMove>& moves) {
  return render_twin_views(scene, first_frame, moved_views(scene, first_frame, moves));
}

}  // namespace tac::twin
