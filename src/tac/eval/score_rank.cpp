// This rank's scoring: open the reconstructions, plan the shards, load the networks, score every video.
#include <optional>

#include "tac/core/stopwatch.hpp"
#include "tac/eval/evaluation_steps.hpp"
#include "tac/eval/phase_timer.hpp"
#include "tac/eval/torch_info.hpp"
#include "tac/scorer/scorer.hpp"

namespace tac::eval {

namespace {

// Forward batch: 4 unless asked. Each sample in flight costs ~15 MB (frames, preprocessed inputs,
// PoseNet activations); measured on clip16, 4 is as fast as 8 and keeps the peak near 700 MB
// instead of 820 MB.
constexpr int kDefaultForwardBatch = 4;

scorer::ScorerOptions scorer_options(const EvalOptions& o) {
  scorer::ScorerOptions so;
  so.segnet_weights = o.segnet_weights;
  so.posenet_weights = o.posenet_weights;
  so.device = o.device;
  so.threads = o.threads;
  so.batch = o.forward_batch > 0 ? o.forward_batch : kDefaultForwardBatch;
  return so;
}

}  // namespace

RankWork score_rank(const EvalOptions& o, const RankPosition& position, const std::vector<std::string>& names, EvalRun& run,
                    std::vector<std::string>& lenient_notes) {
  auto& phases = run.phase_seconds;
  const auto raws = open_reconstructions(o, names, run);
  const scorer::ScorerOptions so = scorer_options(o);
  const std::int64_t step = pipeline_step(o, so.batch);
  std::optional<GtCache> cache;
  if (o.use_cache) cache.emplace(o.cache_dir.empty() ? default_gt_cache_dir() : o.cache_dir);
  const GtCache* cache_ptr = cache ? &*cache : nullptr;
  const ShardPlan plan = plan_shards(run, raws, position);

  // The first video's ground truth starts decoding (or is found in the cache) while the networks load.
  GtSource first = open_gt_source(plan.jobs[0], cache_ptr, plan.keys[0], step, phases);
  std::unique_ptr<scorer::Scorer> scorer;
  {
    PhaseScope t(phases, "load_scorer");
    scorer = std::make_unique<scorer::Scorer>(so);
  }
  RankScoring ctx{o, *scorer, cache_ptr, phases, lenient_notes, 0, plan.samples};
  report_progress(o.progress, "eval", 0, plan.samples, "samples");
  RankWork mine;
  const auto work_start = SteadyClock::now();
  for (std::size_t i = 0; i < plan.jobs.size(); ++i) {
    GtSource src = i == 0 ? std::move(first) : open_gt_source(plan.jobs[i], cache_ptr, plan.keys[i], step, phases);
    mine.videos.push_back(score_video(ctx, plan.jobs[i], plan.keys[i], std::move(src), mine.samples));
  }
  mine.seconds = seconds_since(work_start);
  run.threads = torch_threads();
  return mine;
}

}  // namespace tac::eval
