#pragma once
// Where the points of PoseNet's input move between the two frames of a pair, were the world the
// flat road below the horizon and far away above it: the flow a camera motion gives the ground
// plane. A dense target PoseNet's middle features learn while training (issue #15, docs/twin.md
// "Flow supervision"): every textured patch says how far it moved, where the pair's six numbers
// say it only once. Torch-free.
#include <array>
#include <vector>

#include "tac/synth/scene.hpp"

namespace tac::twin {

// PoseNet's input grid (scorer §1.4): YUV6 planes at half the 384x512 net size.
inline constexpr int kPoseInputRows = 192;
inline constexpr int kPoseInputCols = 256;

// Beyond this depth (metres) a point counts as at the horizon's distance: sky, hills, the far road.
inline constexpr double kFarDepth = 1000.0;

// The flow at the centres of a rows x cols grid laid over the camera's image, in pixels of
// PoseNet's 192x256 input: the first rows*cols values are horizontal (rightward positive), the next
// rows*cols vertical (downward positive). `motion` is synth::relative_motion's: forward, right (m),
// roll, pitch, yaw (rad); the scenes move only forward, right and in yaw, so those three are used.
// Trees and vehicles stand above the road and move more than the road behind them: the target is
// the road's, a fair approximation where most of the picture is road, verge and sky.
std::vector<float> ground_flow(const synth::Camera& camera, const std::array<double, 6>& motion, int rows, int cols);

}  // namespace tac::twin
