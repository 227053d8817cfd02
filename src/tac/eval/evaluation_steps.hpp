#pragma once
// The steps of run_evaluation (evaluation.cpp), one concern per file:
//   validate.cpp      record the settings, check the inputs that need no work, identify them
//   inflate_step.cpp  evaluate.sh steps 1-2 on rank 0 (unzip, inflate.sh); every rank agrees
//   shard_plan.cpp    open the reconstructions, plan this rank's shard of every video
//   gt_source.cpp     a video's ground truth: a cache entry or a running decoder
//   score_video.cpp   score one video's shard, batch by batch
//   score_rank.cpp    load the scorer and score this rank's shards
//   assemble.cpp      merge the ranks' work into the run and compute the score
// (gathering the ranks' work is rank_exchange.hpp.) Internal to tac_eval.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tac/eval/distributed.hpp"
#include "tac/eval/evaluation.hpp"
#include "tac/eval/gt_cache.hpp"
#include "tac/eval/rank_message.hpp"
#include "tac/io/raw_frames.hpp"
#include "tac/io/video_decoder.hpp"

namespace tac::scorer {
class Scorer;
}

namespace tac::eval {

// Where this process stands in the run.
struct RankPosition {
  Communicator* comm = nullptr;  // null: one process
  int rank = 0;
  int world = 1;
};

// --- validate.cpp ---------------------------------------------------------------------------------
// Fills the run's settings and library versions; fails on a bad batch size.
void start_run(const EvalOptions& o, const RankPosition& position, EvalRun& run);
// Inputs that need no work, checked before anything runs or is written; returns the video names.
std::vector<std::string> validate_inputs(const EvalOptions& o, EvalRun& run);
// Weights, archive and videos: identities, sizes, SHA-256.
void identify_inputs(const EvalOptions& o, EvalRun& run);

// --- inflate_step.cpp -----------------------------------------------------------------------------
void inflate_submission(const EvalOptions& o, const RankPosition& position, EvalRun& run);

// --- shard_plan.cpp -------------------------------------------------------------------------------
struct VideoJob {
  int index = 0;
  const VideoRun* video = nullptr;
  const io::RawFrames* raw = nullptr;
  Shard shard;
  bool last_rank = true;  // decodes the original to its end (strict frame-count check)
};

struct ShardPlan {
  std::vector<VideoJob> jobs;
  std::vector<GtCacheKey> keys;  // by job
  std::int64_t samples = 0;      // this rank's samples, all videos
};

// Every expected `.raw`, opened (strictly unless --lenient) and checked to hold a sample.
std::vector<std::unique_ptr<io::RawFrames>> open_reconstructions(const EvalOptions& o, const std::vector<std::string>& names,
                                                                 EvalRun& run);
ShardPlan plan_shards(const EvalRun& run, const std::vector<std::unique_ptr<io::RawFrames>>& raws,
                      const RankPosition& position);
// Samples in flight per step (see shard_plan.cpp).
std::int64_t pipeline_step(const EvalOptions& o, int forward_batch);

// --- gt_source.cpp --------------------------------------------------------------------------------
// A video's ground-truth source: a valid cache entry, or an open decoder (which starts decoding in
// its background thread at once, so preparing before the scorer loads overlaps the two).
struct GtSource {
  std::unique_ptr<GtCacheEntry> entry;
  std::unique_ptr<io::VideoDecoder> decoder;
  std::string cache_note;
};

GtSource open_gt_source(const VideoJob& job, const GtCache* cache, const GtCacheKey& key, std::int64_t step,
                        std::map<std::string, double>& phases);

// --- score_video.cpp ------------------------------------------------------------------------------
// What scoring one rank's videos shares.
struct RankScoring {
  const EvalOptions& options;
  scorer::Scorer& scorer;
  const GtCache* cache = nullptr;
  std::map<std::string, double>& phases;
  std::vector<std::string>& lenient_notes;
  std::int64_t done = 0;   // samples scored so far, all videos (progress)
  std::int64_t total = 0;  // samples of this rank
};

// Scores this rank's samples of one video into `out`.
RankVideo score_video(RankScoring& ctx, const VideoJob& job, const GtCacheKey& key, GtSource source,
                      std::vector<SampleDistortion>& out);

// --- score_rank.cpp -------------------------------------------------------------------------------
// Loads the scorer and scores this rank's shards of every video.
RankWork score_rank(const EvalOptions& o, const RankPosition& position, const std::vector<std::string>& names, EvalRun& run,
                    std::vector<std::string>& lenient_notes);

// --- assemble.cpp ---------------------------------------------------------------------------------
// Samples in (video, sample) order, each exactly once; per-video facts; the score.
void assemble_run(const EvalOptions& o, const std::vector<RankWork>& works, const std::vector<std::string>& lenient_notes,
                  EvalRun& run);

}  // namespace tac::eval
