#include "tac/pipeline/demo.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>

#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/markup_escape.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/io/raw_frames.hpp"
#include "tac/io/video_decoder.hpp"
#include "tac/plot/png_image.hpp"
#include "tac/scorer/twin_calibration.hpp"
#include "tac/scorer/twin_weights.hpp"
#include "tac/scorer/weights_identity.hpp"
#include "tac/twin/twin_training.hpp"
#include "tac/synth/synth_clip.hpp"

namespace tac::pipeline {
namespace {

std::string hex(plot::Color c) { return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b); }

using Log = std::function<void(const std::string&)>;

// Stage 1: the given video, or a procedural clip rendered into OUT.
DemoStage input_video(const DemoOptions& o, const Log& log, std::filesystem::path& video) {
  const auto t = SteadyClock::now();
  video = o.video;
  DemoStage stage{"input video", 0, {}, ""};
  if (video.empty()) {
    log(fmt::format("synth: rendering a {}-frame procedural dashcam clip (seed {})", o.frames, o.seed));
    synth::SynthClipOptions s;
    s.output = o.out / "clip.mkv";
    s.scene.frames = o.frames;
    s.scene.seed = o.seed;
    const auto clip = synth::write_synth_clip(s);
    video = clip.clip;
    stage.name = "synth";
    stage.outputs = {clip.clip, clip.motion};
    stage.note = fmt::format("{} frames, 1164x874, {} bytes, true camera motion in the JSON", clip.frames, clip.clip_bytes);
  } else {
    if (!std::filesystem::exists(video)) fail(ErrorKind::usage, "{}: no such video", video.string());
    stage.outputs = {video};
    stage.note = "given video";
  }
  stage.seconds = seconds_since(t);
  return stage;
}

// Stage 2: the given scorer weights; or the trained twin from the cache; or a trained twin made
// here within a small budget; or (twin = "random") a seeded random twin calibrated on the demo
// clip itself, its BatchNorm statistics matched to the frames it will score.
void random_twin(const DemoOptions& o, const Log& log, const std::filesystem::path& video, ScorerSetup& scorer, DemoStage& stage) {
  const int samples = std::max(1, std::min(8, o.frames / 2));
  log(fmt::format("twin: seeded random scorer weights (seed 704), BatchNorm calibrated on {} frame pairs of the "
                  "clip -- NOT the real scorer", samples));
  auto segnet = scorer::make_twin(scorer::Network::SegNet, 704);
  auto posenet = scorer::make_twin(scorer::Network::PoseNet, 704);
  scorer::TwinCalibrationOptions calibration;
  calibration.samples = samples;
  calibration.threads = o.threads;
  const auto calibrated = scorer::calibrate_twins(segnet, posenet, video, calibration);
  scorer::write_twin(segnet, scorer.segnet);
  scorer::write_twin(posenet, scorer.posenet);
  stage.name = "twin scorer";
  stage.note = "seeded random weights in the upstream layout (twin, seed 704; " + calibrated.description + "): NOT the real scorer";
}

// The SegNet identity of `dir`'s twin when both files are a trained twin, else nothing.
std::optional<scorer::WeightsIdentity> cached_trained_twin(const std::filesystem::path& dir) {
  if (dir.empty()) return std::nullopt;
  std::optional<scorer::WeightsIdentity> segnet;
  for (const auto n : {scorer::Network::SegNet, scorer::Network::PoseNet}) {
    const auto path = dir / (std::string(scorer::network_name(n)) + ".safetensors");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
    try {
      auto id = scorer::identify_weights(path, n);
      if (id.kind != scorer::WeightsKind::TrainedTwin) return std::nullopt;
      if (n == scorer::Network::SegNet) segnet = std::move(id);
    } catch (const Error&) {
      return std::nullopt;  // damaged or foreign: train a quick one instead
    }
  }
  return segnet;
}

void trained_twin(const DemoOptions& o, const Log& log, ScorerSetup& scorer, DemoStage& stage) {
  const auto cache = o.twin_cache.empty() ? twin::default_twin_dir() : o.twin_cache;
  stage.name = "trained twin scorer";
  if (const auto cached = cached_trained_twin(cache)) {
    log(fmt::format("twin: the trained twin in {} -- NOT the real scorer", cache.string()));
    std::filesystem::copy_file(cache / "segnet.safetensors", scorer.segnet, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(cache / "posenet.safetensors", scorer.posenet, std::filesystem::copy_options::overwrite_existing);
    stage.note = fmt::format("from the cache {} (made by tac twin --train): {}: NOT the real scorer", cache.string(), cached->description);
    return;
  }
  log(fmt::format("twin: no trained twin in {}; training a quick one for {:.0f} s on synthetic frames "
                  "(tac twin --train makes a better one) -- NOT the real scorer", cache.string(), o.twin_budget));
  twin::TwinTrainingOptions t;
  t.seed = 704;
  t.clips = 4;
  t.pairs_per_clip = 8;
  t.held_out_clips = 1;
  t.held_out_pairs = 6;
  t.budget_seconds = o.twin_budget;
  t.calibration_samples = 8;
  t.threads = o.threads;
  t.measure_before = false;
  const auto r = twin::train_twins(t);
  scorer::write_twin(r.segnet, scorer.segnet);
  scorer::write_twin(r.posenet, scorer.posenet);
  const auto id = scorer::identify_weights(scorer.segnet, scorer::Network::SegNet);
  stage.note = fmt::format("trained here for {:.0f} s ({} steps; not cached): {}: NOT the real scorer", r.train_seconds, r.steps, id.description);
}

DemoStage scorer_weights(const DemoOptions& o, const Log& log, const std::filesystem::path& video, ScorerSetup& scorer) {
  const auto t = SteadyClock::now();
  scorer.threads = o.threads;
  scorer.tac_inflate = o.tac_inflate;
  DemoStage stage{"scorer weights", 0, {}, ""};
  if (!o.segnet.empty() || !o.posenet.empty()) {
    if (o.segnet.empty() || o.posenet.empty()) fail(ErrorKind::usage, "give both --segnet and --posenet");
    scorer.segnet = o.segnet;
    scorer.posenet = o.posenet;
    stage.note = o.weights_source.empty() ? "given weights" : o.weights_source;
  } else {
    const auto dir = o.out / "twin";
    std::filesystem::create_directories(dir);
    scorer.segnet = dir / "segnet.safetensors";
    scorer.posenet = dir / "posenet.safetensors";
    if (o.twin == "random") random_twin(o, log, video, scorer, stage);
    else if (o.twin == "trained") trained_twin(o, log, scorer, stage);
    else fail(ErrorKind::usage, "--twin {}: expected trained or random", o.twin);
  }
  for (const auto& p : {scorer.segnet, scorer.posenet})
    if (!std::filesystem::exists(p)) fail(ErrorKind::usage, "{}: scorer weights not found", p.string());
  stage.outputs = {scorer.segnet, scorer.posenet};
  stage.seconds = seconds_since(t);
  return stage;
}

// Stage 3: compress -> inflate -> eval over the grid (each point through the evaluate.sh contract).
DemoStage sweep_grid(const DemoOptions& o, const Log& log, const std::filesystem::path& video, const ScorerSetup& scorer,
                     DemoResult& result) {
  const auto t = SteadyClock::now();
  const auto work = o.out / "work";
  result.points = run_sweep(video, o.grid, work, scorer, [&](const SweepPoint& p) {
    log(fmt::format("point: {} scale {} crf {}: {} bytes, rate term {:.4f}, seg {:.6f}, pose {:.6f}, score {:.4f} "
                    "(compress {:.1f} s, inflate+eval {:.1f} s)",
                    p.codec, p.scale, p.crf, p.scored.archive_bytes, p.scored.rate_term, p.scored.segnet_distortion,
                    p.scored.posenet_distortion, p.scored.score, p.compress_seconds, p.eval_seconds));
  }, o.progress);
  result.real_scorer = std::all_of(result.points.begin(), result.points.end(), [](const SweepPoint& p) { return p.real_scorer; });
  DemoStage stage{"compress -> inflate -> eval", seconds_since(t), {work / "videos", work / "names.txt"}, ""};
  for (const auto& p : result.points)
    for (const char* name : {"archive.zip", "inflate.sh", "inflated", "report.txt", "evaluation.json"})
      stage.outputs.push_back(p.submission / name);
  stage.note = fmt::format("{} points; each: tac compress, fresh unzip, inflate.sh (tac-inflate), tac eval", result.points.size());
  return stage;
}

struct FrameComparison {
  std::int64_t frame;
  std::filesystem::path original, inflated;  // PNG thumbnails
};

// Thumbnails of the first, middle and last frame: the video and the best point's inflated frames.
std::vector<FrameComparison> compare_frames(const std::filesystem::path& video, const SweepPoint& best,
                                            const std::filesystem::path& out) {
  const auto raw_path = best.submission / "inflated" / (video.stem().string() + ".raw");
  const io::RawFrames recon(raw_path);
  const std::int64_t n = recon.frame_count();
  std::vector<std::int64_t> picks{0, n / 2, n - 1};
  picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
  std::vector<FrameComparison> comparisons;
  io::VideoDecoder decoder(video);
  std::vector<std::uint8_t> rgb(contest::kFrameBytes);
  std::int64_t index = 0;
  for (const auto pick : picks) {
    while (index <= pick && decoder.next_rgb(rgb)) {
      if (index == pick) {
        FrameComparison c{pick, out / fmt::format("frame{}_original.png", pick), out / fmt::format("frame{}_inflated.png", pick)};
        plot::write_png(c.original, plot::thumbnail(rgb, contest::kFrameWidth, contest::kFrameHeight));
        plot::write_png(c.inflated, plot::thumbnail(recon.frame(pick), contest::kFrameWidth, contest::kFrameHeight));
        comparisons.push_back(std::move(c));
      }
      ++index;
    }
  }
  return comparisons;
}

std::string report_markdown(const DemoResult& result, const std::string& warning) {
  std::string md = "# tac demo\n\n";
  if (!warning.empty()) md += "```\n" + warning + "\n```\n\n";
  md += "## Stages\n\n";
  for (const auto& s : result.stages) {
    md += fmt::format("### {} ({:.1f} s)\n{}\n\n", s.name, s.seconds, s.note);
    for (const auto& f : s.outputs) md += "- `" + f.string() + "`\n";
    md += "\n";
  }
  md += "## Rate-distortion\n\n![rate-distortion chart](rd.svg)\n\n## Results\n\n```\n" + sweep_table(result.points) + "```\n";
  return md;
}

std::string report_html(const DemoResult& result, const std::string& warning, const std::string& best_note,
                        const std::vector<FrameComparison>& comparisons) {
  std::string html =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>tac demo</title>\n"
      "<style>body{font-family:sans-serif;max-width:1250px;margin:1em auto}pre{background:#f4f4f4;padding:.5em}"
      ".warn{background:#fff0f0;border:3px solid #c00;padding:.5em 1em;font-weight:bold}"
      "img{max-width:100%}td{vertical-align:top;padding:4px}</style></head><body>\n<h1>tac demo</h1>\n";
  if (!warning.empty()) html += "<div class=\"warn\"><pre>" + tac::markup_escape(warning) + "</pre></div>\n";
  html += "<h2>Rate-distortion</h2>\n<p>x: rate term 25&middot;archive/original; y: distortion terms "
          "100&middot;seg + &radic;(10&middot;pose). Series:";
  for (const auto& s : rd_series(result.points))
    html += " <span style=\"color:" + hex(s.color) + "\">&#9632; " + tac::markup_escape(s.label) + "</span>";
  html += "</p>\n<img src=\"rd.svg\" alt=\"rate-distortion chart\">\n<h2>Results</h2>\n<pre>" + tac::markup_escape(sweep_table(result.points)) + "</pre>\n";
  html += "<h2>Frames: original (left) and inflated " + tac::markup_escape(best_note) + " (right)</h2>\n<table>\n";
  for (const auto& c : comparisons) {
    html += fmt::format("<tr><td>frame {}<br><img src=\"{}\"></td><td><br><img src=\"{}\"></td></tr>\n", c.frame,
                        c.original.filename().string(), c.inflated.filename().string());
  }
  html += "</table>\n<h2>Stages</h2>\n";
  for (const auto& s : result.stages) {
    html += fmt::format("<h3>{} ({:.1f} s)</h3><p>{}</p><ul>", tac::markup_escape(s.name), s.seconds, tac::markup_escape(s.note));
    for (const auto& f : s.outputs) html += "<li><code>" + tac::markup_escape(f.string()) + "</code></li>";
    html += "</ul>\n";
  }
  html += "</body></html>\n";
  return html;
}

}  // namespace

DemoResult run_demo(const DemoOptions& o) {
  const Log log = [&](const std::string& line) {
    if (o.log) o.log(line);
  };
  if (std::filesystem::exists(o.out) && !std::filesystem::is_empty(o.out) && !o.force) {
    fail(ErrorKind::usage, "{}: exists and is not empty; choose another --out or pass --force", o.out.string());
  }
  std::filesystem::create_directories(o.out);
  DemoResult result;
  std::filesystem::path video;
  result.stages.push_back(input_video(o, log, video));
  ScorerSetup scorer;
  result.stages.push_back(scorer_weights(o, log, video, scorer));
  result.stages.push_back(sweep_grid(o, log, video, scorer, result));

  // Stage 4. Report: plot, frame comparisons of the best point, report.md, index.html.
  const auto t = SteadyClock::now();
  const auto chart = write_sweep_outputs(result.points, o.out);
  const auto best = *std::min_element(result.points.begin(), result.points.end(),
                                      [](const SweepPoint& a, const SweepPoint& b) { return a.scored.score < b.scored.score; });
  const auto comparisons = compare_frames(video, best, o.out);
  DemoStage report{"report", 0, {o.out / "report.md", o.out / "index.html", chart, o.out / "sweep.json", o.out / "sweep.txt"}, ""};
  for (const auto& c : comparisons) {
    report.outputs.push_back(c.original);
    report.outputs.push_back(c.inflated);
  }
  report.note = fmt::format("best point: {} scale {} crf {}", best.codec, best.scale, best.crf);
  report.seconds = seconds_since(t);
  result.stages.push_back(report);

  const std::string warning = result.real_scorer ? "" : twin_warning();
  result.report = o.out / "report.md";
  write_file_atomic(result.report, report_markdown(result, warning));
  result.html = o.out / "index.html";
  write_file_atomic(result.html, report_html(result, warning, report.note, comparisons));
  return result;
}

}  // namespace tac::pipeline
