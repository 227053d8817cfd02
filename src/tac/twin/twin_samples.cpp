#include "tac/twin/twin_samples.hpp"

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
  const auto& cam = scene.options().camera;
  if (cam.width != contest::kFrameWidth || cam.height != contest::kFrameHeight)
    fail(ErrorKind::usage, "twin samples need the contest's {}x{} frames; the scene renders {}x{}", contest::kFrameWidth,
         contest::kFrameHeight, cam.width, cam.height);
  if (pair < 0 || 2 * pair + 1 >= scene.options().frames)
    fail(ErrorKind::usage, "pair {} is outside the scene's {} frames", pair, scene.options().frames);
  synth::Yuv420Frame frame;
  synth::LabelMap labels;
  scene.render(2 * pair, frame);
  const std::vector<std::uint8_t> first = frame_to_rgb(frame);
  scene.render(2 * pair + 1, frame, &labels);
  const std::vector<std::uint8_t> second = frame_to_rgb(frame);

  TwinSample s;
  s.seg_input.resize(scorer::kSegInputFloats);
  s.pose_input.resize(scorer::kPoseInputFloats);
  std::vector<float> scratch(scorer::kSegInputFloats);
  scorer::preprocess_pair(first.data(), second.data(), s.seg_input.data(), s.pose_input.data(), scratch.data());
  s.labels = labels_at_net_size(labels);
  const auto& poses = scene.poses();
  s.motion = synth::relative_motion(poses[static_cast<std::size_t>(2 * pair)], poses[static_cast<std::size_t>(2 * pair + 1)]);
  return s;
}

}  // namespace tac::twin
