// One `tac tune` optimization step, stage by stage: the differentiable hnerv95 decoder's forward
// (to contest-size frames), the scorer's forward (both networks and the objective), the backward
// pass through all of it, and the Adam update. Prints JSON (median over --iters after one warm-up
// step, peak RSS; the scorer's forward also split into preprocessing, PoseNet and SegNet, as the
// PyTorch reference bench/pytorch_reference/tune_step_reference.py reports it). Usage:
//   tune_step_bench [--archive ZIP] [--segnet PATH] [--posenet PATH] [--batch B] [--train latents|all]
//                   [--threads N] [--iters K]
// Defaults: the public hnerv95 archive and the twin weights under $TAC_FIXTURES or
// <source>/../shared/fixtures. The ground truth is the decoder's own pairs B..2B-1 (timing only).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <vector>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/io/zip_reader.hpp"
#include "tac/train/grid_adam.hpp"
#include "tac/train/hnerv95_torch_decoder.hpp"
#include "tac/train/score_terms.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::filesystem::path fixture(const char* rel) {
  const char* env = std::getenv("TAC_FIXTURES");
  const std::filesystem::path root = env ? std::filesystem::path(env) : std::filesystem::path(TAC_SOURCE_DIR) / "../shared/fixtures";
  return root / rel;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("tac tune step benchmark");
  std::string archive_path = fixture("replay/qhnerv_ft_best/archive.zip").string();
  std::string segnet = fixture("scorer/twin_segnet.safetensors").string(), posenet = fixture("scorer/twin_posenet.safetensors").string();
  std::string train = "latents";
  int batch = 1, threads = 2, iters = 3;
  app.add_option("--archive", archive_path);
  app.add_option("--segnet", segnet);
  app.add_option("--posenet", posenet);
  app.add_option("--batch", batch)->check(CLI::Range(1, 16));
  app.add_option("--train", train)->check(CLI::IsMember({"latents", "all"}));
  app.add_option("--threads", threads);
  app.add_option("--iters", iters)->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(threads);

  const auto zip = tac::io::ZipReader::open(archive_path);
  const auto archive = tac::codec::hnerv95::parse_archive(zip.read(*zip.find("0.bin")), "0.bin");
  tac::train::Hnerv95TorchDecoder decoder(archive);
  const tac::train::DifferentiableScorer scorer(tac::scorer::nn::load_segnet(segnet), tac::scorer::nn::load_posenet(posenet));
  tac::train::GridAdam adam;
  adam.add("latents", decoder.latents(), decoder.latent_scales().unsqueeze(0), 0.25);
  if (train == "all")
    for (auto& w : decoder.weights()) adam.add(w.name, w.value, at::scalar_tensor(w.scale, at::kFloat), 0.05);
  const at::Tensor pairs = at::arange(batch, at::kLong);
  tac::train::GroundTruthOutputs gt;
  {
    const c10::NoGradGuard no_grad;
    gt = scorer.ground_truth(decoder.frames(pairs + batch));
  }
  std::vector<double> dec_ms, score_ms, pre_ms, pose_ms, seg_ms, back_ms, adam_ms, total_ms;
  for (int i = 0; i <= iters; ++i) {
    const auto t0 = Clock::now();
    const at::Tensor frames = decoder.frames(pairs);
    const double d = ms_since(t0);
    auto t = Clock::now();
    tac::train::DifferentiableScorer::StageTimes stages;
    const at::Tensor loss = scorer.terms(frames, gt, {}, &stages).objective();
    const double s = ms_since(t);
    t = Clock::now();
    loss.backward();
    const double b = ms_since(t);
    t = Clock::now();
    adam.step();
    const double a = ms_since(t);
    if (i == 0) continue;  // warm-up
    dec_ms.push_back(d);
    score_ms.push_back(s);
    pre_ms.push_back(stages.preprocess_ms);
    pose_ms.push_back(stages.posenet_ms);
    seg_ms.push_back(stages.segnet_ms);
    back_ms.push_back(b);
    adam_ms.push_back(a);
    total_ms.push_back(ms_since(t0));
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const double step = median(total_ms);
  const nlohmann::json j = {{"bench", "tune_step"},
                            {"batch", batch},
                            {"train", train},
                            {"threads", threads},
                            {"iters", iters},
                            {"step_ms", step},
                            {"samples_per_second", 1000.0 * batch / step},
                            {"decoder_forward_ms", median(dec_ms)},
                            {"scorer_forward_ms", median(score_ms)},
                            {"preprocess_ms", median(pre_ms)},
                            {"posenet_forward_ms", median(pose_ms)},
                            {"segnet_forward_ms", median(seg_ms)},
                            {"backward_ms", median(back_ms)},
                            {"adam_ms", median(adam_ms)},
                            {"peak_rss_mb", static_cast<double>(u.ru_maxrss) / 1024.0}};
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}
