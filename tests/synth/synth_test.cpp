// `tac synth`: deterministic per seed, different across seeds, and its motion file agrees with
// its frames (a still ego car sees a still world apart from the vehicles).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/fixtures.hpp"
#include "synth_test_util.hpp"
#include "tac/io/video_decoder.hpp"
#include "tac/synth/synth_clip.hpp"

// libx265 3.5 never frees some of its own allocations (parameter strings, frame filter buffers);
// LeakSanitizer reads this hook, so those leaks do not fail the sanitizer build. tac's own
// allocations are still checked.
extern "C" const char* __lsan_default_suppressions() { return "leak:libx265.so\n"; }

namespace {

using tac::synth::Scene;
using tac::synth::SceneOptions;
using tac::synth::Yuv420Frame;

using tac::test::frame_hash;
using tac::test::read_all;

std::vector<std::string> hashes(const Scene& scene, std::initializer_list<int> frames) {
  std::vector<std::string> out;
  Yuv420Frame f;
  for (const int i : frames) {
    scene.render(i, f);
    out.push_back(frame_hash(f));
  }
  return out;
}

TEST(Synth, SameSeedSameFramesDifferentSeedDifferentFrames) {
  SceneOptions o;
  o.frames = 60;
  o.seed = 11;
  const auto a = hashes(Scene(o), {0, 17, 59});
  const auto b = hashes(Scene(o), {0, 17, 59});
  EXPECT_EQ(a, b);
  o.seed = 12;
  const auto c = hashes(Scene(o), {0, 17, 59});
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NE(a[i], c[i]) << i;
  // Consecutive frames of a moving car differ.
  EXPECT_NE(a[0], a[1]);
}

// Index of the first frame i with zero motion from i-1 (the clip's stop), from the motion JSON.
int first_still_frame(const nlohmann::json& motion) {
  for (const auto& f : motion["frames"]) {
    const int i = f["frame"];
    if (i > 0 && f["delta"]["forward"] == 0.0 && f["delta"]["right"] == 0.0 && f["delta"]["yaw"] == 0.0) return i;
  }
  return -1;
}

TEST(Synth, MotionFileAgreesWithFrames) {
  SceneOptions o;
  o.frames = 400;  // 20 s: long enough for the stop
  o.seed = 5;
  o.vehicles = false;
  const Scene still_world(o);
  const auto motion = tac::synth::motion_json(still_world);
  ASSERT_EQ(motion["frames"].size(), 400u);
  const int i = first_still_frame(motion);
  ASSERT_GT(i, 0) << "no zero-motion frame pair in the motion file";
  Yuv420Frame a, b;
  // Zero motion and no moving objects: identical frames.
  still_world.render(i - 1, a);
  still_world.render(i, b);
  EXPECT_EQ(frame_hash(a), frame_hash(b));
  // Non-zero motion: different frames; forward motion per frame is speed / fps.
  const auto& moving = motion["frames"][10];
  EXPECT_GT(moving["delta"]["forward"].get<double>(), 0.0);
  EXPECT_NEAR(moving["delta"]["forward"].get<double>(), motion["frames"][9]["speed"].get<double>() / 20.0, 0.05);
  still_world.render(9, a);
  still_world.render(10, b);
  EXPECT_NE(frame_hash(a), frame_hash(b));

  // With vehicles: at the stop, every changed pixel lies inside a vehicle's screen box.
  o.vehicles = true;
  const Scene traffic(o);
  traffic.render(i - 1, a);
  traffic.render(i, b);
  auto rects = traffic.vehicle_rects(i - 1);
  const auto more = traffic.vehicle_rects(i);
  rects.insert(rects.end(), more.begin(), more.end());
  int changed = 0, outside = 0;
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      const auto k = static_cast<std::size_t>(y) * a.width + x;
      if (a.y[k] == b.y[k]) continue;
      ++changed;
      bool inside = false;
      for (const auto& r : rects) inside |= x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1;
      outside += !inside;
    }
  }
  EXPECT_GT(changed, 0) << "vehicles should move while the ego car stands";
  EXPECT_EQ(outside, 0);
}

TEST(Synth, ClipIsReproducibleAndItsFramesFollowTheMotionFile) {
  tac::test::TempDir dir("synth");
  tac::synth::SynthClipOptions o;
  o.scene.frames = 12;
  o.scene.seed = 3;
  o.output = dir.path / "a.mkv";
  const auto a = tac::synth::write_synth_clip(o);
  o.output = dir.path / "b.mkv";
  const auto b = tac::synth::write_synth_clip(o);
  EXPECT_EQ(read_all(a.clip), read_all(b.clip));
  EXPECT_EQ(a.motion, dir.path / "a.motion.json");
  const auto motion = tac::test::read_json(a.motion);
  EXPECT_EQ(motion["frame_count"], 12);
  EXPECT_EQ(motion["seed"], 3);

  // The decoded clip's frame k is the render of pose k (close, lossy codec), not of pose k+6.
  const Scene scene(o.scene);
  tac::io::VideoDecoder decoder(a.clip, {.threads = 1});
  EXPECT_EQ(decoder.info().width, 1164);
  EXPECT_EQ(decoder.info().height, 874);
  Yuv420Frame same, other;
  scene.render(3, same);
  scene.render(9, other);
  const tac::io::YuvFrame* f = nullptr;
  for (int k = 0; k <= 3; ++k) f = decoder.next_yuv();
  ASSERT_NE(f, nullptr);
  auto mse = [&](const Yuv420Frame& r) {
    double sum = 0;
    for (int y = 0; y < r.height; ++y) {
      for (int x = 0; x < r.width; ++x) {
        const double d = static_cast<double>(f->planes.y[y * f->planes.y_stride + x]) -
                         static_cast<double>(r.y[static_cast<std::size_t>(y) * r.width + x]);
        sum += d * d;
      }
    }
    return sum / (static_cast<double>(r.width) * r.height);
  };
  const double psnr_same = 10 * std::log10(255.0 * 255.0 / mse(same));
  const double psnr_other = 10 * std::log10(255.0 * 255.0 / mse(other));
  EXPECT_GT(psnr_same, 35.0);
  EXPECT_GT(psnr_same, psnr_other + 5.0);
}

TEST(Synth, RejectsBadOptions) {
  SceneOptions o;
  o.frames = 0;
  EXPECT_ANY_THROW(Scene{o});
  o.frames = 10;
  o.camera.width = 1163;
  EXPECT_ANY_THROW(Scene{o});
}

}  // namespace
