// run_evaluation's first steps: the run's settings, the inputs that need no work, their identities.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <openssl/crypto.h>
#include <sys/utsname.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
}

#include "tac/core/contest.hpp"
#include "tac/core/sha256.hpp"
#include "tac/core/version.hpp"
#include "tac/eval/evaluation_steps.hpp"
#include "tac/eval/phase_timer.hpp"
#include "tac/eval/submission.hpp"
#include "tac/eval/torch_info.hpp"
#include "tac/scorer/scorer_revision.hpp"

namespace tac::eval {

namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> library_versions() {
  return {{"tac", tac::kVersion},
          {"libtorch", torch_version()},
          {"libavcodec", AV_STRINGIFY(LIBAVCODEC_VERSION)},
          {"libavformat", AV_STRINGIFY(LIBAVFORMAT_VERSION)},
          {"libavutil", AV_STRINGIFY(LIBAVUTIL_VERSION)},
          {"ffmpeg", av_version_info()},
          {"openssl", OpenSSL_version(OPENSSL_VERSION)},
          {"scorer_revision", std::string(scorer::kScorerRevision)}};
}

}  // namespace

void start_run(const EvalOptions& o, const RankPosition& position, EvalRun& run) {
  run.tac_version = tac::kVersion;
  struct utsname host {};
  if (::uname(&host) == 0) {
    run.platform_os = host.sysname;
    std::transform(run.platform_os.begin(), run.platform_os.end(), run.platform_os.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    run.platform_arch = host.machine;
  }
  run.submission_dir = o.submission_dir;
  run.device = std::string(scorer::device_name(o.device));
  run.batch_size = o.batch_size;
  run.world_size = position.world;
  run.backend = position.comm ? position.comm->backend() : "";
  run.sharding = position.world > 1 ? "contiguous" : "none";
  run.lenient = o.lenient;
  run.report_path = o.report_path.empty() ? o.submission_dir / "report.txt" : o.report_path;
  run.libraries = library_versions();
  if (o.batch_size < 1) fail(ErrorKind::usage, "--batch-size must be at least 1 (got {})", o.batch_size);
}

std::vector<std::string> validate_inputs(const EvalOptions& o, EvalRun& run) {
  std::error_code ec;
  if (!fs::is_directory(o.submission_dir, ec))
    fail(ErrorKind::usage, "{}: submission directory not found", o.submission_dir.string());
  if (!fs::is_directory(o.uncompressed_dir, ec))
    fail(ErrorKind::usage, "{}: original-video directory not found", o.uncompressed_dir.string());
  auto names = read_video_names(o.video_names_file);
  for (const auto& name : names) {
    VideoRun v;
    v.name = name;
    v.video_path = o.uncompressed_dir / name;
    if (!fs::is_regular_file(v.video_path, ec))
      fail(ErrorKind::usage, "{}: video '{}' listed in {} is not in {}", v.video_path.string(), name,
           o.video_names_file.string(), o.uncompressed_dir.string());
    v.raw_path = expected_raw_path(o.submission_dir / "inflated", name);
    run.videos.push_back(std::move(v));
  }
  run.archive_path = o.submission_dir / "archive.zip";
  if (!fs::is_regular_file(run.archive_path, ec)) fail(ErrorKind::usage, "{}: archive.zip not found", run.archive_path.string());
  return names;
}

void identify_inputs(const EvalOptions& o, EvalRun& run) {
  PhaseScope t(run.phase_seconds, "identify");
  run.segnet = scorer::identify_weights(o.segnet_weights, scorer::Network::SegNet);
  run.posenet = scorer::identify_weights(o.posenet_weights, scorer::Network::PoseNet);
  run.archive_bytes = fs::file_size(run.archive_path);
  run.archive_sha256 = sha256_file_hex(run.archive_path);
  run.original_bytes = directory_bytes(o.uncompressed_dir);
  for (auto& v : run.videos) {
    v.bytes = fs::file_size(v.video_path);
    v.sha256 = sha256_file_hex(v.video_path);
    v.real = v.sha256 == contest::kVideoSha256;
  }
}

}  // namespace tac::eval
