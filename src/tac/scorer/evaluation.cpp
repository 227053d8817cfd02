#include "tac/scorer/evaluation.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <sys/mman.h>
#include <unistd.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
}

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/raw_frames.hpp"
#include "tac/io/video_decoder.hpp"
#include "tac/scorer/distributed.hpp"
#include "tac/scorer/gt_cache.hpp"
#include "tac/scorer/progress_bar.hpp"
#include "tac/scorer/report.hpp"
#include "tac/scorer/scorer.hpp"
#include "tac/scorer/scorer_revision.hpp"
#include "tac/scorer/submission.hpp"
#include "tac/scorer/torch_info.hpp"

namespace tac::scorer {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kTacVersion = "0.1.0";
constexpr int kDefaultForwardBatch = 4;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Adds the wall time of a scope to a named phase.
class PhaseScope {
 public:
  PhaseScope(std::map<std::string, double>& phases, std::string name)
      : phases_(phases), name_(std::move(name)), start_(Clock::now()) {}
  ~PhaseScope() { phases_[name_] += seconds_since(start_); }

 private:
  std::map<std::string, double>& phases_;
  std::string name_;
  Clock::time_point start_;
};

std::map<std::string, std::string> library_versions() {
  return {{"tac", kTacVersion},
          {"libtorch", torch_version()},
          {"libavcodec", AV_STRINGIFY(LIBAVCODEC_VERSION)},
          {"libavformat", AV_STRINGIFY(LIBAVFORMAT_VERSION)},
          {"libavutil", AV_STRINGIFY(LIBAVUTIL_VERSION)},
          {"ffmpeg", av_version_info()},
          {"openssl", OpenSSL_version(OPENSSL_VERSION)},
          {"scorer_revision", std::string(kScorerRevision)}};
}

// What one rank found for one video.
struct RankVideo {
  std::int64_t gt_frames = -1;
  bool cache_served = false;
  std::string cache_note;
};

struct RankWork {
  std::vector<SampleDistortion> samples;
  std::vector<RankVideo> videos;
  double seconds = 0;
};

// --- the data one rank sends to the others (all doubles) -------------------------------------------
void put_text(std::vector<double>& out, const std::string& text) {
  out.push_back(static_cast<double>(text.size()));
  for (const unsigned char c : text) out.push_back(c);
}

std::string get_text(const std::vector<double>& in, std::size_t& at) {
  const auto n = static_cast<std::size_t>(in.at(at++));
  std::string text;
  for (std::size_t i = 0; i < n; ++i) text.push_back(static_cast<char>(static_cast<int>(in.at(at++))));
  return text;
}

std::vector<double> encode_work(const RankWork& w, const std::string& error) {
  std::vector<double> out;
  out.push_back(error.empty() ? 0 : 1);
  put_text(out, error);
  if (!error.empty()) return out;
  out.push_back(w.seconds);
  out.push_back(static_cast<double>(w.videos.size()));
  for (const auto& v : w.videos) {
    out.push_back(static_cast<double>(v.gt_frames));
    out.push_back(v.cache_served ? 1 : 0);
    put_text(out, v.cache_note);
  }
  out.push_back(static_cast<double>(w.samples.size()));
  for (const auto& s : w.samples) {
    out.push_back(s.video);
    out.push_back(static_cast<double>(s.sample));
    out.push_back(s.pose);
    out.push_back(s.seg);
  }
  return out;
}

// Returns the error text of a failed rank, or decodes its work.
std::string decode_work(const std::vector<double>& in, RankWork& w) {
  std::size_t at = 0;
  const bool failed = in.at(at++) != 0;
  std::string error = get_text(in, at);
  if (failed) return error.empty() ? "unknown error" : error;
  w.seconds = in.at(at++);
  const auto videos = static_cast<std::size_t>(in.at(at++));
  for (std::size_t i = 0; i < videos; ++i) {
    RankVideo v;
    v.gt_frames = static_cast<std::int64_t>(in.at(at++));
    v.cache_served = in.at(at++) != 0;
    v.cache_note = get_text(in, at);
    w.videos.push_back(std::move(v));
  }
  const auto samples = static_cast<std::size_t>(in.at(at++));
  for (std::size_t i = 0; i < samples; ++i) {
    SampleDistortion s;
    s.video = static_cast<int>(in.at(at++));
    s.sample = static_cast<std::int64_t>(in.at(at++));
    s.pose = in.at(at++);
    s.seg = in.at(at++);
    w.samples.push_back(s);
  }
  return {};
}

// Every rank learns whether any rank failed; a failure anywhere fails everywhere, naming the rank.
void agree_or_fail(Communicator* comm, const std::string& local_error, const char* stage) {
  if (comm == nullptr) {
    if (!local_error.empty()) throw Error(ErrorKind::internal, local_error);
    return;
  }
  std::vector<double> mine{local_error.empty() ? 0.0 : 1.0};
  put_text(mine, local_error);
  const auto all = comm->all_gather(mine);
  if (!local_error.empty()) throw Error(ErrorKind::internal, local_error);
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].at(0) != 0) {
      std::size_t at = 1;
      fail("rank {} failed during {}: {}", r, stage, get_text(all[r], at));
    }
  }
}

