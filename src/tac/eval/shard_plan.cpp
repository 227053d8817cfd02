// This rank's share of the work: the reconstructions it reads and the samples of each video it scores.
#include <fmt/format.h>

#include <algorithm>

#include "tac/core/contest.hpp"
#include "tac/eval/evaluation_steps.hpp"
#include "tac/eval/submission.hpp"
#include "tac/scorer/scorer_revision.hpp"

namespace tac::eval {

std::vector<std::unique_ptr<io::RawFrames>> open_reconstructions(const EvalOptions& o, const std::vector<std::string>& names,
                                                                 EvalRun& run) {
  // Every expected `.raw` (evaluate.sh step 3), opened strictly by default (whole frames,
  // nothing trailing): checked before the scorer is loaded, so bad frames fail fast.
  check_expected_raws(o.submission_dir / "inflated", names);
  std::vector<std::unique_ptr<io::RawFrames>> raws;
  for (auto& v : run.videos) {
    io::RawReadOptions ropt;
    ropt.lenient = o.lenient;
    raws.push_back(std::make_unique<io::RawFrames>(v.raw_path, ropt));
    v.raw_frames = raws.back()->frame_count();
    if (v.raw_frames < contest::kFramesPerSample)
      fail(ErrorKind::corrupt_input, "{}: {} frame(s): not even one sample (two frames of {} bytes)", v.raw_path.string(),
           v.raw_frames, contest::kFrameBytes);
    if (!raws.back()->lenient_note().empty()) run.lenient_notes.push_back(raws.back()->lenient_note());
  }
  return raws;
}

ShardPlan plan_shards(const EvalRun& run, const std::vector<std::unique_ptr<io::RawFrames>>& raws,
                      const RankPosition& position) {
  ShardPlan plan;
  for (std::size_t i = 0; i < run.videos.size(); ++i) {
    const auto& v = run.videos[i];
    const Shard shard = contiguous_shard(raws[i]->sample_count(), position.rank, position.world);
    plan.jobs.push_back({static_cast<int>(i), &v, raws[i].get(), shard, position.rank == position.world - 1});
    plan.keys.push_back({v.sha256, run.segnet.sha256, run.posenet.sha256, run.device, std::string(scorer::kScorerRevision),
                         fmt::format("samples [{}, {})", shard.begin, shard.end), shard.end - shard.begin});
    plan.samples += shard.end - shard.begin;
  }
  return plan;
}

// Samples in flight: upstream's batch size, capped at the scorer's forward batch. Batch
// composition never changes a per-sample value (spec §1.1), and a smaller step keeps the decoded
// frames and mapped `.raw` pages in memory few (about 12 MB per sample).
std::int64_t pipeline_step(const EvalOptions& o, int forward_batch) {
  return std::max(1, std::min(o.batch_size, std::max(1, forward_batch)));
}

}  // namespace tac::eval
