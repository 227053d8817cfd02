// Scores one rank's samples of one video. Ground-truth outputs come from the cache when it serves,
// else from decoding the original step by step (and are written to the cache as they come); the
// reconstruction's frames are read from the mapped `.raw`.
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>

#include "tac/core/contest.hpp"
#include "tac/eval/evaluation_steps.hpp"
#include "tac/eval/phase_timer.hpp"
#include "tac/scorer/scorer.hpp"

namespace tac::eval {

namespace {

using scorer::FramePairView;
using scorer::SampleOutputs;

// Drops already-consumed pages of a read-only file map from our resident set, so streaming a
// 3.6 GB `.raw` (or a large cache entry) keeps memory bounded. The kernel re-reads them if touched.
void release_pages(const void* data, std::size_t bytes) {
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(data) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes + page - 1) & ~(page - 1);
  if (bytes > 0) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

// A batch's ground-truth outputs: into the cache entry's map, or into freshly scored outputs.
struct GtBatch {
  SampleOutputs outputs;  // empty when the cache serves
  const float* pose = nullptr;
  const std::uint8_t* seg = nullptr;
};

class VideoScoring {
 public:
  VideoScoring(RankScoring& ctx, const VideoJob& job, const GtCacheKey& key, GtSource source)
      : ctx_(ctx), job_(job), key_(key), entry_(std::move(source.entry)), decoder_(std::move(source.decoder)),
        batch_(pipeline_step(ctx.options, ctx.scorer.options().batch)) {
    result_.cache_note = source.cache_note;
  }

  RankVideo run(std::vector<SampleDistortion>& out) {
    if (entry_ && job_.last_rank) check_frame_counts(entry_->gt_frames());
    if (!entry_) start_decoding();
    for (std::int64_t b = job_.shard.begin; b < job_.shard.end && !truncated_; b += batch_) {
      std::int64_t n = std::min(batch_, job_.shard.end - b);
      GtBatch gt;
      if (!ground_truth(b, n, gt)) break;
      score_batch(b, n, gt, out);
    }
    return finish();
  }

 private:
  // The reconstruction must have the original's frame count (strict), else a lenient note.
  void check_frame_counts(std::int64_t gt_frames) {
    const auto& raw = *job_.raw;
    if (gt_frames == raw.frame_count()) return;
    if (!ctx_.options.lenient)
      fail(ErrorKind::corrupt_input, "{}: {} frames, but the original video {} has {} frames", raw.path().string(),
           raw.frame_count(), job_.video->video_path.string(), gt_frames);
    ctx_.lenient_notes.push_back(
        fmt::format("{}: reconstruction has {} frames, the original {}", job_.video->name, raw.frame_count(), gt_frames));
  }

  // Cold run: decode past earlier shards' frames (without converting them) and start the cache entry.
  void start_decoding() {
    PhaseScope t(ctx_.phases, "decode_gt");
    const std::int64_t begin = job_.shard.begin, end = job_.shard.end;
    for (std::int64_t f = 0; f < 2 * begin; ++f) {
      if (decoder_->next_yuv() == nullptr)
        fail(ErrorKind::corrupt_input, "{}: original video ends after {} frames, before sample {}",
             job_.video->video_path.string(), f, begin);
    }
    gt_frames_.resize(static_cast<std::size_t>(std::min(batch_, std::max<std::int64_t>(end - begin, 1))) * 2 *
                      contest::kFrameBytes);
    if (ctx_.cache != nullptr && end > begin) writer_ = std::make_unique<GtCacheWriter>(*ctx_.cache, key_);
  }

  // Ground truth of samples [b, b + n). An original that ends early shortens n (lenient) or fails;
  // returns false when no sample of the batch is left.
  bool ground_truth(std::int64_t b, std::int64_t& n, GtBatch& gt) {
    if (entry_) {
      gt.pose = entry_->pose(b - job_.shard.begin, n).data();
      gt.seg = entry_->seg(b - job_.shard.begin, n).data();
      return true;
    }
    const std::int64_t frames = decode_gt_frames(n);
    if (frames < 2 * n) {
      const std::int64_t have = 2 * b + frames;
      const auto& raw = *job_.raw;
      if (!ctx_.options.lenient)
        fail(ErrorKind::corrupt_input, "{}: original video has {} frames, the reconstruction {} has {}",
             job_.video->video_path.string(), have, raw.path().string(), raw.frame_count());
      ctx_.lenient_notes.push_back(fmt::format("{}: original has {} frames, fewer than the reconstruction's {}; scored {} samples",
                                               job_.video->name, have, raw.frame_count(), b + frames / 2));
      n = frames / 2;
      truncated_ = true;
      if (n == 0) return false;
    }
    gt_pairs_.clear();
    for (std::int64_t i = 0; i < n; ++i)
      gt_pairs_.push_back({gt_frames_.data() + (2 * i) * contest::kFrameBytes, gt_frames_.data() + (2 * i + 1) * contest::kFrameBytes});
    PhaseScope t(ctx_.phases, "score_gt");
    ctx_.scorer.run(gt_pairs_, gt.outputs);
    gt.pose = gt.outputs.pose.data();
    gt.seg = gt.outputs.seg_argmax.data();
    return true;
  }

