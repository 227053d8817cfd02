// The road's flow between two frames: where synth's own projection puts a ground point seen from
// the first pose and from the moved one.
#include "tac/twin/ground_flow.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "tac/core/error.hpp"
#include "tac/twin/twin_samples.hpp"

namespace {

using tac::synth::Camera;
using tac::synth::EgoPose;

// synth's projection written out in world coordinates (scene.cpp's Projector): a ground point's
// camera pixel (continuous: a pixel spans [k, k + 1)) from a pose.
struct Pixel {
  double u, v;
};
Pixel project(const Camera& cam, const EgoPose& pose, double wx, double wz) {
  const double dx = wx - pose.x, dz = wz - pose.z, c = std::cos(pose.yaw), s = std::sin(pose.yaw);
  const double xc = dx * c - dz * s, zc = dx * s + dz * c;
  return {cam.cx + cam.focal * xc / zc, cam.horizon + cam.focal * cam.camera_height / zc};
}

}  // namespace

TEST(GroundFlow, EveryRoadPointMovesWhereTheMovedCameraSeesIt) {
  const Camera cam;
  const int rows = 24, cols = 32;
  const double sx = static_cast<double>(cam.width) / tac::twin::kPoseInputCols, sy = static_cast<double>(cam.height) / tac::twin::kPoseInputRows;
  EgoPose a;
  a.x = 3.2;
  a.z = 140.0;
  a.yaw = 0.21;
  for (const tac::twin::CameraMove m : {tac::twin::CameraMove{1.3, 0.0}, {0.7, 0.015}, {1.6, -0.017}, {0.0, 0.01}}) {
    const EgoPose b = tac::twin::moved_pose(a, m, 0.05);
    const auto flow = tac::twin::ground_flow(cam, tac::synth::relative_motion(a, b), rows, cols);
    ASSERT_EQ(flow.size(), static_cast<std::size_t>(2 * rows * cols));
    int checked = 0;
    for (int i = 0; i < rows; ++i) {
      const double v = (i + 0.5) * tac::twin::kPoseInputRows / rows * sy;
      if (v < cam.horizon + 20) continue;  // the road only; near the horizon it is past kFarDepth
      for (int j = 0; j < cols; ++j) {
        const double u = (j + 0.5) * tac::twin::kPoseInputCols / cols * sx;
        // The road point under this pixel, in the world, seen again from b.
        const double depth = cam.focal * cam.camera_height / (v - cam.horizon), lateral = (u - cam.cx) * depth / cam.focal;
        const double wx = a.x + lateral * std::cos(a.yaw) + depth * std::sin(a.yaw);
        const double wz = a.z - lateral * std::sin(a.yaw) + depth * std::cos(a.yaw);
        const Pixel seen = project(cam, a, wx, wz);
        ASSERT_NEAR(seen.u, u, 1e-6);
        ASSERT_NEAR(seen.v, v, 1e-6);
        const Pixel moved = project(cam, b, wx, wz);
        const std::size_t k = static_cast<std::size_t>(i) * cols + j;
        EXPECT_NEAR(flow[k], (moved.u - u) / sx, 2e-3) << i << "," << j << " arc " << m.arc << " turn " << m.turn;
        EXPECT_NEAR(flow[rows * cols + k], (moved.v - v) / sy, 2e-3) << i << "," << j;
        ++checked;
      }
    }
    EXPECT_GT(checked, rows * cols / 3);
  }
}

TEST(GroundFlow, StandingStillNothingMovesAndForwardTheRoadSpreadsOut) {
  const Camera cam;
  const int rows = 12, cols = 16, plane = rows * cols;
  for (const float f : tac::twin::ground_flow(cam, {0, 0, 0, 0, 0, 0}, rows, cols)) EXPECT_NEAR(f, 0.0f, 1e-9f);  // rounding only
  const auto slow = tac::twin::ground_flow(cam, {0.4, 0, 0, 0, 0, 0}, rows, cols);
  const auto fast = tac::twin::ground_flow(cam, {1.2, 0, 0, 0, 0, 0}, rows, cols);
  // Driving forward, the road below the horizon moves down and away from the centre column, the
  // more the further the car went; the bottom row moves most.
  const int bottom = rows - 1;
  for (int j = 0; j < cols; ++j) {
    const std::size_t k = static_cast<std::size_t>(bottom) * cols + j;
    EXPECT_GT(slow[plane + k], 0.0f);
    EXPECT_GT(fast[plane + k], slow[plane + k]);
    EXPECT_GT(fast[plane + k], fast[plane + k - cols]);
    EXPECT_EQ(fast[k] < 0.0f, j < cols / 2) << j;  // the centre column is 582 of 1164: halves split exactly
  }
  // Turning right (positive yaw), the far world slides left by about focal * yaw camera pixels.
  const double yaw = 0.01;
  const auto turn = tac::twin::ground_flow(cam, {0, 0, 0, 0, 0, yaw}, rows, cols);
  const double expected = -cam.focal * yaw / (static_cast<double>(cam.width) / tac::twin::kPoseInputCols);
  EXPECT_NEAR(turn[cols / 2], expected, 0.02 * std::abs(expected));
  EXPECT_NEAR(turn[plane + cols / 2], 0.0, 0.05);
}

TEST(GroundFlow, AnEmptyGridIsRefused) {
  EXPECT_THROW((void)tac::twin::ground_flow(Camera{}, {}, 0, 4), tac::Error);
  EXPECT_THROW((void)tac::twin::ground_flow(Camera{}, {}, 4, -1), tac::Error);
}
