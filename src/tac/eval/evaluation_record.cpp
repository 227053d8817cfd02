#include "tac/eval/evaluation_record.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "tac/core/contest.hpp"

namespace tac::eval {

using scorer::WeightsIdentity;
using scorer::WeightsKind;
using scorer::weights_kind_name;

bool scorer_is_real(const EvalRun& run) {
  return run.segnet.kind == WeightsKind::Real && run.posenet.kind == WeightsKind::Real;
}

void decide_axis(EvalRun& run) {
  run.axis_reasons.clear();
  const bool cpu = run.device == "cpu";
#if defined(__linux__) && defined(__x86_64__)
  const bool linux_x86_64 = true;
#else
  const bool linux_x86_64 = false;
#endif
  if (!cpu) run.axis_reasons.push_back("device is not cpu (tac never claims the CUDA axis: it decodes originals per spec §1.2)");
  if (!linux_x86_64) run.axis_reasons.push_back("not Linux x86_64");
  if (run.segnet.kind != WeightsKind::Real) run.axis_reasons.push_back("segnet weights are not the real upstream file");
  if (run.posenet.kind != WeightsKind::Real) run.axis_reasons.push_back("posenet weights are not the real upstream file");
  bool real_video = !run.videos.empty();
  for (const auto& v : run.videos) real_video = real_video && v.real;
  if (!real_video) run.axis_reasons.push_back("original video is not the contest's videos/0.mkv");
  if (run.score.samples != contest::kContestSamples)
    run.axis_reasons.push_back(fmt::format("{} samples scored, not {}", run.score.samples, contest::kContestSamples));
  if (run.lenient && !run.lenient_notes.empty()) run.axis_reasons.push_back("--lenient accepted malformed frames");
  if (run.axis_reasons.empty()) run.axis = "contest-cpu";
  else run.axis = cpu ? "cpu-advisory" : "cuda-advisory";
}

std::vector<std::string> report_notes(const EvalRun& run) {
  std::vector<std::string> notes;
  notes.push_back("=== tac ===");
  notes.push_back(fmt::format("  axis: {}", run.axis));
  for (const auto& r : run.axis_reasons) notes.push_back(fmt::format("    not contest-cpu: {}", r));
  if (scorer_is_real(run)) {
    notes.push_back("  scorer: real upstream weights (SHA-256 verified)");
  } else if (run.segnet.kind == WeightsKind::TrainedTwin && run.posenet.kind == WeightsKind::TrainedTwin) {
    notes.push_back("  scorer: a TRAINED TWIN (fitted to synthetic driving frames), NOT the real upstream weights; this is not a contest score");
  } else {
    notes.push_back("  scorer: NOT the real upstream weights: a twin/unknown scorer; this is not a contest score");
  }
  notes.push_back(fmt::format("    segnet: {} ({})", run.segnet.description, run.segnet.sha256));
  notes.push_back(fmt::format("    posenet: {} ({})", run.posenet.description, run.posenet.sha256));
  notes.push_back(fmt::format("  archive sha256: {}", run.archive_sha256));
  for (const auto& n : run.lenient_notes) notes.push_back(fmt::format("  lenient: {}", n));
  return notes;
}

nlohmann::json evaluation_record(const EvalRun& run) {
  using nlohmann::json;
  const auto& s = run.score;
  const double recomputed = 100.0 * s.segnet_distortion + std::sqrt(10.0 * s.posenet_distortion) +
                            25.0 * (static_cast<double>(s.archive_bytes) / static_cast<double>(s.original_bytes));
  auto weights = [](const WeightsIdentity& w) {
    return json{{"path", w.path.string()},     {"sha256", w.sha256},
                {"bytes", w.bytes},            {"identity", std::string(weights_kind_name(w.kind))},
                {"real_upstream", w.kind == WeightsKind::Real}, {"description", w.description}};
  };
  json videos = json::array();
  bool all_served = !run.videos.empty();
  for (const auto& v : run.videos) {
    all_served = all_served && v.cache_served;
    json jv{{"name", v.name},          {"path", v.video_path.string()}, {"sha256", v.sha256},
            {"bytes", v.bytes},        {"real_contest_video", v.real},  {"raw_path", v.raw_path.string()},
            {"raw_frames", v.raw_frames}, {"samples", v.samples},       {"ground_truth_cache_served", v.cache_served}};
    jv["gt_frames"] = v.gt_frames >= 0 ? json(v.gt_frames) : json(nullptr);
    if (!v.cache_note.empty()) jv["ground_truth_cache_note"] = v.cache_note;
    videos.push_back(std::move(jv));
  }
  json per_video = json::array(), per_index = json::array(), per_pose = json::array(), per_seg = json::array();
  for (const auto& d : run.per_sample) {
    per_video.push_back(d.video);
    per_index.push_back(d.sample);
    per_pose.push_back(d.pose);
    per_seg.push_back(d.seg);
  }
  json ranks = json::array();
  for (const auto& r : run.ranks)
    ranks.push_back({{"rank", r.rank}, {"samples", r.samples}, {"seconds", r.seconds}, {"ground_truth_cache_served", r.cache_served}});

  json record{
      {"record", "tac-evaluation"},
      {"record_version", 1},
      {"tac_version", run.tac_version},
      {"platform", {{"os", run.platform_os}, {"arch", run.platform_arch}}},
      {"axis", run.axis},
      {"axis_reasons", run.axis_reasons},
      {"scorer", scorer_is_real(run) ? "real" : "twin-or-unknown"},
      {"archive", {{"path", run.archive_path.string()}, {"sha256", run.archive_sha256}, {"bytes", run.archive_bytes}}},
      {"original_bytes", run.original_bytes},
      {"rate", s.rate},
      {"avg_posenet_distortion", s.posenet_distortion},
      {"avg_segnet_distortion", s.segnet_distortion},
      {"n_samples", s.samples},
      {"score_contributions", {{"segnet", s.seg_term}, {"posenet", s.pose_term}, {"rate", s.rate_term}}},
      {"score", s.score},
      {"score_recomputed_from_components", recomputed},
      {"score_recompute_abs_diff", std::abs(recomputed - s.score)},
      {"per_sample", {{"video", per_video}, {"sample", per_index}, {"posenet_distortion", per_pose}, {"segnet_distortion", per_seg}}},
      {"videos", videos},
      {"weights", {{"segnet", weights(run.segnet)}, {"posenet", weights(run.posenet)}}},
      {"device", run.device},
      {"threads", run.threads},
      {"batch_size", run.batch_size},
      {"distributed", {{"world_size", run.world_size}, {"backend", run.backend}, {"sharding", run.sharding}, {"ranks", ranks}}},
      {"inflate", run.inflate},
      {"lenient", run.lenient},
      {"lenient_notes", run.lenient_notes},
      {"ground_truth_cache", {{"enabled", run.cache_enabled}, {"dir", run.cache_dir.string()}, {"served", all_served}}},
      {"libraries", run.libraries},
      {"elapsed_seconds", run.phase_seconds},
      {"report_path", run.report_path.string()},
  };
  return record;
}

}  // namespace tac::eval