// Drops already-consumed pages of a read-only file map from our resident set, so streaming a
// 3.6 GB `.raw` (or a large cache entry) keeps memory bounded. The kernel re-reads them if touched.
void release_pages(const void* data, std::size_t bytes) {
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(data) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes + page - 1) & ~(page - 1);
  if (bytes > 0) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

struct VideoJob {
  int index = 0;
  const VideoRun* video = nullptr;
  const io::RawFrames* raw = nullptr;
  Shard shard;
  bool last_rank = true;  // decodes the original to its end (strict frame-count check)
};

// Samples in flight: upstream's batch size, capped at the scorer's forward batch. Batch
// composition never changes a per-sample value (spec §1.1), and a smaller step keeps the decoded
// frames and mapped `.raw` pages in memory few (about 12 MB per sample).
std::int64_t pipeline_step(const EvalOptions& o, int forward_batch) {
  return std::max(1, std::min(o.batch_size, std::max(1, forward_batch)));
}

// A video's ground-truth source: a valid cache entry, or an open decoder (which starts decoding in
// its background thread at once, so preparing before the scorer loads overlaps the two).
struct GtSource {
  std::unique_ptr<GtCacheEntry> entry;
  std::unique_ptr<io::VideoDecoder> decoder;
  std::string cache_note;
};

GtSource open_gt_source(const EvalOptions& o, const VideoJob& job, const GtCache* cache, const GtCacheKey& key,
                        std::int64_t step, std::map<std::string, double>& phases) {
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
    fail("{}: original video is {}x{}, the contest's frames are {}x{}", job.video->video_path.string(), info.width,
         info.height, contest::kFrameWidth, contest::kFrameHeight);
  return src;
}

