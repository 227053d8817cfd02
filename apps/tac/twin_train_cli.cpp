// `tac twin --train`: the output side of tac::twin::train_twins — progress lines, the two weight
// files, training.json, the resumable checkpoint and the final table (or --json).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/scorer/twin_weights.hpp"
#include "tac/twin/twin_training.hpp"
#include "twin_args.hpp"

namespace tac::cli {
namespace {

std::string clock(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60) : fmt::format("{}m{:02}s", s / 60, s % 60);
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void print_accuracy(const char* label, const twin::TwinAccuracy& a) {
  std::printf("%-22s seg pixel accuracy %6.2f %%  mean IoU %.3f (road %.3f, lane %.3f, undrivable %.3f, movable %.3f)  pose R2 %.3f (fwd %.3f, right %.3f, yaw %.3f)\n",
              label, 100.0 * a.pixel_accuracy, a.mean_iou, a.iou[0], a.iou[1], a.iou[2], a.iou[3], a.pose_r2, a.pose_r2_component[0],
              a.pose_r2_component[1], a.pose_r2_component[5]);
}

}  // namespace

void run_twin_training(const TwinArgs& a) {
  const std::filesystem::path dir = a.out;
  std::filesystem::create_directories(dir);
  twin::TwinTrainingOptions o;
  o.seed = a.seed;
  o.clips = a.clips;
  o.pairs_per_clip = a.pairs;
  o.held_out_clips = a.held_out_clips;
  o.held_out_pairs = a.held_out_pairs;
  o.steps = a.steps;
  o.budget_seconds = a.budget;
  o.threads = a.threads;
  o.checkpoint = dir / "checkpoint.pt";
  o.resume = a.resume;
  o.interrupt_after = a.stop_after;
  o.seg_batch = a.seg_batch;
  o.pose_batch = a.pose_batch;
  o.seg_lr = a.seg_lr;
  o.pose_lr = a.pose_lr;
  o.pose_gaps = a.pose_gaps;
  o.pose_moves = a.pose_moves;
  o.pose_flow = a.pose_flow;
  o.weight_average = a.weight_average;
  o.pose_change_stem = a.pose_stem == "change";
  o.pose_running_bn = a.pose_batchnorm == "running";
  o.pose_batch_from = a.pose_batch_from == "consecutive" ? twin::PoseBatchFrom::consecutive
                      : a.pose_batch_from == "samples"   ? twin::PoseBatchFrom::samples
                                                         : twin::PoseBatchFrom::groups;
  if (!a.init_from.empty()) o.init_from = std::filesystem::absolute(a.init_from);
  o.eval_every = a.eval_every;
  o.refresh_scenes = a.refresh_scenes;
  o.refresh_every = a.refresh_every;
  int crop_h = 0, crop_w = 0;
  char tail = 0;
  if (std::sscanf(a.crop.c_str(), "%dx%d%c", &crop_h, &crop_w, &tail) != 2)
    fail(ErrorKind::usage, "--crop {}: expected HxW, e.g. 192x256", a.crop);
  o.seg_crop_height = crop_h;
  o.seg_crop_width = crop_w;

  auto last_line = std::chrono::steady_clock::now() - std::chrono::hours(1);
  std::string last_phase;
  const auto progress = [&](const twin::TwinTrainingProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const bool phase_change = p.phase != last_phase;
    const bool last = p.total_steps > 0 && p.step == p.total_steps;
    if (p.has_held_out_pose_r2)
      std::fprintf(stderr, "[%s] step %lld: held-out PoseNet R2 %.4f\n", clock(p.elapsed_seconds).c_str(), static_cast<long long>(p.step),
                   p.held_out_pose_r2);
    if (!phase_change && !last && now - last_line < std::chrono::seconds(5)) return;
    last_line = now;
    last_phase = p.phase;
    if (p.phase == "render") {
      std::fprintf(stderr, "[%s] rendering samples %lld/%lld\n", clock(p.elapsed_seconds).c_str(), static_cast<long long>(p.step),
                   static_cast<long long>(p.total_steps));
    } else if (p.phase == "refresh") {
      std::fprintf(stderr, "[%s] new scenes for the pool: rendering samples %lld/%lld\n", clock(p.elapsed_seconds).c_str(),
                   static_cast<long long>(p.step), static_cast<long long>(p.total_steps));
    } else if (p.phase == "train") {
      const std::string flow = o.pose_flow > 0 ? fmt::format(" (flow {:.4f})", p.flow_loss) : std::string();
      std::fprintf(stderr, "[%s] step %lld/%lld  seg loss %.4f (crop accuracy %.2f %%)  pose loss %.4f%s  (%.1f + %.1f s)  %.1f samples/s  ETA %s\n",
                   clock(p.elapsed_seconds).c_str(), static_cast<long long>(p.step), static_cast<long long>(p.total_steps), p.seg_loss,
                   100.0 * p.seg_batch_accuracy, p.pose_loss, flow.c_str(), p.seg_seconds, p.pose_seconds, p.samples_per_second,
                   clock(p.eta_seconds).c_str());
    } else {
      std::fprintf(stderr, "[%s] %s\n", clock(p.elapsed_seconds).c_str(),
                   p.phase == "calibrate" ? "calibrating BatchNorm statistics" : "measuring accuracy on held-out scenes");
    }
  };
  const auto start = std::chrono::steady_clock::now();
  const twin::TwinTrainingResult r = twin::train_twins(o, progress);
  if (r.interrupted) {
    std::printf("stopped after step %lld as asked; checkpoint %s (continue with --resume and the same options)\n",
                static_cast<long long>(r.steps), o.checkpoint.c_str());
    return;
  }
  const double total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  for (const auto* t : {&r.segnet, &r.posenet})
    scorer::write_twin(*t, dir / (std::string(scorer::network_name(t->network)) + ".safetensors"));
  nlohmann::json report = r.summary();
  report["total_seconds"] = total_seconds;
  report["render_seconds"] = r.render_seconds;
  report["refresh_seconds"] = r.refresh_seconds;
  report["train_scenes"] = r.train_seeds.size();
  report["peak_rss_mb"] = peak_rss_mb();
  report["threads"] = a.threads;
  report["resumed_from_step"] = r.resumed_from;
  report["seg_loss_curve"] = r.seg_loss_curve;
  report["pose_loss_curve"] = r.pose_loss_curve;
  if (!r.flow_loss_curve.empty()) report["flow_loss_curve"] = r.flow_loss_curve;
  report["held_out_pose_r2_curve"] = r.held_out_pose_r2_curve;
  write_file_atomic(dir / "training.json", report.dump(1) + "\n");
  std::filesystem::path installed;
  if (!a.no_cache && !r.interrupted) {
    installed = twin::default_twin_dir();
    if (!installed.empty() && std::filesystem::weakly_canonical(installed) != std::filesystem::weakly_canonical(dir)) {
      std::filesystem::create_directories(installed);
      for (const char* name : {"segnet.safetensors", "posenet.safetensors", "training.json"}) {
        // copy then rename: tac demo never sees a half-written twin
        const auto temp = installed / (std::string(name) + ".partial");
        std::filesystem::copy_file(dir / name, temp, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::rename(temp, installed / name);
      }
    }
  }

  if (a.json) {
    std::printf("%s\n", report.dump(1).c_str());
    return;
  }
  std::printf("trained %lld steps (%s of training, %s in all, peak memory %.0f MB)\n", static_cast<long long>(r.steps),
              clock(r.train_seconds).c_str(), clock(total_seconds).c_str(), peak_rss_mb());
  print_accuracy("held out, before:", r.before);
  print_accuracy("held out, trained:", r.after);
  print_accuracy("training pairs:", r.train_fit);
  std::printf("wrote %s, %s and training.json\n", (dir / "segnet.safetensors").c_str(), (dir / "posenet.safetensors").c_str());
  if (!installed.empty()) std::printf("installed as the cached twin tac demo uses: %s\n", installed.c_str());
  std::printf("a trained twin sees synthetic driving frames; its scores are still not contest scores\n");
}

}  // namespace tac::cli
