#include "tac/twin/ground_flow.hpp"

#include <algorithm>
#include <cmath>

#include "tac/core/error.hpp"

namespace tac::twin {

std::vector<float> ground_flow(const synth::Camera& camera, const std::array<double, 6>& motion, int rows, int cols) {
  if (rows <= 0 || cols <= 0) fail(ErrorKind::internal, "ground_flow: grid {}x{} must be positive", rows, cols);
  const double forward = motion[0], right = motion[1], yaw = motion[5];
  const double c = std::cos(yaw), s = std::sin(yaw);
  const double f = camera.focal, h = camera.camera_height;
  // Camera pixels per input pixel: the resize to 384x512 and the 2x2 YUV6 blocks (§1.3, §1.4) scale
  // continuous coordinates (a pixel spans [k, k + 1)) by the size ratio.
  const double sx = static_cast<double>(camera.width) / kPoseInputCols, sy = static_cast<double>(camera.height) / kPoseInputRows;
  const std::size_t plane = static_cast<std::size_t>(rows) * cols;
  std::vector<float> flow(2 * plane);
  for (int i = 0; i < rows; ++i) {
    const double v = (i + 0.5) * kPoseInputRows / rows * sy;
    // Depth of the road under this row, or the far distance above the horizon; `below` is the
    // point's drop below the camera (the camera's height on the road).
    const double depth = std::min(kFarDepth, v > camera.horizon ? f * h / (v - camera.horizon) : kFarDepth);
    const double below = (v - camera.horizon) * depth / f;
    for (int j = 0; j < cols; ++j) {
      const double u = (j + 0.5) * kPoseInputCols / cols * sx;
      const double x = (u - camera.cx) * depth / f;
      // The point in the second camera's frame: moved by (right, forward), turned by yaw
      // (synth's projection: lateral = dx cos - dz sin, depth = dx sin + dz cos).
      const double x2 = (x - right) * c - (depth - forward) * s;
      const double z2 = std::max(0.5, (x - right) * s + (depth - forward) * c);
      const double u2 = camera.cx + f * x2 / z2, v2 = camera.horizon + f * below / z2;
      const std::size_t k = static_cast<std::size_t>(i) * cols + j;
      flow[k] = static_cast<float>((u2 - u) / sx);
      flow[plane + k] = static_cast<float>((v2 - v) / sy);
    }
  }
  return flow;
}

}  // namespace tac::twin
