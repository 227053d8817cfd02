#include "tac/synth/scene.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tac/core/error.hpp"

namespace tac::synth {
namespace {

constexpr double kPi = std::numbers::pi;

// SplitMix64: the one random source; every scene constant comes from it in a fixed order.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

// Integer hash -> [0, 1): world-anchored texture that does not depend on the frame.
inline float hash01(std::int32_t x, std::int32_t y, std::uint32_t seed) {
  std::uint32_t h = static_cast<std::uint32_t>(x) * 0x8DA6B343u ^ static_cast<std::uint32_t>(y) * 0xD8163841u ^ seed * 0xCB1AB31Fu;
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  h *= 0x297A2D39u;
  h ^= h >> 15;
  return static_cast<float>(h >> 8) * 0x1.0p-24f;
}

// Smooth value noise in [0, 1) on a unit grid.
inline float value_noise(float x, float y, std::uint32_t seed) {
  const float fx = std::floor(x), fy = std::floor(y);
  const auto ix = static_cast<std::int32_t>(fx), iy = static_cast<std::int32_t>(fy);
  float tx = x - fx, ty = y - fy;
  tx = tx * tx * (3.0f - 2.0f * tx);
  ty = ty * ty * (3.0f - 2.0f * ty);
  const float a = hash01(ix, iy, seed), b = hash01(ix + 1, iy, seed);
  const float c = hash01(ix, iy + 1, seed), d = hash01(ix + 1, iy + 1, seed);
  const float top = a + (b - a) * tx, bottom = c + (d - c) * tx;
  return top + (bottom - top) * ty;
}

// Fraction of the pixel footprint [p - w/2, p + w/2] covered by the interval [lo, hi].
inline float coverage(float p, float w, float lo, float hi) {
  const float overlap = std::min(p + 0.5f * w, hi) - std::max(p - 0.5f * w, lo);
  return overlap <= 0.0f ? 0.0f : std::min(1.0f, overlap / w);
}

// Coverage of a periodic dash pattern: [0, on) repeating every `period`.
inline float dash_coverage(float p, float w, float on, float period) {
  if (w >= period) return on / period;
  float m = std::fmod(p, period);
  if (m < 0) m += period;
  return std::min(1.0f, coverage(m, w, 0.0f, on) + coverage(m, w, period, period + on) + coverage(m, w, -period, on - period));
}

inline float smoothstep(double a, double b, double x) {
  const double t = std::clamp((x - a) / (b - a), 0.0, 1.0);
  return static_cast<float>(t * t * (3.0 - 2.0 * t));
}

struct Rgb {
  float r, g, b;
};
inline Rgb mix(Rgb a, Rgb b, float t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }
inline Rgb scale(Rgb a, float s) { return {a.r * s, a.g * s, a.b * s}; }

// amp * sin(k * z + phase) along the distance z, with its first two derivatives.
struct Sinusoid {
  double amp = 0, k = 0, phase = 0;
  double value(double z) const { return amp * std::sin(k * z + phase); }
  double slope(double z) const { return amp * k * std::cos(k * z + phase); }
  double curvature(double z) const { return -amp * k * k * std::sin(k * z + phase); }
};

struct Vehicle {
  double lane;    // lateral offset from the road centre (m)
  double d0, dv;  // initial distance ahead of the ego car (m), speed relative to it (m/s)
  Rgb color;
  bool lead;      // the car ahead in the ego lane, keeping a varying gap
};

// A float RGB canvas with anti-aliased primitives (coverage-weighted blending).
struct Canvas {
  int width, height;
  std::vector<Rgb> pixels;
  std::uint8_t* labels = nullptr;  // optional class plane: a primitive covering >= half a pixel claims it
  Rgb& at(int x, int y) { return pixels[static_cast<std::size_t>(y) * width + x]; }
  void claim(int x, int y, float coverage, SegClass c) {
    if (labels != nullptr && coverage >= 0.5f) labels[static_cast<std::size_t>(y) * width + x] = static_cast<std::uint8_t>(c);
  }

