#include "tac/pipeline/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "tac/codec/classical/frame_scaler.hpp"
#include "tac/codec/classical/submission.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/eval/evaluation.hpp"

namespace tac::pipeline {
namespace {

std::string point_dir_name(const std::string& codec, double scale, double crf) {
  return fmt::format("{}_s{}_crf{}", codec, scale, crf);
}

}  // namespace

std::filesystem::path prepare_videos_dir(const std::filesystem::path& video, const std::filesystem::path& work) {
  const auto videos = work / "videos";
  std::filesystem::create_directories(videos);
  const auto name = video.filename();
  const auto target = videos / name;
  std::error_code ec;
  if (!std::filesystem::exists(target)) {
    std::filesystem::create_hard_link(video, target, ec);
    if (ec) std::filesystem::copy_file(video, target);
  }
  for (const auto& entry : std::filesystem::directory_iterator(videos)) {
    if (entry.path().filename() != name) fail(ErrorKind::usage, "{}: holds other files than {}, which would change the rate", videos.string(), name.string());
  }
  const auto names = work / "names.txt";
  write_file_atomic(names, name.string() + "\n");
  return names;
}

SweepPoint run_point(const std::filesystem::path& video, const std::string& codec, double scale, double crf,
                     const std::filesystem::path& work, const ScorerSetup& scorer) {
  const auto names = prepare_videos_dir(video, work);
  SweepPoint p;
  p.codec = codec;
  p.scale = scale;
  p.crf = crf;
  p.submission = work / point_dir_name(codec, scale, crf);

  codec::classical::SubmissionOptions options;
  options.compress.codec = codec;
  options.compress.scale = scale;
  options.compress.crf = crf;
  options.force = true;  // a rerun overwrites the point (and its old inflated/ frames)
  options.tac_inflate_hint = scorer.tac_inflate;
  auto t = SteadyClock::now();
  const auto sub = codec::classical::write_submission(work / "videos" / video.filename(), p.submission, options);
  p.compress_seconds = seconds_since(t);
  p.width = sub.stream.settings.width;
  p.height = sub.stream.settings.height;
  p.frames = sub.stream.frames;

  eval::EvalOptions eval;
  eval.submission_dir = p.submission;
  eval.uncompressed_dir = work / "videos";
  eval.video_names_file = names;
  eval.segnet_weights = scorer.segnet;
  eval.posenet_weights = scorer.posenet;
  eval.threads = scorer.threads;
  eval.inflate = eval::InflateMode::Always;  // evaluate.sh: fresh unzip, then inflate.sh
  eval.json_path = p.submission / "evaluation.json";
  t = SteadyClock::now();
  const auto result = eval::run_evaluation(eval);
  p.eval_seconds = seconds_since(t);
  p.scored = result.run.score;
  p.real_scorer = eval::scorer_is_real(result.run);
  return p;
}

std::vector<SweepPoint> run_sweep(const std::filesystem::path& video, const SweepGrid& grid, const std::filesystem::path& work,
                                  const ScorerSetup& scorer, const std::function<void(const SweepPoint&)>& on_point,
                                  const ProgressCallback& progress) {
  if (grid.codecs.empty() || grid.scales.empty() || grid.crfs.empty()) fail(ErrorKind::usage, "sweep: the grid is empty");
  // Check the whole grid before the first (slow) point.
  for (const auto& codec : grid.codecs) io::encoder_for_codec(codec);
  for (const double scale : grid.scales) codec::classical::scaled_size(1164, 874, scale);
  std::vector<SweepPoint> points;
  const auto total = static_cast<std::int64_t>(grid.codecs.size() * grid.scales.size() * grid.crfs.size());
  report_progress(progress, "sweep", 0, total, "points");
  for (const auto& codec : grid.codecs)
    for (const double scale : grid.scales)
      for (const double crf : grid.crfs) {
        points.push_back(run_point(video, codec, scale, crf, work, scorer));
        if (on_point) on_point(points.back());
        report_progress(progress, "sweep", static_cast<std::int64_t>(points.size()), total, "points");
      }
  return points;
}

std::string sweep_table(const std::vector<SweepPoint>& points) {
  std::string out = fmt::format("{:<7} {:>5} {:>5} {:>9} {:>10} {:>9} {:>11} {:>11} {:>9}\n", "codec", "scale", "crf", "size",
                                "bytes", "rate_term", "seg", "pose", "score");
  for (const auto& p : points) {
    out += fmt::format("{:<7} {:>5.2f} {:>5g} {:>9} {:>10} {:>9.4f} {:>11.8f} {:>11.8f} {:>9.4f}\n", p.codec, p.scale, p.crf,
                       fmt::format("{}x{}", p.width, p.height), p.scored.archive_bytes, p.scored.rate_term,
                       p.scored.segnet_distortion, p.scored.posenet_distortion, p.scored.score);
  }
  return out;
}

std::vector<plot::ChartSeries> rd_series(const std::vector<SweepPoint>& points) {
  std::vector<plot::ChartSeries> series;
  for (const auto& p : points) {
    const auto label = fmt::format("{} scale {}", p.codec, p.scale);
    auto it = std::find_if(series.begin(), series.end(), [&](const plot::ChartSeries& s) { return s.label == label; });
    if (it == series.end()) {
      series.push_back({label, plot::palette(series.size()), {}, true});
      it = series.end() - 1;
    }
    it->points.emplace_back(p.scored.rate_term, p.scored.seg_term + p.scored.pose_term);
  }
  for (auto& s : series) std::sort(s.points.begin(), s.points.end());
  return series;
}

std::filesystem::path write_sweep_outputs(const std::vector<SweepPoint>& points, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : points) {
    const auto& s = p.scored;
    j.push_back({{"codec", p.codec}, {"scale", p.scale}, {"crf", p.crf}, {"width", p.width}, {"height", p.height},
                 {"frames", p.frames}, {"samples", s.samples}, {"archive_bytes", s.archive_bytes}, {"rate", s.rate},
                 {"rate_term", s.rate_term}, {"segnet_distortion", s.segnet_distortion}, {"posenet_distortion", s.posenet_distortion},
                 {"seg_term", s.seg_term}, {"pose_term", s.pose_term}, {"score", s.score},
                 {"real_scorer", p.real_scorer}, {"compress_seconds", p.compress_seconds},
                 {"eval_seconds", p.eval_seconds}, {"submission", p.submission.string()}});
  }
  write_file_atomic(dir / "sweep.json", j.dump(1) + "\n");
  write_file_atomic(dir / "sweep.txt", sweep_table(points));
  const auto svg = dir / "rd.svg";
  plot::Chart chart;
  chart.title = "rate-distortion";
  chart.x_axis = "rate term  25 \u00b7 archive bytes / original bytes";
  chart.y_axis = "distortion terms  100 \u00b7 seg + \u221a(10 \u00b7 pose)";
  chart.series = rd_series(points);
  chart.iso_totals = plot::round_iso_totals(chart.series);
  chart.iso_label = "score (rate + distortion terms)";
  plot::write_chart_svg(svg, chart);
  return svg;
}

std::string twin_warning() {
  return "WARNING: the scorer used here is a TWIN (the upstream SegNet/PoseNet architecture with seeded random\n"
         "weights, or weights trained on synthetic frames), NOT the real contest scorer. Its distortions and scores are NOT contest scores and do not\n"
         "rank anything. To score with the real networks, point tac at a checkout of the challenge repository:\n"
         "  tac demo --upstream /path/to/comma_video_compression_challenge\n"
         "(it reads models/segnet.safetensors, models/posenet.safetensors and videos/0.mkv from there), or\n"
         "pass --segnet FILE --posenet FILE.";
}

}  // namespace tac::pipeline
