// `tac synth` labels and six-component motion: the class plane does not change the frame, is
// deterministic, says what the render drew (sky rows undrivable, the lane ahead road, vehicles
// movable, lane lines bright), and pose6 is the motion file's delta in the documented order.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/fixtures.hpp"
#include "synth_test_util.hpp"
#include "tac/synth/synth_clip.hpp"


namespace {

using tac::synth::LabelMap;
using tac::synth::Scene;
using tac::synth::SceneOptions;
using tac::synth::SegClass;
using tac::synth::Yuv420Frame;

using tac::test::frame_hash;
using tac::test::read_all;

std::uint8_t at(const LabelMap& m, int x, int y) { return m.classes[static_cast<std::size_t>(y) * m.width + x]; }

std::array<std::size_t, tac::synth::kSegClasses> histogram(const LabelMap& m) {
  std::array<std::size_t, tac::synth::kSegClasses> h{};
  for (const auto c : m.classes) {
    EXPECT_LT(c, tac::synth::kSegClasses);
    if (c < h.size()) ++h[c];
  }
  return h;
}

TEST(SynthLabels, LeaveTheFrameUnchangedAndAreDeterministic) {
  SceneOptions o;
  o.frames = 40;
  o.seed = 21;
  const Scene scene(o);
  for (const int i : {0, 23, 39}) {
    Yuv420Frame plain, labelled;
    LabelMap a, b;
    scene.render(i, plain);
    scene.render(i, labelled, &a);
    EXPECT_EQ(frame_hash(plain), frame_hash(labelled)) << i;
    scene.render(i, labelled, &b);
    EXPECT_EQ(a.classes, b.classes) << i;
    ASSERT_EQ(a.classes.size(), static_cast<std::size_t>(o.camera.width) * o.camera.height);
    const auto h = histogram(a);
    EXPECT_EQ(h[static_cast<int>(SegClass::my_car)], 0u) << "no ego hood is drawn";
    EXPECT_GT(h[static_cast<int>(SegClass::road)], a.classes.size() / 10) << i;
    EXPECT_GT(h[static_cast<int>(SegClass::undrivable)], a.classes.size() / 5) << i;
    EXPECT_GT(h[static_cast<int>(SegClass::lane_marking)], 0u) << i;
  }
}

TEST(SynthLabels, SayWhatTheRenderDrew) {
  SceneOptions o;
  o.frames = 200;
  o.seed = 4;
  const Scene scene(o);
  const auto& cam = o.camera;
  std::size_t vehicle_pixels = 0, movable_inside = 0, marking = 0, marking_bright = 0, road = 0, road_bright = 0;
  for (const int i : {5, 60, 120, 190}) {
    Yuv420Frame f;
    LabelMap m;
    scene.render(i, f, &m);
    // Above the horizon: sky, hills, trees and poles (undrivable) or a vehicle's top (movable),
    // never ground; the top rows are sky.
    for (int y = 0; y < static_cast<int>(cam.horizon) - 1; ++y)
      for (int x = 0; x < cam.width; x += 7) {
        const int c = at(m, x, y);
        ASSERT_TRUE(c == static_cast<int>(SegClass::undrivable) || c == static_cast<int>(SegClass::movable)) << x << "," << y;
        if (y < 60) {
          ASSERT_EQ(c, static_cast<int>(SegClass::undrivable)) << x << "," << y;
        }
      }
    // Just ahead of the camera, in its own lane: road (or a dashed lane line), never undrivable.
    const int ahead = at(m, static_cast<int>(cam.cx), cam.height - 40);
    EXPECT_TRUE(ahead == static_cast<int>(SegClass::road) || ahead == static_cast<int>(SegClass::lane_marking)) << ahead;
    // The centre of each clearly visible vehicle box is movable.
    for (const auto& r : scene.vehicle_rects(i)) {
      if (r.x1 - r.x0 < 12 || r.y1 - r.y0 < 12) continue;
      ++vehicle_pixels;
      movable_inside += at(m, (r.x0 + r.x1) / 2, (r.y0 + 2 * r.y1) / 3) == static_cast<int>(SegClass::movable);
    }
    // Lane lines are painted near-white or yellow: brighter than the asphalt around them.
    for (int y = static_cast<int>(cam.horizon) + 40; y < cam.height; ++y)
      for (int x = 0; x < cam.width; ++x) {
        const int luma = f.y[static_cast<std::size_t>(y) * cam.width + x];
        if (at(m, x, y) == static_cast<int>(SegClass::lane_marking)) {
          ++marking;
          marking_bright += luma > 120;
        } else if (at(m, x, y) == static_cast<int>(SegClass::road)) {
          ++road;
          road_bright += luma > 120;
        }
      }
  }
  ASSERT_GT(vehicle_pixels, 0u) << "no vehicle close enough in the probed frames";
  EXPECT_EQ(movable_inside, vehicle_pixels);
  ASSERT_GT(marking, 0u);
  ASSERT_GT(road, 0u);
  EXPECT_GT(static_cast<double>(marking_bright) / marking, 0.8);
  EXPECT_LT(static_cast<double>(road_bright) / road, 0.2);
}

TEST(SynthLabels, Pose6IsTheMotionInTheDocumentedOrder) {
  SceneOptions o;
  o.frames = 300;
  o.seed = 8;
  const Scene scene(o);
  const auto motion = tac::synth::motion_json(scene);
  bool turned = false;
  for (const auto& f : motion["frames"]) {
    const auto pose6 = f["pose6"].get<std::vector<double>>();
    ASSERT_EQ(pose6.size(), 6u);
    EXPECT_EQ(pose6[0], f["delta"]["forward"].get<double>());
    EXPECT_EQ(pose6[1], f["delta"]["right"].get<double>());
    EXPECT_EQ(pose6[2], 0.0);
    EXPECT_EQ(pose6[3], 0.0);
    EXPECT_EQ(pose6[4], 0.0);
    EXPECT_EQ(pose6[5], f["delta"]["yaw"].get<double>());
    turned |= std::fabs(pose6[5]) > 1e-4;
  }
  EXPECT_TRUE(turned) << "the road curves: some frame pairs must yaw";
  // Forward motion between two poses is their distance along the first heading.
  const auto& p = scene.poses();
  const auto m = tac::synth::relative_motion(p[50], p[51]);
  EXPECT_NEAR(std::hypot(m[0], m[1]), std::hypot(p[51].x - p[50].x, p[51].z - p[50].z), 1e-12);
  EXPECT_GT(m[0], 0.0);
  const auto none = tac::synth::relative_motion(p[50], p[50]);
  for (const double c : none) EXPECT_EQ(c, 0.0);
}

TEST(SynthLabels, ClipWritesTheLabelFileOnlyWhenAsked) {
  tac::test::TempDir dir("synth_labels");
  tac::synth::SynthClipOptions o;
  o.scene.frames = 6;
  o.scene.seed = 2;
  o.output = dir.path / "plain.mkv";
  const auto plain = tac::synth::write_synth_clip(o);
  EXPECT_TRUE(plain.labels.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path / "plain.labels.u8"));
  o.output = dir.path / "clip.mkv";
  o.labels = true;
  const auto with = tac::synth::write_synth_clip(o);
  EXPECT_EQ(with.labels, dir.path / "clip.labels.u8");
  const auto frame_size = static_cast<std::uintmax_t>(o.scene.camera.width) * o.scene.camera.height;
  ASSERT_EQ(std::filesystem::file_size(with.labels), 6 * frame_size);
  // Frame 4's plane in the file is the render's.
  const Scene scene(o.scene);
  Yuv420Frame f;
  LabelMap m;
  scene.render(4, f, &m);
  std::ifstream in(with.labels, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(4 * frame_size));
  std::vector<std::uint8_t> stored(frame_size);
  in.read(reinterpret_cast<char*>(stored.data()), static_cast<std::streamsize>(stored.size()));
  EXPECT_EQ(stored, m.classes);
  // The labels do not change the clip's bytes.
  EXPECT_EQ(read_all(plain.clip), read_all(with.clip));
}

}  // namespace
