#include "tac/train/sensitivity_run.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/io/raw_frames.hpp"
#include "tac/io/safetensors.hpp"
#include "tac/io/video_decoder.hpp"
#include "tac/plot/png_image.hpp"

namespace tac::train {
namespace {

namespace fs = std::filesystem;
constexpr const char* kClassNames[] = {"road", "lane_marking", "undrivable", "movable", "my_car"};

at::Tensor pair_tensor(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  const auto frame = [](std::span<const std::uint8_t> f) {
    return at::from_blob(const_cast<std::uint8_t*>(f.data()), {contest::kFrameHeight, contest::kFrameWidth, 3}, at::kByte).to(at::kFloat);
  };
  return at::stack({frame(a), frame(b)}).unsqueeze(0);
}

// Black -> red -> yellow -> white over [0, 1].
plot::Color heat(float t) {
  t = std::clamp(t, 0.0f, 1.0f) * 3.0f;
  const auto c = [](float v) { return static_cast<std::uint8_t>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f); };
  return {c(t), c(t - 1.0f), c(t - 2.0f)};
}

void write_heat_map(const fs::path& path, const at::Tensor& map, double scale) {
  const at::Tensor m = map.contiguous();
  const float* v = m.data_ptr<float>();
  plot::Image image(static_cast<int>(m.size(1)), static_cast<int>(m.size(0)), plot::Color{0, 0, 0});
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      image.set(x, y, heat(scale > 0 ? static_cast<float>(v[static_cast<std::size_t>(y) * image.width + x] / scale) : 0.0f));
  plot::write_png(path, image);
}

nlohmann::json sample_json(std::int64_t sample, const PixelSensitivity& s) {
  nlohmann::json classes = nlohmann::json::object();
  for (std::size_t k = 0; k < s.class_totals.size(); ++k) classes[kClassNames[k]] = s.class_totals[k];
  return {{"sample", sample},
          {"objective", s.objective},
          {"pose_distortion", s.pose_distortion},
          {"seg_surrogate", s.seg_surrogate},
          {"seg_distortion", s.seg_distortion},
          {"map_total", s.total},
          {"frame_totals", s.frame_totals},
          {"region_totals_3x3", s.region_totals},
          {"second_frame_class_totals", classes}};
}

const char* surrogate_name(SegSurrogate k) {
  switch (k) {
    case SegSurrogate::cross_entropy: return "cross_entropy";
    case SegSurrogate::kl: return "kl";
    case SegSurrogate::focal: return "focal";
  }
  return "?";
}

}  // namespace

SensitivitySummary run_sensitivity(const SensitivityJob& job) {
  if (job.samples < 1 || job.first_sample < 0) fail(ErrorKind::usage, "sensitivity: samples must be FIRST >= 0 and COUNT >= 1");
  const io::RawFrames recon(job.reconstruction);
  const std::int64_t end = job.first_sample + job.samples;
  if (end > recon.sample_count())
    fail(ErrorKind::usage, "sensitivity: samples {}..{} asked, {} has {} samples", job.first_sample, end - 1,
         job.reconstruction.string(), recon.sample_count());
  if (job.threads > 0) at::set_num_threads(job.threads);
  const DifferentiableScorer scorer(scorer::nn::load_segnet(job.segnet), scorer::nn::load_posenet(job.posenet));

  // Ground-truth frames 2 * first .. 2 * end - 1, decoded in order (the scorer's decode).
  io::VideoDecoderOptions decode;
  decode.max_frames = 2 * end;
  io::VideoDecoder video(job.ground_truth, decode);
  std::vector<std::uint8_t> first(contest::kFrameBytes), second(contest::kFrameBytes);
  for (std::int64_t i = 0; i < 2 * job.first_sample; ++i)
    if (!video.next_rgb(first)) fail(ErrorKind::corrupt_input, "{}: ends before frame {}", job.ground_truth.string(), i);

  fs::create_directories(job.out);
  SensitivitySummary summary;
  std::vector<at::Tensor> maps;
  nlohmann::json rows = nlohmann::json::array();
  for (std::int64_t k = job.first_sample; k < end; ++k) {
    if (!video.next_rgb(first) || !video.next_rgb(second))
      fail(ErrorKind::corrupt_input, "{}: ends before sample {}", job.ground_truth.string(), k);
    const auto [r0, r1] = recon.pair(k);
    PixelSensitivity s = pixel_sensitivity(scorer, pair_tensor(first, second), pair_tensor(r0, r1), job.surrogate);
    const at::Tensor flat = s.map.flatten();
    const auto kth = std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(flat.numel()) * 0.999));
    const double scale = std::get<0>(flat.kthvalue(kth)).item<double>();
    for (int t = 0; t < 2; ++t) {
      const auto png = job.out / fmt::format("sample_{}_frame{}.png", k, t);
      write_heat_map(png, s.map[t], scale);
      summary.heat_maps.push_back(png);
    }
    rows.push_back(sample_json(k, s));
    maps.push_back(s.map.contiguous());
    if (job.on_sample) job.on_sample(k, s);
    s.gradient = at::Tensor();
    s.map = at::Tensor();
    summary.samples.push_back(k);
    summary.results.push_back(std::move(s));
  }
  std::vector<std::string> names;
  std::vector<io::TensorToWrite> tensors;
  for (std::size_t i = 0; i < maps.size(); ++i) names.push_back(fmt::format("sample_{}", summary.samples[i]));
  for (std::size_t i = 0; i < maps.size(); ++i) {
    const auto& m = maps[i];
    tensors.push_back({names[i], io::DType::F32, {m.size(0), m.size(1), m.size(2)},
                       {reinterpret_cast<const std::uint8_t*>(m.data_ptr<float>()), static_cast<std::size_t>(m.numel()) * sizeof(float)}});
  }
  summary.tensors = job.out / "sensitivity.safetensors";
  io::write_safetensors(summary.tensors, tensors,
                        {{"tac_sensitivity", "sum over R,G,B of |d objective / d pixel|, frames 0 and 1 of each sample"},
                         {"surrogate", surrogate_name(job.surrogate.kind)}});
  summary.summary = job.out / "summary.json";
  const nlohmann::json doc{{"format", "tac-sensitivity/1"},
                           {"ground_truth", job.ground_truth.string()},
                           {"reconstruction", job.reconstruction.string()},
                           {"segnet", job.segnet.string()},
                           {"posenet", job.posenet.string()},
                           {"objective", "100 * seg_surrogate + sqrt(10 * pose_distortion) (the rate term has no pixel gradient)"},
                           {"surrogate", {{"kind", surrogate_name(job.surrogate.kind)},
                                          {"temperature", job.surrogate.temperature},
                                          {"gamma", job.surrogate.gamma}}},
                           {"regions", "3 x 3 grid, row-major from the top left, both frames"},
                           {"samples", rows}};
  write_file_atomic(summary.summary, doc.dump(1) + "\n");
  return summary;
}

}  // namespace tac::train
