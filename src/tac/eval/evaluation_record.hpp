#pragma once
// What one `tac eval` run did and found, and its JSON evaluation record (docs/eval.md lists the
// fields). The record carries custody (archive SHA-256 and bytes), the components, the score
// recomputed from them, the axis and the scorer's identity (real upstream weights or not).
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "tac/eval/score.hpp"
#include "tac/scorer/weights_identity.hpp"

namespace tac::eval {

struct SampleDistortion {
  int video = 0;            // index into EvalRun::videos
  std::int64_t sample = 0;  // sample index within that video (frames 2k, 2k+1)
  double pose = 0;
  double seg = 0;
};

struct VideoRun {
  std::string name;                   // as listed in the names file
  std::filesystem::path video_path;
  std::filesystem::path raw_path;
  std::string sha256;
  std::uint64_t bytes = 0;
  bool real = false;                  // the contest's videos/0.mkv by SHA-256
  std::int64_t raw_frames = 0;
  std::int64_t gt_frames = -1;        // -1: not known to this rank (sharded, not decoded to the end)
  std::int64_t samples = 0;           // samples evaluated (all ranks)
  bool cache_served = false;          // this rank's ground truth came from the cache
  std::string cache_note;             // e.g. an invalid entry that was rebuilt
};

struct RankTiming {
  int rank = 0;
  std::int64_t samples = 0;
  double seconds = 0;
  bool cache_served = false;
};

struct EvalRun {
  std::string tac_version;
  std::string platform_os, platform_arch;  // uname: "linux", "x86_64"
  std::filesystem::path submission_dir;
  std::filesystem::path archive_path;
  std::string archive_sha256;
  std::uint64_t archive_bytes = 0;
  std::uint64_t original_bytes = 0;
  ScoreComponents score;
  std::vector<SampleDistortion> per_sample;  // all samples, in (video, sample) order
  std::vector<VideoRun> videos;
  scorer::WeightsIdentity segnet;
  scorer::WeightsIdentity posenet;
  std::string device;
  int threads = 0;       // libtorch intra-op threads in effect
  int batch_size = 0;
  int world_size = 1;
  std::string backend;   // distributed backend, empty for one process
  std::string sharding;  // e.g. "contiguous"
  std::vector<RankTiming> ranks;
  std::string axis;                       // contest-cpu | cpu-advisory | cuda-advisory
  std::vector<std::string> axis_reasons;  // why not contest-cpu (empty when it is)
  std::string inflate;                    // "ran" | "skipped: ..."
  bool lenient = false;
  std::vector<std::string> lenient_notes;
  bool cache_enabled = false;
  std::filesystem::path cache_dir;
  std::map<std::string, std::string> libraries;
  std::map<std::string, double> phase_seconds;
  std::filesystem::path report_path;
};

// contest-cpu only for CPU on Linux x86_64 with the real weights, the real video and all 600
// samples scored; otherwise cpu-advisory / cuda-advisory with the reasons. (tac decodes the
// originals per spec §1.2, not with the contest's CUDA decoder, so it never claims the CUDA axis.)
void decide_axis(EvalRun& run);

bool scorer_is_real(const EvalRun& run);

// Lines printed after upstream's results block: scorer identity, axis, lenient deviations.
std::vector<std::string> report_notes(const EvalRun& run);

nlohmann::json evaluation_record(const EvalRun& run);

}  // namespace tac::eval
