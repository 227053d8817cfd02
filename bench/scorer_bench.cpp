// Scorer network speed: ms per SegNet frame, per PoseNet pair, preprocessing per pair, and a
// per-layer breakdown. Prints JSON. Usage:
//   scorer_bench [--segnet PATH] [--posenet PATH] [--threads N] [--batch B] [--iters K]
//                [--scorer-samples S]   (also time Scorer construction + run on S pairs)
// Defaults: the twin weights under $TAC_FIXTURES or <source>/../shared/fixtures.
#include <CLI/CLI.hpp>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tac/scorer/posenet.hpp"
#include "tac/scorer/preprocess.hpp"
#include "tac/scorer/scorer.hpp"
#include "tac/scorer/segnet.hpp"

namespace {

using Clock = std::chrono::steady_clock;
long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::filesystem::path fixture(const char* rel) {
  const char* env = std::getenv("TAC_FIXTURES");
  const std::filesystem::path root = env ? std::filesystem::path(env) : std::filesystem::path(TAC_SOURCE_DIR) / "../shared/fixtures";
  return root / rel;
}

nlohmann::json top_layers(const tac::scorer::LayerTimes& t, double divide, std::size_t n) {
  std::vector<std::pair<std::string, tac::scorer::LayerTimes::Entry>> v(t.layers.begin(), t.layers.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second.wall_ms > b.second.wall_ms; });
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < v.size() && i < n; ++i) {
    out.push_back({{"layer", v[i].first}, {"wall_ms", v[i].second.wall_ms / divide}, {"cpu_ms", v[i].second.cpu_ms / divide}});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path segnet = fixture("scorer/twin_segnet.safetensors");
  std::filesystem::path posenet = fixture("scorer/twin_posenet.safetensors");
  int threads = 0, batch = 1, iters = 4, scorer_samples = 0;
  CLI::App app{"SegNet / PoseNet speed with a per-layer breakdown (twin weights by default), JSON."};
  app.add_option("--segnet", segnet, "SegNet weights (safetensors)");
  app.add_option("--posenet", posenet, "PoseNet weights (safetensors)");
  app.add_option("--threads", threads, "intra-op threads (0: libtorch's default)")->check(CLI::NonNegativeNumber);
  app.add_option("--batch", batch, "samples per forward")->check(CLI::PositiveNumber);
  app.add_option("--iters", iters, "timed iterations")->check(CLI::PositiveNumber);
  app.add_option("--scorer-samples", scorer_samples, "also time Scorer::run end to end on this many pairs")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  if (threads > 0) at::set_num_threads(threads);
  nlohmann::json scorer_json;
  if (scorer_samples > 0) {
    // End to end through the public interface, as `tac eval` uses it: construction (read, fold),
    // then Scorer::run on `scorer_samples` synthetic pairs twice (cold, warm).
    std::vector<std::uint8_t> frames(static_cast<std::size_t>(2 * scorer_samples) * 874 * 1164 * 3);
    for (std::size_t i = 0; i < frames.size(); ++i) frames[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 24);
    auto s0 = Clock::now();
    tac::scorer::ScorerOptions options;
    options.segnet_weights = segnet;
    options.posenet_weights = posenet;
    options.threads = threads;
    tac::scorer::Scorer scorer(options);
    const double construct_ms = ms_since(s0);
    std::vector<tac::scorer::FramePairView> pairs;
    const std::size_t frame = 874 * 1164 * 3;
    for (int k = 0; k < scorer_samples; ++k) pairs.push_back({frames.data() + 2 * k * frame, frames.data() + (2 * k + 1) * frame});
    tac::scorer::SampleOutputs outputs;
    s0 = Clock::now();
    scorer.run(pairs, outputs);
    const double cold_ms = ms_since(s0);
    s0 = Clock::now();
    scorer.run(pairs, outputs);
    const double warm_ms = ms_since(s0);
    scorer_json = {{"samples", scorer_samples}, {"construct_ms", construct_ms}, {"run_cold_ms", cold_ms}, {"run_warm_ms", warm_ms}};
  }
  if (std::getenv("TAC_BENCH_NO_MALLOPT") == nullptr) tac::scorer::nn::keep_freed_memory_mapped();
  c10::InferenceMode guard;
  namespace nn = tac::scorer::nn;
  auto t0 = Clock::now();
  const nn::SegNetParams seg_params = nn::load_segnet(segnet);
  const double seg_load_ms = ms_since(t0);
  t0 = Clock::now();
  const nn::SegNetFolded seg(seg_params, at::kCPU);
  const double seg_fold_ms = ms_since(t0);
  t0 = Clock::now();
  const nn::PoseNetParams pose_params = nn::load_posenet(posenet);
  const double pose_load_ms = ms_since(t0);
  t0 = Clock::now();
  const nn::PoseNetFolded pose(pose_params, at::kCPU);
  const double pose_fold_ms = ms_since(t0);

  // Preprocessing of one pair from synthetic frames.
  std::vector<std::uint8_t> f0(874 * 1164 * 3), f1(f0.size());
  for (std::size_t i = 0; i < f0.size(); ++i) {
    f0[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 24);
    f1[i] = static_cast<std::uint8_t>((i * 40503u) >> 8);
  }
  std::vector<float> seg_in(static_cast<std::size_t>(batch) * tac::scorer::kSegInputFloats);
  std::vector<float> pose_in(static_cast<std::size_t>(batch) * tac::scorer::kPoseInputFloats);
  std::vector<float> scratch(tac::scorer::kSegInputFloats);
  t0 = Clock::now();
  for (int b = 0; b < batch; ++b) {
    tac::scorer::preprocess_pair(f0.data(), f1.data(), seg_in.data() + b * tac::scorer::kSegInputFloats,
                                 pose_in.data() + b * tac::scorer::kPoseInputFloats, scratch.data());
  }
  const double pre_ms = ms_since(t0) / batch;
  const at::Tensor xs = at::from_blob(seg_in.data(), {batch, 3, 384, 512}, at::kFloat);
  const at::Tensor xp = at::from_blob(pose_in.data(), {batch, 12, 192, 256}, at::kFloat);

  // Cold (first) call, then timed iterations with the layer breakdown.
  t0 = Clock::now();
  seg.forward(xs);
  const double seg_first_ms = ms_since(t0) / batch;
  t0 = Clock::now();
  pose.forward(xp);
  const double pose_first_ms = ms_since(t0) / batch;
  tac::scorer::LayerTimes seg_layers, pose_layers;
  double seg_best = 1e30, pose_best = 1e30, seg_sum = 0, pose_sum = 0;
  const long faults_before = minor_faults();
  for (int i = 0; i < iters; ++i) {
    t0 = Clock::now();
    seg.forward(xs, &seg_layers);
    const double s = ms_since(t0) / batch;
    t0 = Clock::now();
    pose.forward(xp, &pose_layers);
    const double p = ms_since(t0) / batch;
    seg_best = std::min(seg_best, s);
    pose_best = std::min(pose_best, p);
    seg_sum += s;
    pose_sum += p;
  }
  const double faults_per_iter = static_cast<double>(minor_faults() - faults_before) / iters;
  nlohmann::json out;
  out["minor_page_faults_per_iteration"] = faults_per_iter;
  out["threads"] = at::get_num_threads();
  if (!scorer_json.is_null()) out["scorer_run"] = scorer_json;
  out["batch"] = batch;
  out["iters"] = iters;
  out["mkldnn"] = at::hasMKLDNN();
  out["load_ms"] = {{"segnet_read", seg_load_ms}, {"segnet_fold", seg_fold_ms}, {"posenet_read", pose_load_ms},
                    {"posenet_fold", pose_fold_ms}};
  out["preprocess_ms_per_pair"] = pre_ms;
  out["segnet_ms_per_frame"] = {{"first", seg_first_ms}, {"best", seg_best}, {"mean", seg_sum / iters}};
  out["posenet_ms_per_pair"] = {{"first", pose_first_ms}, {"best", pose_best}, {"mean", pose_sum / iters}};
  out["segnet_gmac_per_s"] = 9.909 / (seg_best / 1000.0);
  out["segnet_layers_ms_per_frame"] = top_layers(seg_layers, iters * batch, 40);
  out["posenet_layers_ms_per_pair"] = top_layers(pose_layers, iters * batch, 10);
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