  // Decodes up to 2n frames of the original as contest RGB; returns how many it got.
  std::int64_t decode_gt_frames(std::int64_t n) {
    PhaseScope t(ctx_.phases, "decode_gt");
    std::int64_t frames = 0;
    for (; frames < 2 * n; ++frames) {
      const std::span<std::uint8_t> dst(gt_frames_.data() + frames * contest::kFrameBytes, contest::kFrameBytes);
      if (!decoder_->next_rgb(dst, 2)) break;
    }
    return frames;
  }

  // Scores the reconstruction of samples [b, b + n) and appends their distortions.
  void score_batch(std::int64_t b, std::int64_t n, const GtBatch& gt, std::vector<SampleDistortion>& out) {
    const auto& raw = *job_.raw;
    rec_pairs_.clear();
    for (std::int64_t i = 0; i < n; ++i) {
      const auto [first, second] = raw.pair(b + i);
      rec_pairs_.push_back({first.data(), second.data()});
    }
    SampleOutputs rec;
    {
      PhaseScope t(ctx_.phases, "score_reconstruction");
      ctx_.scorer.run(rec_pairs_, rec);
    }
    for (std::int64_t i = 0; i < n; ++i) {
      SampleDistortion d;
      d.video = job_.index;
      d.sample = b + i;
      d.pose = scorer::pose_distortion(gt.pose + i * SampleOutputs::kPoseOutputs, rec.pose.data() + i * SampleOutputs::kPoseOutputs);
      d.seg = scorer::seg_distortion(gt.seg + i * SampleOutputs::kSegPixels, rec.seg_argmax.data() + i * SampleOutputs::kSegPixels);
      out.push_back(d);
    }
    if (writer_) writer_->append(gt.outputs);
    if (n > 0) {
      release_pages(raw.frame(2 * b).data(), static_cast<std::size_t>(2 * n) * contest::kFrameBytes);
      if (entry_) release_pages(gt.seg, static_cast<std::size_t>(n) * SampleOutputs::kSegPixels);
    }
    ctx_.done += n;
    report_progress(ctx_.options.progress, "eval", ctx_.done, ctx_.total, "samples");
  }

  // The last rank decodes the original to its end (strict frame count); a cold run commits its entry.
  RankVideo finish() {
    if (entry_) {
      result_.cache_served = true;
      result_.gt_frames = entry_->gt_frames();
      return result_;
    }
    if (job_.last_rank && !truncated_) {
      PhaseScope t(ctx_.phases, "decode_gt");
      while (decoder_->next_yuv() != nullptr) {
      }
      result_.gt_frames = decoder_->frames_delivered();
      check_frame_counts(result_.gt_frames);
    }
    if (writer_ && !truncated_) {
      PhaseScope t(ctx_.phases, "gt_cache");
      writer_->commit(result_.gt_frames);
    }
    return result_;
  }

  RankScoring& ctx_;
  const VideoJob& job_;
  const GtCacheKey& key_;
  std::unique_ptr<GtCacheEntry> entry_;
  std::unique_ptr<io::VideoDecoder> decoder_;
  std::unique_ptr<GtCacheWriter> writer_;  // cold run: the entry is written step by step
  std::int64_t batch_ = 1;
  std::vector<std::uint8_t> gt_frames_;
  std::vector<FramePairView> gt_pairs_, rec_pairs_;
  bool truncated_ = false;
  RankVideo result_;
};

}  // namespace

RankVideo score_video(RankScoring& ctx, const VideoJob& job, const GtCacheKey& key, GtSource source,
                      std::vector<SampleDistortion>& out) {
  return VideoScoring(ctx, job, key, std::move(source)).run(out);
}

}  // namespace tac::eval