// Scores this rank's samples of one video. GT outputs come from the cache when it serves, else
// from decoding the original step by step; the reconstruction frames are read from the mapped `.raw`.
RankVideo score_video(Scorer& scorer, const EvalOptions& o, const VideoJob& job, GtSource source, const GtCache* cache,
                      const GtCacheKey& key, std::vector<SampleDistortion>& out, std::vector<std::string>& lenient_notes,
                      std::map<std::string, double>& phases, ProgressBar& bar) {
  RankVideo result;
  const auto& video = *job.video;
  const auto& raw = *job.raw;
  const std::int64_t begin = job.shard.begin;
  const std::int64_t end = job.shard.end;
  const std::int64_t batch = pipeline_step(o, scorer.options().batch);
  std::unique_ptr<GtCacheEntry> entry = std::move(source.entry);
  std::unique_ptr<io::VideoDecoder> decoder = std::move(source.decoder);
  result.cache_note = source.cache_note;

  if (entry && job.last_rank && entry->gt_frames() != raw.frame_count()) {
    if (!o.lenient)
      fail("{}: {} frames, but the original video {} has {} frames", raw.path().string(), raw.frame_count(),
           video.video_path.string(), entry->gt_frames());
    lenient_notes.push_back(fmt::format("{}: reconstruction has {} frames, the original {}", video.name,
                                        raw.frame_count(), entry->gt_frames()));
  }

  std::unique_ptr<GtCacheWriter> writer;  // cold run: the entry is written step by step
  std::vector<std::uint8_t> gt_frames;
  if (!entry) {
    PhaseScope t(phases, "decode_gt");
    for (std::int64_t f = 0; f < 2 * begin; ++f) {  // frames of earlier shards: decode, do not convert
      if (decoder->next_yuv() == nullptr)
        fail("{}: original video ends after {} frames, before sample {}", video.video_path.string(), f, begin);
    }
    gt_frames.resize(static_cast<std::size_t>(std::min(batch, std::max<std::int64_t>(end - begin, 1))) * 2 * contest::kFrameBytes);
    if (cache != nullptr && end > begin) writer = std::make_unique<GtCacheWriter>(*cache, key);
  }

  bool truncated = false;
  std::vector<FramePairView> gt_pairs, rec_pairs;
  for (std::int64_t b = begin; b < end && !truncated; b += batch) {
    std::int64_t n = std::min(batch, end - b);
    SampleOutputs gt_out, rec_out;
    const float* gt_pose = nullptr;
    const std::uint8_t* gt_seg = nullptr;
    if (entry) {
      gt_pose = entry->pose(b - begin, n).data();
      gt_seg = entry->seg(b - begin, n).data();
    } else {
      std::int64_t frames = 0;
      {
        PhaseScope t(phases, "decode_gt");
        for (; frames < 2 * n; ++frames) {
          const std::span<std::uint8_t> dst(gt_frames.data() + frames * contest::kFrameBytes, contest::kFrameBytes);
          if (!decoder->next_rgb(dst, 2)) break;
        }
      }
      if (frames < 2 * n) {
        const std::int64_t have = 2 * b + frames;
        if (!o.lenient)
          fail("{}: original video has {} frames, the reconstruction {} has {}", video.video_path.string(), have,
               raw.path().string(), raw.frame_count());
        lenient_notes.push_back(fmt::format("{}: original has {} frames, fewer than the reconstruction's {}; scored {} samples",
                                            video.name, have, raw.frame_count(), b + frames / 2));
        n = frames / 2;
        truncated = true;
        if (n == 0) break;
      }
      gt_pairs.clear();
      for (std::int64_t i = 0; i < n; ++i)
        gt_pairs.push_back({gt_frames.data() + (2 * i) * contest::kFrameBytes, gt_frames.data() + (2 * i + 1) * contest::kFrameBytes});
      PhaseScope t(phases, "score_gt");
      scorer.run(gt_pairs, gt_out);
      gt_pose = gt_out.pose.data();
      gt_seg = gt_out.seg_argmax.data();
    }
    rec_pairs.clear();
    for (std::int64_t i = 0; i < n; ++i) {
      const auto [first, second] = raw.pair(b + i);
      rec_pairs.push_back({first.data(), second.data()});
    }
    {
      PhaseScope t(phases, "score_reconstruction");
      scorer.run(rec_pairs, rec_out);
    }
    for (std::int64_t i = 0; i < n; ++i) {
      SampleDistortion d;
      d.video = job.index;
      d.sample = b + i;
      d.pose = pose_distortion(gt_pose + i * SampleOutputs::kPoseOutputs, rec_out.pose.data() + i * SampleOutputs::kPoseOutputs);
      d.seg = seg_distortion(gt_seg + i * SampleOutputs::kSegPixels, rec_out.seg_argmax.data() + i * SampleOutputs::kSegPixels);
      out.push_back(d);
    }
    if (writer) writer->append(gt_out);
    if (n > 0) {
      release_pages(raw.frame(2 * b).data(), static_cast<std::size_t>(2 * n) * contest::kFrameBytes);
      if (entry) {
        release_pages(gt_seg, static_cast<std::size_t>(n) * SampleOutputs::kSegPixels);
      }
    }
    bar.advance(n);
  }

  if (entry) {
    result.cache_served = true;
    result.gt_frames = entry->gt_frames();
    return result;
  }
  if (job.last_rank && !truncated) {
    PhaseScope t(phases, "decode_gt");
    while (decoder->next_yuv() != nullptr) {
    }
    result.gt_frames = decoder->frames_delivered();
    if (result.gt_frames != raw.frame_count()) {
      if (!o.lenient)
        fail("{}: {} frames, but the original video {} has {} frames", raw.path().string(), raw.frame_count(),
             video.video_path.string(), result.gt_frames);
      lenient_notes.push_back(fmt::format("{}: reconstruction has {} frames, the original {}", video.name,
                                          raw.frame_count(), result.gt_frames));
    }
  }
  if (writer && !truncated) {
    PhaseScope t(phases, "gt_cache");
    writer->commit(result.gt_frames);
  }
  return result;
}

}  // namespace

