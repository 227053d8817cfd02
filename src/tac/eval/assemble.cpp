// The run from every rank's work: samples in (video, sample) order, each exactly once, per-video
// facts, and the score.
#include <algorithm>
#include <tuple>

#include "tac/eval/evaluation_steps.hpp"
#include "tac/eval/score.hpp"

namespace tac::eval {

namespace {

void merge_samples(const std::vector<RankWork>& works, EvalRun& run) {
  for (std::size_t r = 0; r < works.size(); ++r) {
    const auto& w = works[r];
    const bool cache_served = !w.videos.empty() && std::all_of(w.videos.begin(), w.videos.end(),
                                                               [](const RankVideo& v) { return v.cache_served; });
    run.ranks.push_back({static_cast<int>(r), static_cast<std::int64_t>(w.samples.size()), w.seconds, cache_served});
    run.per_sample.insert(run.per_sample.end(), w.samples.begin(), w.samples.end());
  }
  std::sort(run.per_sample.begin(), run.per_sample.end(), [](const SampleDistortion& a, const SampleDistortion& b) {
    return std::tie(a.video, a.sample) < std::tie(b.video, b.sample);
  });
  for (std::size_t i = 1; i < run.per_sample.size(); ++i) {
    const auto& d = run.per_sample[i];
    if (d.video == run.per_sample[i - 1].video && d.sample == run.per_sample[i - 1].sample)
      fail(ErrorKind::internal, "internal: sample {} of {} scored twice", d.sample,
           run.videos[static_cast<std::size_t>(d.video)].name);
  }
}

void merge_videos(const std::vector<RankWork>& works, EvalRun& run) {
  for (std::size_t i = 0; i < run.videos.size(); ++i) {
    auto& v = run.videos[i];
    v.cache_served = true;
    for (const auto& w : works) {
      if (i >= w.videos.size()) continue;
      v.cache_served = v.cache_served && w.videos[i].cache_served;
      if (w.videos[i].gt_frames >= 0) v.gt_frames = w.videos[i].gt_frames;
      if (!w.videos[i].cache_note.empty()) v.cache_note = w.videos[i].cache_note;
    }
    v.samples = std::count_if(run.per_sample.begin(), run.per_sample.end(),
                              [&](const SampleDistortion& d) { return d.video == static_cast<int>(i); });
  }
}

}  // namespace

void assemble_run(const EvalOptions& o, const std::vector<RankWork>& works, const std::vector<std::string>& lenient_notes,
                  EvalRun& run) {
  merge_samples(works, run);
  merge_videos(works, run);
  run.lenient_notes.insert(run.lenient_notes.end(), lenient_notes.begin(), lenient_notes.end());
  if (run.per_sample.empty()) fail(ErrorKind::internal, "no sample was scored");

  std::vector<double> pose, seg;
  for (const auto& d : run.per_sample) {
    pose.push_back(d.pose);
    seg.push_back(d.seg);
  }
  run.score = compute_score(static_cast<std::int64_t>(run.per_sample.size()), mean_distortion(pose), mean_distortion(seg),
                            run.archive_bytes, run.original_bytes);
  run.cache_enabled = o.use_cache;
  run.cache_dir = o.use_cache ? (o.cache_dir.empty() ? default_gt_cache_dir() : o.cache_dir) : std::filesystem::path();
  decide_axis(run);
}

}  // namespace tac::eval