  void rect(double x0, double y0, double x1, double y1, Rgb color, SegClass label) {
    const int ix0 = std::max(0, static_cast<int>(std::floor(x0))), ix1 = std::min(width, static_cast<int>(std::ceil(x1)));
    const int iy0 = std::max(0, static_cast<int>(std::floor(y0))), iy1 = std::min(height, static_cast<int>(std::ceil(y1)));
    for (int y = iy0; y < iy1; ++y) {
      const float cy = coverage(static_cast<float>(y) + 0.5f, 1.0f, static_cast<float>(y0), static_cast<float>(y1));
      for (int x = ix0; x < ix1; ++x) {
        const float a = cy * coverage(static_cast<float>(x) + 0.5f, 1.0f, static_cast<float>(x0), static_cast<float>(x1));
        at(x, y) = mix(at(x, y), color, a);
        claim(x, y, a, label);
      }
    }
  }
  void ellipse(double cx, double cy, double rx, double ry, Rgb color, std::uint32_t seed, double texture, SegClass label) {
    const int ix0 = std::max(0, static_cast<int>(std::floor(cx - rx))), ix1 = std::min(width, static_cast<int>(std::ceil(cx + rx)));
    const int iy0 = std::max(0, static_cast<int>(std::floor(cy - ry))), iy1 = std::min(height, static_cast<int>(std::ceil(cy + ry)));
    const double edge = std::max(1.0, std::min(rx, ry));
    for (int y = iy0; y < iy1; ++y) {
      for (int x = ix0; x < ix1; ++x) {
        const double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
        const double d = std::sqrt(dx * dx + dy * dy);
        const float a = static_cast<float>(std::clamp((1.0 - d) * edge + 0.5, 0.0, 1.0));
        if (a <= 0.0f) continue;
        // Leaf texture anchored to the ellipse (moves with it).
        const float n = value_noise(static_cast<float>(dx * 4.0 + 9.0), static_cast<float>(dy * 4.0 + 9.0), seed);
        at(x, y) = mix(at(x, y), scale(color, static_cast<float>(1.0 - texture + 2.0 * texture * n)), a);
        claim(x, y, a, label);
      }
    }
  }
};

}  // namespace

struct Scene::Params {
  // Road centre line x_r(Z) = a1 sin(k1 Z + p1) + a2 sin(k2 Z + p2).
  Sinusoid road1, road2;
  // Ego: lateral weave in its lane, cruise speed and its modulation, one stop.
  Sinusoid weave;
  double cruise, speed_mod, speed_period, speed_phase;
  double stop_start;  // seconds; negative when the clip is too short for a stop
  // Lighting as a function of distance travelled (so a stopped car sees a still world).
  Sinusoid light_wave;  // relative brightness change
  double shadow_period, shadow_length;
  double tree_spacing;
  double hill_p1, hill_p2, hill_p3;
  Rgb sky_top, sky_horizon, grass, asphalt, hill;
  std::uint32_t texture_seed;
  std::vector<Vehicle> vehicles;
  double lead_gap, lead_amp, lead_omega, lead_phase;

  double road_x(double z) const { return road1.value(z) + road2.value(z); }
  // The ego's lane position, its slope and curvature: the road's plus the weave's.
  double ego_x(double z) const { return road_x(z) + weave.value(z); }
  double ego_slope(double z) const { return road1.slope(z) + road2.slope(z) + weave.slope(z); }
  double ego_curvature(double z) const { return road1.curvature(z) + road2.curvature(z) + weave.curvature(z); }