EvalResult run_evaluation(const EvalOptions& o) {
  const auto start = Clock::now();
  EvalResult result;
  EvalRun& run = result.run;
  Communicator* comm = o.comm;
  const int rank = comm ? comm->rank() : 0;
  const int world = comm ? comm->world_size() : 1;
  auto& phases = run.phase_seconds;

  run.tac_version = kTacVersion;
  run.submission_dir = o.submission_dir;
  run.device = std::string(device_name(o.device));
  run.batch_size = o.batch_size;
  run.world_size = world;
  run.backend = comm ? comm->backend() : "";
  run.sharding = world > 1 ? "contiguous" : "none";
  run.lenient = o.lenient;
  run.report_path = o.report_path.empty() ? o.submission_dir / "report.txt" : o.report_path;
  run.libraries = library_versions();
  if (o.batch_size < 1) fail("--batch-size must be at least 1 (got {})", o.batch_size);

  // Inputs that need no work: fail early, before anything runs or is written.
  std::error_code ec;
  if (!fs::is_directory(o.submission_dir, ec)) fail("{}: submission directory not found", o.submission_dir.string());
  if (!fs::is_directory(o.uncompressed_dir, ec)) fail("{}: original-video directory not found", o.uncompressed_dir.string());
  const auto names = read_video_names(o.video_names_file);
  for (const auto& name : names) {
    VideoRun v;
    v.name = name;
    v.video_path = o.uncompressed_dir / name;
    if (!fs::is_regular_file(v.video_path, ec))
      fail("{}: video '{}' listed in {} is not in {}", v.video_path.string(), name, o.video_names_file.string(),
           o.uncompressed_dir.string());
    v.raw_path = expected_raw_path(o.submission_dir / "inflated", name);
    run.videos.push_back(std::move(v));
  }
  run.archive_path = o.submission_dir / "archive.zip";
  if (!fs::is_regular_file(run.archive_path, ec)) fail("{}: archive.zip not found", run.archive_path.string());

  {
    PhaseScope t(phases, "identify");
    run.segnet = identify_weights(o.segnet_weights, Network::SegNet);
    run.posenet = identify_weights(o.posenet_weights, Network::PoseNet);
    run.archive_bytes = fs::file_size(run.archive_path);
    run.archive_sha256 = sha256_file_hex(run.archive_path);
    run.original_bytes = directory_bytes(o.uncompressed_dir);
    for (auto& v : run.videos) {
      v.bytes = fs::file_size(v.video_path);
      v.sha256 = sha256_file_hex(v.video_path);
      v.real = v.sha256 == contest::kVideoSha256;
    }
  }

  // evaluate.sh steps 1-3 (rank 0 prepares; the others wait for it).
  {
    PhaseScope t(phases, "inflate");
    std::string error;
    const fs::path inflated = o.submission_dir / "inflated";
    const bool exists = fs::exists(inflated, ec);
    const bool inflate = o.inflate == InflateMode::Always || (o.inflate == InflateMode::Auto && !exists);
    if (!inflate) run.inflate = o.inflate == InflateMode::Never ? "skipped: --skip-inflate" : "skipped: inflated/ exists";
    else run.inflate = "ran";
    if (rank == 0 && inflate) {
      try {
        unzip_submission(o.submission_dir);
        const double secs = run_inflate(o.submission_dir, o.video_names_file);
        run.inflate = fmt::format("ran ({:.2f} s)", secs);
      } catch (const Error& e) {
        error = e.what();
      }
    }
    agree_or_fail(comm, error, "inflate");
  }

  // This rank's work; errors are shared with the other ranks so none waits forever.
  RankWork mine;
  std::string error;
  std::vector<std::string> local_lenient;
  try {
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
        fail("{}: {} frame(s): not even one sample (two frames of {} bytes)", v.raw_path.string(), v.raw_frames,
             contest::kFrameBytes);
      if (!raws.back()->lenient_note().empty()) run.lenient_notes.push_back(raws.back()->lenient_note());
    }
    ScorerOptions so;
    so.segnet_weights = o.segnet_weights;
    so.posenet_weights = o.posenet_weights;
    so.device = o.device;
    so.threads = o.threads;
    // Forward batch: 4 unless asked. Each sample in flight costs ~15 MB (frames, preprocessed
    // inputs, PoseNet activations); measured on clip16, 4 is as fast as 8 and keeps the peak
    // near 700 MB instead of 820 MB.
    so.batch = o.forward_batch > 0 ? o.forward_batch : kDefaultForwardBatch;
    const std::int64_t step = pipeline_step(o, so.batch);

    std::optional<GtCache> cache;
    if (o.use_cache) cache.emplace(o.cache_dir.empty() ? default_gt_cache_dir() : o.cache_dir);
    std::int64_t my_total = 0;
    std::vector<VideoJob> jobs;
    std::vector<GtCacheKey> keys;
    for (std::size_t i = 0; i < run.videos.size(); ++i) {
      const auto& v = run.videos[i];
      const Shard shard = contiguous_shard(raws[i]->sample_count(), rank, world);
      jobs.push_back({static_cast<int>(i), &v, raws[i].get(), shard, rank == world - 1});
      keys.push_back({v.sha256, run.segnet.sha256, run.posenet.sha256, run.device, std::string(kScorerRevision),
                      fmt::format("samples [{}, {})", shard.begin, shard.end), shard.end - shard.begin});
      my_total += shard.end - shard.begin;
    }
    // The first video's ground truth starts decoding (or is found in the cache) while the
    // networks load.
    GtSource first = open_gt_source(o, jobs[0], cache ? &*cache : nullptr, keys[0], step, phases);
    std::unique_ptr<Scorer> scorer;
    {
      PhaseScope t(phases, "load_scorer");
      scorer = std::make_unique<Scorer>(so);
    }
    ProgressBar bar(world > 1 ? fmt::format("tac eval (rank {}/{})", rank, world) : "tac eval", my_total,
                    o.progress && rank == 0);
    const auto work_start = Clock::now();
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      GtSource src = i == 0 ? std::move(first) : open_gt_source(o, jobs[i], cache ? &*cache : nullptr, keys[i], step, phases);
      mine.videos.push_back(score_video(*scorer, o, jobs[i], std::move(src), cache ? &*cache : nullptr, keys[i],
                                        mine.samples, local_lenient, phases, bar));
    }
    bar.finish();
    mine.seconds = seconds_since(work_start);
    run.threads = torch_threads();
  } catch (const Error& e) {
    error = e.what();
  } catch (const std::exception& e) {
    error = fmt::format("unexpected error: {}", e.what());
  }

  // Gather every rank's samples (one process: just its own).
  std::vector<RankWork> works(static_cast<std::size_t>(world));
  {
    PhaseScope t(phases, "gather");
    if (comm == nullptr) {
      if (!error.empty()) throw Error(ErrorKind::internal, error);
      works[0] = std::move(mine);
    } else {
      const auto all = comm->all_gather(encode_work(mine, error));
      if (!error.empty()) throw Error(ErrorKind::internal, error);
      for (std::size_t r = 0; r < all.size(); ++r) {
        const std::string failed = decode_work(all[r], works[r]);
        if (!failed.empty()) fail("rank {} failed: {}", r, failed);
      }
    }
  }

  // Assemble: samples in (video, sample) order, each exactly once.
  for (std::size_t r = 0; r < works.size(); ++r) {
    auto& w = works[r];
    run.ranks.push_back({static_cast<int>(r), static_cast<std::int64_t>(w.samples.size()), w.seconds,
                         !w.videos.empty() && std::all_of(w.videos.begin(), w.videos.end(), [](const RankVideo& v) { return v.cache_served; })});
    run.per_sample.insert(run.per_sample.end(), w.samples.begin(), w.samples.end());
  }
  std::sort(run.per_sample.begin(), run.per_sample.end(),
            [](const SampleDistortion& a, const SampleDistortion& b) { return std::tie(a.video, a.sample) < std::tie(b.video, b.sample); });
  for (std::size_t i = 1; i < run.per_sample.size(); ++i) {
    if (run.per_sample[i].video == run.per_sample[i - 1].video && run.per_sample[i].sample == run.per_sample[i - 1].sample)
      fail("internal: sample {} of {} scored twice", run.per_sample[i].sample, run.videos[static_cast<std::size_t>(run.per_sample[i].video)].name);
  }
  for (std::size_t i = 0; i < run.videos.size(); ++i) {
    auto& v = run.videos[i];
    v.cache_served = true;
    for (const auto& w : works) {
      if (i >= w.videos.size()) continue;
      v.cache_served = v.cache_served && w.videos[i].cache_served;
      if (w.videos[i].gt_frames >= 0) v.gt_frames = w.videos[i].gt_frames;
      if (!w.videos[i].cache_note.empty()) v.cache_note = w.videos[i].cache_note;
    }
    v.samples = std::count_if(run.per_sample.begin(), run.per_sample.end(), [&](const SampleDistortion& d) { return d.video == static_cast<int>(i); });
  }
  run.lenient_notes.insert(run.lenient_notes.end(), local_lenient.begin(), local_lenient.end());
  if (run.per_sample.empty()) fail("no sample was scored");

  std::vector<double> pose, seg;
  for (const auto& d : run.per_sample) {
    pose.push_back(d.pose);
    seg.push_back(d.seg);
  }
  run.score = compute_score(static_cast<std::int64_t>(run.per_sample.size()), mean_distortion(pose), mean_distortion(seg),
                            run.archive_bytes, run.original_bytes);
  run.cache_enabled = o.use_cache;
  run.cache_dir = o.use_cache ? (o.cache_dir.empty() ? default_gt_cache_dir() : o.cache_dir) : fs::path();
  decide_axis(run);

  if (rank != 0) {
    phases["total"] = seconds_since(start);
    return result;
  }
  result.report = format_report(o.config, run.score, report_notes(run));
  phases["total"] = seconds_since(start);
  // Outputs last, each atomic: a failed run leaves no report or record behind.
  write_file_atomic(run.report_path, result.report);
  if (o.json_path) write_file_atomic(*o.json_path, evaluation_record(run).dump(2) + "\n");
  if (o.print_report) {
    std::fwrite(result.report.data(), 1, result.report.size(), stdout);
    std::fflush(stdout);
  }
  return result;
}

}  // namespace tac::scorer
