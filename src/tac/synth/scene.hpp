#pragma once
// A procedural dashcam scene: a curving three-lane road in perspective with lane markings, sky,
// distant hills, roadside trees and poles, a few vehicles, and an ego car whose speed and heading
// change over time (including a full stop). Everything is a pure function of the seed, so the
// same seed renders the same frames, and the true camera motion of every frame is known.
//
// World frame: X right, Z forward along the road's mean direction, ground at height 0; the camera
// sits camera_height metres above the ground, looks along the heading `yaw` (radians, positive to
// the right), no pitch or roll. Pinhole projection with square pixels.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace tac::synth {

struct Camera {
  int width = 1164;
  int height = 874;
  double focal = 910.0;      // pixels (about the comma two's road camera)
  double cx = 582.0;         // principal point, column
  double horizon = 410.0;    // row of the horizon (principal point row)
  double camera_height = 1.22;  // metres above the road
};

// Ego state at one frame. `speed` is along the heading; `yaw_rate` is d(yaw)/dt.
struct EgoPose {
  double t = 0;  // seconds
  double x = 0;  // metres
  double z = 0;  // metres
  double yaw = 0;  // radians
  double speed = 0;     // m/s
  double yaw_rate = 0;  // rad/s
};

// One frame as 8-bit 4:2:0 planes (tight strides), BT.601 limited range like the contest video.
struct Yuv420Frame {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> y, u, v;
  void resize(int w, int h);
};

// The contest SegNet's five classes (comma10k's: road, lane markings, undrivable, movable, my
// car). The scene maps: asphalt -> road; lane and edge lines -> lane_marking; sky, hills, grass,
// gravel shoulders, trees and poles -> undrivable; vehicles -> movable. No ego hood is drawn, so
// my_car never appears.
enum class SegClass : std::uint8_t { road = 0, lane_marking = 1, undrivable = 2, movable = 3, my_car = 4 };
inline constexpr int kSegClasses = 5;

// Per-pixel class of a rendered frame: the class of whatever covers at least half of the pixel
// last (the painter's order of the render), row-major.
struct LabelMap {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> classes;  // SegClass values
};

// The camera's motion from frame a to frame b in the six components PoseNet's first outputs
// stand for, in a's camera frame: translation forward, right, down (metres) and rotation roll,
// pitch, yaw (radians, yaw positive turning right). The scene has no pitch, roll or climb, so
// components 2..4 are 0.
std::array<double, 6> relative_motion(const EgoPose& a, const EgoPose& b);

struct ScreenRect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // half-open pixel bounds, clipped to the frame
};

struct SceneOptions {
  std::uint64_t seed = 1;
  int frames = 1200;
  int fps = 20;
  bool vehicles = true;  // moving objects; off gives a static world (tests of ego motion)
  Camera camera;
};

class Scene {
 public:
  explicit Scene(const SceneOptions& options);

  const SceneOptions& options() const { return options_; }
  const std::vector<EgoPose>& poses() const { return poses_; }
  // Renders frame `index` (0 <= index < frames) into `out`, and its classes into `labels` when
  // given (the frame's pixels are the same either way).
  void render(int index, Yuv420Frame& out, LabelMap* labels = nullptr) const;
  // Renders the world at time `t` seen from `pose` (vehicles move with t, the rest is static).
  void render_at(const EgoPose& pose, double t, Yuv420Frame& out, LabelMap* labels = nullptr) const;
  // Screen bounds of every visible vehicle at frame `index` (its drawing never leaves them).
  std::vector<ScreenRect> vehicle_rects(int index) const;

  struct Params;  // seed-derived constants (defined in scene.cpp)

 private:
  SceneOptions options_;
  std::vector<EgoPose> poses_;
  std::shared_ptr<const Params> params_;
};

}  // namespace tac::synth