  double speed(double t) const {
    double v = cruise * (1.0 + speed_mod * std::sin(2.0 * kPi * t / speed_period + speed_phase));
    if (stop_start >= 0) {
      // Brake over 3 s, stand still 1.5 s, pull away over 4 s.
      const double s = stop_start;
      const double envelope = 1.0 - smoothstep(s, s + 3.0, t) + smoothstep(s + 4.5, s + 8.5, t);
      v *= envelope;
      if (t >= s + 3.0 && t <= s + 4.5) v = 0.0;
    }
    return v;
  }
  double light(double z) const { return 1.0 + light_wave.value(z); }
};

void Yuv420Frame::resize(int w, int h) {
  width = w;
  height = h;
  y.resize(static_cast<std::size_t>(w) * h);
  u.resize(static_cast<std::size_t>(w / 2) * (h / 2));
  v.resize(static_cast<std::size_t>(w / 2) * (h / 2));
}

Scene::Scene(const SceneOptions& options) : options_(options) {
  const auto& cam = options.camera;
  if (options.frames <= 0) fail(ErrorKind::usage, "synth: frame count must be positive (got {})", options.frames);
  if (options.fps <= 0) fail(ErrorKind::usage, "synth: fps must be positive (got {})", options.fps);
  if (cam.width <= 0 || cam.height <= 0 || cam.width % 2 || cam.height % 2) {
    fail(ErrorKind::usage, "synth: frame size {}x{} must be positive and even", cam.width, cam.height);
  }
  Random rng{options.seed ^ 0x7AC5C0DEull};
  auto p = std::make_shared<Params>();
  // Amplitude in [amp_lo, amp_hi), wavelength in [wave_lo, wave_hi) metres, any phase (drawn in that order).
  const auto sinusoid = [&rng](double amp_lo, double amp_hi, double wave_lo, double wave_hi) {
    Sinusoid w;
    w.amp = rng.uniform(amp_lo, amp_hi);
    w.k = 2 * kPi / rng.uniform(wave_lo, wave_hi);
    w.phase = rng.uniform(0, 2 * kPi);
    return w;
  };
  p->road1 = sinusoid(8, 22, 500, 900);
  p->road2 = sinusoid(2, 6, 150, 260);
  p->weave = sinusoid(0.15, 0.4, 120, 220);
  p->cruise = rng.uniform(13, 24);
  p->speed_mod = rng.uniform(0.08, 0.2);
  p->speed_period = rng.uniform(12, 25);
  p->speed_phase = rng.uniform(0, 2 * kPi);
  const double duration = static_cast<double>(options.frames) / options.fps;
  const double stop_fraction = rng.uniform(0.3, 0.5);
  p->stop_start = duration >= 12.0 ? duration * stop_fraction : -1.0;
  p->light_wave = sinusoid(0.08, 0.16, 150, 300);
  p->shadow_period = rng.uniform(90, 160);
  p->shadow_length = rng.uniform(6, 12);
  p->tree_spacing = rng.uniform(14, 22);
  p->hill_p1 = rng.uniform(0, 2 * kPi);
  p->hill_p2 = rng.uniform(0, 2 * kPi);
  p->hill_p3 = rng.uniform(0, 2 * kPi);
  const float tint = static_cast<float>(rng.uniform(-12, 12));
  p->sky_top = {60 + tint, 110 + tint * 0.5f, 195};
  p->sky_horizon = {185, 200 + tint * 0.3f, 218};
  p->grass = {static_cast<float>(rng.uniform(55, 90)), static_cast<float>(rng.uniform(95, 125)), static_cast<float>(rng.uniform(40, 60))};
  const float gray = static_cast<float>(rng.uniform(78, 100));
  p->asphalt = {gray, gray, gray + 4};
  p->hill = {static_cast<float>(rng.uniform(80, 105)), static_cast<float>(rng.uniform(100, 120)), static_cast<float>(rng.uniform(100, 125))};
  p->texture_seed = static_cast<std::uint32_t>(rng.next());
  const int vehicle_count = 5;
  for (int i = 0; i < vehicle_count; ++i) {
    Vehicle v{};
    v.lane = (rng.next() & 1) ? 3.5 : -3.5;
    v.d0 = rng.uniform(10, 220);
    v.dv = rng.uniform(-5, 5);
    v.color = {static_cast<float>(rng.uniform(30, 230)), static_cast<float>(rng.uniform(30, 230)), static_cast<float>(rng.uniform(30, 230))};
    v.lead = false;
    p->vehicles.push_back(v);
  }
  Vehicle lead{};
  lead.lane = 0;
  lead.color = {static_cast<float>(rng.uniform(120, 230)), static_cast<float>(rng.uniform(20, 80)), static_cast<float>(rng.uniform(20, 80))};
  lead.lead = true;
  p->vehicles.push_back(lead);
  p->lead_gap = rng.uniform(28, 45);
  p->lead_amp = rng.uniform(4, 10);
  p->lead_omega = 2 * kPi / rng.uniform(8, 16);
  p->lead_phase = rng.uniform(0, 2 * kPi);
  params_ = p;

  // Ego trajectory: distance integrates the speed profile (exactly still while the speed is 0);
  // position and heading follow the lane along the road at that distance.
  poses_.resize(static_cast<std::size_t>(options.frames));
  const double dt = 1.0 / options.fps;
  double z = 0.0;
  for (int i = 0; i < options.frames; ++i) {
    EgoPose pose;
    pose.t = i * dt;
    pose.z = z;
    pose.x = p->ego_x(z);
    const double slope = p->ego_slope(z);
    pose.yaw = std::atan(slope);
    pose.speed = p->speed(pose.t);
    // d(yaw)/dt = d(atan(slope))/dz * dz/dt, with dz/dt = speed * cos(yaw).
    const double curvature = p->ego_curvature(z);
    pose.yaw_rate = curvature / (1.0 + slope * slope) * pose.speed * std::cos(pose.yaw);
    poses_[static_cast<std::size_t>(i)] = pose;
    z += pose.speed * dt * std::cos(pose.yaw);
  }
}

namespace {

struct Projector {
  const Camera& cam;
  double x, z, c, s;  // camera position and cos/sin of its yaw
  // World ground point -> camera (lateral, depth).
  void to_camera(double wx, double wz, double& xc, double& zc) const {
    const double dx = wx - x, dz = wz - z;
    xc = dx * c - dz * s;
    zc = dx * s + dz * c;
  }
  double column(double xc, double zc) const { return cam.cx + cam.focal * xc / zc; }
  // Row of a point `height` metres above the ground at depth zc.
  double row(double height, double zc) const { return cam.horizon + cam.focal * (cam.camera_height - height) / zc; }
  double pixels(double metres, double zc) const { return cam.focal * metres / zc; }
};

struct VehicleDraw {
  double zc, u, width_px, top, bottom;  // rear face: centre column, width, rows
  Rgb color;
  float fog;
};

// Where vehicle `v` is at time t, in world coordinates; false when it is not in front of the camera.
bool vehicle_world(const Scene::Params& p, const Vehicle& v, const EgoPose& pose, double t, double& wx, double& wz) {
  double ahead;
  if (v.lead) {
    ahead = p.lead_gap + p.lead_amp * std::sin(p.lead_omega * t + p.lead_phase);
  } else {
    // Wraps within [-40, 260) metres of the ego car, so traffic keeps flowing past.
    ahead = std::fmod(v.d0 + v.dv * t + 40.0, 300.0);
    if (ahead < 0) ahead += 300.0;
    ahead -= 40.0;
  }
  wz = pose.z + ahead;
  wx = p.road_x(wz) + v.lane;
  return true;
}

std::vector<VehicleDraw> visible_vehicles(const Scene::Params& p, const Camera& cam, const Projector& proj,
                                          const EgoPose& pose, double t) {
  std::vector<VehicleDraw> out;
  for (const auto& v : p.vehicles) {
    double wx, wz, xc, zc;
    vehicle_world(p, v, pose, t, wx, wz);
    proj.to_camera(wx, wz, xc, zc);
    if (zc < 5.0 || zc > 400.0) continue;
    VehicleDraw d;
    d.zc = zc;
    d.u = proj.column(xc, zc);
    d.width_px = proj.pixels(1.9, zc);
    d.top = proj.row(1.5, zc);
    d.bottom = proj.row(-0.06, zc);
    if (d.u + d.width_px < 0 || d.u - d.width_px > cam.width) continue;
    d.color = v.color;
    d.fog = static_cast<float>(1.0 - std::exp(-zc / 450.0));
    out.push_back(d);
  }
  return out;
}

}  // namespace

std::vector<ScreenRect> Scene::vehicle_rects(int index) const {
  std::vector<ScreenRect> rects;
  if (!options_.vehicles) return rects;
  if (index < 0 || index >= options_.frames) fail(ErrorKind::internal, "synth: frame {} out of range", index);
  const auto& pose = poses_[static_cast<std::size_t>(index)];
  const auto& cam = options_.camera;
  const Projector proj{cam, pose.x, pose.z, std::cos(pose.yaw), std::sin(pose.yaw)};
  for (const auto& d : visible_vehicles(*params_, cam, proj, pose, pose.t)) {
    ScreenRect r;
    r.x0 = std::clamp(static_cast<int>(std::floor(d.u - d.width_px / 2)), 0, cam.width);
    r.x1 = std::clamp(static_cast<int>(std::ceil(d.u + d.width_px / 2)), 0, cam.width);
    r.y0 = std::clamp(static_cast<int>(std::floor(d.top)), 0, cam.height);
    r.y1 = std::clamp(static_cast<int>(std::ceil(d.bottom)), 0, cam.height);
    if (r.x1 > r.x0 && r.y1 > r.y0) rects.push_back(r);
  }
  return rects;
}

void Scene::render(int index, Yuv420Frame& out, LabelMap* labels) const {
  if (index < 0 || index >= options_.frames) fail(ErrorKind::internal, "synth: frame {} out of range 0..{}", index, options_.frames - 1);
  const auto& pose = poses_[static_cast<std::size_t>(index)];
  render_at(pose, pose.t, out, labels);
}

std::array<double, 6> relative_motion(const EgoPose& a, const EgoPose& b) {
  const double dx = b.x - a.x, dz = b.z - a.z;
  const double c = std::cos(a.yaw), s = std::sin(a.yaw);
  return {dx * s + dz * c, dx * c - dz * s, 0.0, 0.0, 0.0, b.yaw - a.yaw};
}

namespace {

// What every step of one frame's render reads.
struct FrameView {
  const Scene::Params& p;
  const Camera& cam;
  const EgoPose& pose;
  Projector proj;
  float light;    // brightness at the ego's distance
  Rgb haze;       // colour distance fades to
  std::uint32_t seed;
  float fog(double zc) const { return static_cast<float>(1.0 - std::exp(-zc / 450.0)); }
  Rgb shade(Rgb c, float fog_amount) const { return scale(mix(c, haze, fog_amount), light); }
};

// Rows above the horizon: sky with clouds, and the hills' silhouette.
void paint_sky(const FrameView& v, Canvas& canvas) {
  const auto& p = v.p;
  const auto& cam = v.cam;
  const int W = cam.width;
  // Per column: the azimuth of the ray and the height (tan of elevation) of the hills there.
  std::vector<double> azimuths(static_cast<std::size_t>(W)), hills(static_cast<std::size_t>(W));
  for (int col = 0; col < W; ++col) {
    const double azimuth = v.pose.yaw + std::atan((col + 0.5 - cam.cx) / cam.focal);
    azimuths[static_cast<std::size_t>(col)] = azimuth;
    hills[static_cast<std::size_t>(col)] = 0.018 + 0.012 * std::sin(3 * azimuth + p.hill_p1) +
                                           0.007 * std::sin(7 * azimuth + p.hill_p2) + 0.004 * std::sin(17 * azimuth + p.hill_p3);
  }
  for (int row = 0; row < cam.height; ++row) {
    const double vy = row + 0.5 - cam.horizon;
    if (vy > 0.0) break;
    Rgb* line = &canvas.pixels[static_cast<std::size_t>(row) * W];
    const double elevation = -vy / cam.focal;  // tan of the angle above the horizon
    const float sky_t = static_cast<float>(std::min(1.0, elevation / 0.45));
    const Rgb sky = mix(p.sky_horizon, p.sky_top, std::sqrt(sky_t));
    for (int col = 0; col < W; ++col) {
      const double azimuth = azimuths[static_cast<std::size_t>(col)];
      const double hill = hills[static_cast<std::size_t>(col)];
      Rgb c;
      if (elevation < hill) {
        const float n = value_noise(static_cast<float>(azimuth * 300.0), static_cast<float>(elevation * 300.0), v.seed + 7);
        c = mix(scale(p.hill, 0.9f + 0.2f * n), v.haze, 0.35f);
        // Soft silhouette edge (about one pixel).
        const float edge = static_cast<float>(std::clamp((hill - elevation) * cam.focal, 0.0, 1.0));
        c = mix(sky, c, edge);
      } else {
        const float cloud = value_noise(static_cast<float>(azimuth * 9.0), static_cast<float>(elevation * 28.0), v.seed + 3);
        const float amount = std::clamp((cloud - 0.55f) * 2.5f, 0.0f, 0.8f);
        c = mix(sky, Rgb{235, 238, 242}, amount);
      }
      line[col] = scale(c, v.light);
    }
    if (canvas.labels != nullptr)
      std::fill_n(canvas.labels + static_cast<std::size_t>(row) * W, W, static_cast<std::uint8_t>(SegClass::undrivable));
  }
}

// Rows below the horizon: road, shoulders, grass, markings and shadow bands, fogged with depth.
void paint_ground(const FrameView& v, Canvas& canvas) {
  const auto& p = v.p;
  const auto& cam = v.cam;
  const auto& pose = v.pose;
  const auto& proj = v.proj;
  const int W = cam.width;
  // The road centre is smooth: evaluated every kStep columns of a row and interpolated between.
  constexpr int kStep = 16;
  std::vector<float> road_centre(static_cast<std::size_t>(W / kStep + 2));
  for (int row = 0; row < cam.height; ++row) {
    const double vy = row + 0.5 - cam.horizon;
    if (vy <= 0.0) continue;
    Rgb* line = &canvas.pixels[static_cast<std::size_t>(row) * W];
    const double zc = cam.focal * cam.camera_height / vy;                     // depth of this row's ground
    const auto footprint_x = static_cast<float>(zc / cam.focal);              // metres per pixel across
    const auto footprint_z = static_cast<float>(zc * zc / (cam.focal * cam.camera_height));  // metres per row
    const float fog = v.fog(zc);
    const float fine = std::clamp(1.0f - footprint_x / 0.3f, 0.0f, 1.0f);
    const float coarse = std::clamp(1.0f - footprint_z / 6.0f, 0.0f, 1.0f);
    for (std::size_t k = 0; k < road_centre.size(); ++k) {
      const double xc = (static_cast<double>(k) * kStep + 0.5 - cam.cx) * zc / cam.focal;
      road_centre[k] = static_cast<float>(p.road_x(pose.z - xc * proj.s + zc * proj.c) - pose.x);
    }
    const double row_x = zc * proj.s, row_z = pose.z + zc * proj.c;
    for (int col = 0; col < W; ++col) {
      const double xc = (col + 0.5 - cam.cx) * zc / cam.focal;
      const double wz = row_z - xc * proj.s;
      const float frac = static_cast<float>(col % kStep) / kStep;
      const float* rc = &road_centre[static_cast<std::size_t>(col / kStep)];
      // Lateral position across the road (relative to the camera's x, to keep float precision).
      const auto s = static_cast<float>(xc * proj.c + row_x) - (rc[0] + (rc[1] - rc[0]) * frac);
      const auto zf = static_cast<float>(wz);
      const float n1 = fine > 0.0f ? value_noise(s * 4.0f, zf * 4.0f, v.seed) : 0.5f;
      const float n2 = coarse > 0.0f ? value_noise(s * 0.5f, zf * 0.25f, v.seed + 1) : 0.5f;
      const float texture = 1.0f + 0.22f * fine * (n1 - 0.5f) + 0.25f * coarse * (n2 - 0.5f);
      const float w_road = coverage(s, footprint_x, -5.4f, 5.4f);
      const float w_shoulder = coverage(s, footprint_x, -6.6f, -5.4f) + coverage(s, footprint_x, 5.4f, 6.6f);
      Rgb c = scale(p.asphalt, w_road * texture);
      const Rgb gravel{125, 115, 100};
      c = mix(c, scale(gravel, texture), w_shoulder / std::max(1e-6f, w_road + w_shoulder) * std::min(1.0f, w_road + w_shoulder));
      const float w_grass = std::max(0.0f, 1.0f - w_road - w_shoulder);
      const float grass_n = w_grass > 0.0f && coarse > 0.0f ? value_noise(s * 1.5f, zf * 1.5f, v.seed + 2) : 0.5f;
      c = mix(c, scale(p.grass, 0.8f + 0.4f * (coarse * grass_n + (1 - coarse) * 0.5f)), w_grass);
      // Markings: dashed lane lines at +-1.75 m, solid edge lines (yellow left, white right).
      const float dash = dash_coverage(zf, footprint_z, 3.5f, 12.0f);
      const float lane = (coverage(s, footprint_x, -1.82f, -1.68f) + coverage(s, footprint_x, 1.68f, 1.82f)) * dash;
      const float left_edge = coverage(s, footprint_x, -5.3f, -5.1f), right_edge = coverage(s, footprint_x, 5.1f, 5.3f);
      c = mix(c, Rgb{228, 228, 222}, std::min(1.0f, lane));
      c = mix(c, Rgb{222, 190, 70}, left_edge);
      c = mix(c, Rgb{228, 228, 222}, right_edge);
      if (canvas.labels != nullptr) {
        SegClass label = w_road >= 0.5f ? SegClass::road : SegClass::undrivable;
        if (std::min(1.0f, lane) >= 0.5f || left_edge >= 0.5f || right_edge >= 0.5f) label = SegClass::lane_marking;
        canvas.labels[static_cast<std::size_t>(row) * W + col] = static_cast<std::uint8_t>(label);
      }
      // Shadow bands of overhead structures, anchored to the road.
      const float shadow = dash_coverage(zf, footprint_z, static_cast<float>(p.shadow_length), static_cast<float>(p.shadow_period));
      c = scale(c, 1.0f - 0.42f * shadow);
      c = mix(c, v.haze, fog);
      line[col] = scale(c, v.light);
    }
  }
}

// A roadside object or vehicle at depth zc, drawn far to near.
struct Object {
  double zc;
  int kind;  // 0 tree, 1 pole, 2 vehicle
  std::int64_t index;
  double u;
};

// Trees and poles within reach of the camera, and the visible vehicles (index into `vehicles`), far first.
std::vector<Object> objects_far_to_near(const FrameView& v, const std::vector<VehicleDraw>& vehicles) {
  const auto& p = v.p;
  const auto& pose = v.pose;
  const auto& proj = v.proj;
  const std::uint32_t seed = v.seed;
  std::vector<Object> objects;
  const auto k_begin = static_cast<std::int64_t>(std::floor((pose.z - 10.0) / p.tree_spacing));
  const auto k_end = static_cast<std::int64_t>(std::ceil((pose.z + 320.0) / p.tree_spacing));
  auto object_world = [&](std::int64_t k, double& wx, double& wz, int& kind) {
    const auto ki = static_cast<std::int32_t>(k);
    wz = (static_cast<double>(k) + 0.8 * hash01(ki, 1, seed)) * p.tree_spacing;
    const double side = hash01(ki, 2, seed) < 0.5 ? -1.0 : 1.0;
    kind = hash01(ki, 3, seed) < 0.22 ? 1 : 0;
    const double offset = kind == 1 ? 7.4 : 8.5 + 6.0 * hash01(ki, 4, seed);
    wx = p.road_x(wz) + side * offset;
  };
  for (std::int64_t k = k_begin; k <= k_end; ++k) {
    double wx, wz, xc, zc;
    int kind;
    object_world(k, wx, wz, kind);
    proj.to_camera(wx, wz, xc, zc);
    if (zc < 2.0 || zc > 330.0) continue;
    objects.push_back({zc, kind, k, proj.column(xc, zc)});
  }
  for (std::size_t i = 0; i < vehicles.size(); ++i) objects.push_back({vehicles[i].zc, 2, static_cast<std::int64_t>(i), vehicles[i].u});
  std::sort(objects.begin(), objects.end(), [](const Object& a, const Object& b) { return a.zc > b.zc; });
  return objects;
}

// A vehicle's rear: contact shadow, body, cabin glass, tail lights and plate.
void draw_vehicle(const FrameView& v, Canvas& canvas, const VehicleDraw& d) {
  const auto shade = [&](Rgb c) { return v.shade(c, d.fog); };
  const double half = d.width_px / 2, height = d.bottom - d.top;
  auto band = [&](double from, double to) { return std::pair{d.top + height * from, d.top + height * to}; };
  // Rows, top to bottom: cabin (glass), body, bumper; the contact shadow is the last band.
  const auto [g0, g1] = band(0.0, 0.32);
  const auto [b0, b1] = band(0.30, 0.82);
  const auto [s0, s1] = band(0.82, 1.0);
  constexpr auto M = SegClass::movable;
  canvas.rect(d.u - half * 0.98, s0, d.u + half * 0.98, s1, shade({25, 25, 27}), M);
  canvas.rect(d.u - half * 0.95, b0, d.u + half * 0.95, b1, shade(d.color), M);
  canvas.rect(d.u - half * 0.78, g0, d.u + half * 0.78, g1, shade(mix(d.color, Rgb{35, 42, 52}, 0.75f)), M);
  const double light_w = d.width_px * 0.16, light_h = height * 0.09;
  const double ly = d.top + height * 0.45;
  canvas.rect(d.u - half * 0.92, ly, d.u - half * 0.92 + light_w, ly + light_h, shade({205, 30, 28}), M);
  canvas.rect(d.u + half * 0.92 - light_w, ly, d.u + half * 0.92, ly + light_h, shade({205, 30, 28}), M);
  canvas.rect(d.u - d.width_px * 0.12, d.top + height * 0.62, d.u + d.width_px * 0.12, d.top + height * 0.72,
              shade({225, 225, 215}), M);
}

// A pole with a lamp arm, or a tree (trunk and canopy), at column o.u.
void draw_roadside(const FrameView& v, Canvas& canvas, const Object& o) {
  const auto& proj = v.proj;
  const std::uint32_t seed = v.seed;
  const float fog = v.fog(o.zc);
  const auto shade = [&](Rgb c) { return v.shade(c, fog); };
  const auto ki = static_cast<std::int32_t>(o.index);
  if (o.kind == 1) {
    const double w = proj.pixels(0.22, o.zc);
    const double top = proj.row(8.0, o.zc), bottom = proj.row(0.0, o.zc);
    canvas.rect(o.u - w / 2, top, o.u + w / 2, bottom, shade({150, 150, 155}), SegClass::undrivable);
    return;
  }
  const double size = 0.8 + 0.5 * hash01(ki, 5, seed);
  const double trunk_w = proj.pixels(0.35 * size, o.zc);
  canvas.rect(o.u - trunk_w / 2, proj.row(2.6 * size, o.zc), o.u + trunk_w / 2, proj.row(0.0, o.zc), shade({85, 62, 40}),
              SegClass::undrivable);
  const Rgb leaf{static_cast<float>(40 + 40 * hash01(ki, 6, seed)), static_cast<float>(80 + 50 * hash01(ki, 7, seed)), 40};
  canvas.ellipse(o.u, proj.row(3.9 * size, o.zc), proj.pixels(1.9 * size, o.zc), proj.pixels(2.1 * size, o.zc), shade(leaf),
                 seed + static_cast<std::uint32_t>(ki), 0.18, SegClass::undrivable);
}

// RGB -> BT.601 limited-range 4:2:0 (the contest decode's inverse).
void to_yuv420(const Canvas& canvas, Yuv420Frame& out) {
  const int W = canvas.width, H = canvas.height;
  out.resize(W, H);
  auto to_byte = [](float x) { return static_cast<std::uint8_t>(std::clamp(std::nearbyint(x), 0.0f, 255.0f)); };
  for (int row = 0; row < H; ++row) {
    const Rgb* line = &canvas.pixels[static_cast<std::size_t>(row) * W];
    std::uint8_t* y = &out.y[static_cast<std::size_t>(row) * W];
    for (int col = 0; col < W; ++col) {
      const Rgb c = line[col];
      y[col] = to_byte(16.0f + (65.481f * c.r + 128.553f * c.g + 24.966f * c.b) / 255.0f);
    }
  }
  const int cw = W / 2;
  for (int row = 0; row < H / 2; ++row) {
    const Rgb* a = &canvas.pixels[static_cast<std::size_t>(2 * row) * W];
    const Rgb* b = a + W;
    for (int col = 0; col < cw; ++col) {
      const float r = 0.25f * (a[2 * col].r + a[2 * col + 1].r + b[2 * col].r + b[2 * col + 1].r);
      const float g = 0.25f * (a[2 * col].g + a[2 * col + 1].g + b[2 * col].g + b[2 * col + 1].g);
      const float bl = 0.25f * (a[2 * col].b + a[2 * col + 1].b + b[2 * col].b + b[2 * col + 1].b);
      out.u[static_cast<std::size_t>(row) * cw + col] = to_byte(128.0f + (-37.797f * r - 74.203f * g + 112.0f * bl) / 255.0f);
      out.v[static_cast<std::size_t>(row) * cw + col] = to_byte(128.0f + (112.0f * r - 93.786f * g - 18.214f * bl) / 255.0f);
    }
  }
}

}  // namespace

void Scene::render_at(const EgoPose& pose, double t, Yuv420Frame& out, LabelMap* labels) const {
  const auto& p = *params_;
  const auto& cam = options_.camera;
  Canvas canvas{cam.width, cam.height, std::vector<Rgb>(static_cast<std::size_t>(cam.width) * cam.height)};
  if (labels != nullptr) {
    labels->width = cam.width;
    labels->height = cam.height;
    labels->classes.assign(static_cast<std::size_t>(cam.width) * cam.height, static_cast<std::uint8_t>(SegClass::undrivable));
    canvas.labels = labels->classes.data();
  }
  const FrameView view{p, cam, pose, Projector{cam, pose.x, pose.z, std::cos(pose.yaw), std::sin(pose.yaw)},
                       static_cast<float>(p.light(pose.z)), p.sky_horizon, p.texture_seed};
  paint_sky(view, canvas);
  paint_ground(view, canvas);
  const auto vehicles = options_.vehicles ? visible_vehicles(p, cam, view.proj, pose, t) : std::vector<VehicleDraw>{};
  for (const auto& o : objects_far_to_near(view, vehicles)) {
    if (o.kind == 2) {
      draw_vehicle(view, canvas, vehicles[static_cast<std::size_t>(o.index)]);
    } else {
      draw_roadside(view, canvas, o);
    }
  }
  to_yuv420(canvas, out);
}

}  // namespace tac::synth
