// Where a video's ground-truth outputs come from: a valid cache entry, else the decoded original.
#include "tac/core/contest.hpp"
#include "tac/eval/evaluation_steps.hpp"
#include "tac/eval/phase_timer.hpp"

namespace tac::eval {

GtSource open_gt_source(const VideoJob& job, const GtCache* cache, const GtCacheKey& key, std::int64_t step,
                        std::map<std::string, double>& phases) {
  GtSource src;
  if (cache != nullptr && job.shard.end > job.shard.begin) {
    PhaseScope t(phases, "gt_cache");
    src.entry = cache->load(key, &src.cache_note);
  }
  if (src.entry) return src;
  PhaseScope t(phases, "decode_gt");
  io::VideoDecoderOptions dopt;
  if (!job.last_rank) dopt.max_frames = 2 * job.shard.end;
  dopt.queue_frames = static_cast<int>(2 * step);  // decode the next step while this one is scored
  src.decoder = std::make_unique<io::VideoDecoder>(job.video->video_path, dopt);
  const auto& info = src.decoder->info();
  if (info.width != contest::kFrameWidth || info.height != contest::kFrameHeight)
    fail(ErrorKind::corrupt_input, "{}: original video is {}x{}, the contest's frames are {}x{}",
         job.video->video_path.string(), info.width, info.height, contest::kFrameWidth, contest::kFrameHeight);
  return src;
}

}  // namespace tac::eval
