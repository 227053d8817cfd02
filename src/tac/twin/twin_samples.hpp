#pragma once
// Training samples for the twin scorer (issue #15): a frame pair of a procedural scene (`tac
// synth`) as the contest scorer sees it, with what is true about it — the second frame's classes
// at the network's 384x512 resolution and the camera's motion between the two frames.
// Torch-free: the trainer copies these into tensors.
#include <array>
#include <cstdint>
#include <vector>

#include "tac/synth/scene.hpp"

namespace tac::twin {

struct TwinSample {
  std::vector<float> seg_input;        // 3 x 384 x 512 planar RGB 0..255: the second frame (scorer §1.3)
  std::vector<float> pose_input;       // 12 x 192 x 256: YUV6 of both frames (scorer §1.4)
  std::vector<std::uint8_t> labels;    // 384 x 512 SegClass of the second frame
  std::array<double, 6> motion{};      // synth::relative_motion from the first frame to the second
};

// Pair `pair` of the scene = frames 2*pair and 2*pair + 1, as the scorer pairs a video. The frames
// go through the contest's YUV 4:2:0 -> RGB conversion and the scorer's preprocessing bit-exactly,
// as if the scene had been encoded losslessly. Throws unless the scene is at the contest's size.
TwinSample render_twin_sample(const synth::Scene& scene, int pair);

// Frames `first` and `second` of the scene as a pair (first < second): the same path, with the
// motion between them. Gaps longer than one frame widen the range of motions PoseNet trains on.
TwinSample render_twin_frames(const synth::Scene& scene, int first, int second);

// Frame `first` paired with the world seen from each of `views` at its time (the scene's own later
// poses, or moved ones): the first frame rendered once. render_twin_gaps and render_twin_moves
// are this with their views.
std::vector<TwinSample> render_twin_views(const synth::Scene& scene, int first, const std::vector<synth::EgoPose>& views);

// Frame `first` paired with each of the next `gaps` frames: samples for gaps 1..gaps, the same
// as render_twin_frames(scene, first, first + g), each frame rendered once. The same first frame
// with several motions: only the difference between the frames tells them apart.
std::vector<TwinSample> render_twin_gaps(const synth::Scene& scene, int first, int gaps);

// A camera motion a car can make between two frames: `arc` metres along a circular arc whose
// heading turns by `turn` radians (positive to the right), as a car at constant steering moves.
struct CameraMove {
  double arc = 0;
  double turn = 0;
};

// Pose `a` moved by `m` in a's camera frame, `dt` seconds later: forward chord * cos(turn / 2),
// right chord * sin(turn / 2) (chord = 2 arc sin(turn / 2) / turn), heading a.yaw + turn.
// relative_motion(a, result) is (forward, right, 0, 0, 0, turn).
synth::EgoPose moved_pose(const synth::EgoPose& a, const CameraMove& m, double dt);

// Frame `first` paired with the world seen from its pose moved by each of `moves`, at the next
// frame's time (vehicles move as they would): the same first frame with motions the scene's own
// trajectory never makes, so the motion cannot be told from which scene it is (issue #15).
std::vector<TwinSample> render_twin_moves(const synth::Scene& scene, int first, const std::vector<CameraMove>& moves);
// The poses render_twin_moves renders: frame `first`'s pose moved by each of `moves`, one frame
// later. Throws on a move no car makes between frames (negative, not finite, a turn of 1 rad).
std::vector<synth::EgoPose> moved_views(const synth::Scene& scene, int first, const std::vector<CameraMove>& moves);

// A rendered frame through the contest's YUV 4:2:0 -> RGB conversion (scorer §1.2): 874x1164x3.
std::vector<std::uint8_t> frame_to_rgb(const synth::Yuv420Frame& frame);

// A full-resolution label map brought to the network's 384x512: each output pixel takes the class
// under its footprint's centre, source index floor((i + 0.5) * in / out) per axis — the pixel the
// bilinear resize (§1.3, align_corners=False) weights most.
std::vector<std::uint8_t> labels_at_net_size(const synth::LabelMap& labels);

}  // namespace tac::twin
