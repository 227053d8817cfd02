#include "comma_lab/sandbox/sandboxed_inflate.hpp"

#include <algorithm>

#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/eval/submission.hpp"

namespace comma_lab::sandbox {
namespace fs = std::filesystem;

bool InflateRun::outputs_ok() const {
  return !outputs.empty() && std::all_of(outputs.begin(), outputs.end(), [](const RawCheck& c) { return c.problem.empty(); });
}

std::vector<RawCheck> check_raw_outputs(const fs::path& inflated_dir, const std::vector<std::string>& names,
                                        std::optional<std::int64_t> frames) {
  std::vector<RawCheck> checks;
  for (const auto& name : names) {
    RawCheck c;
    c.video = name;
    c.raw = tac::eval::expected_raw_path(inflated_dir, name);
    std::error_code ec;
    if (!fs::is_regular_file(c.raw, ec)) {
      c.problem = "missing";
    } else {
      c.bytes = fs::file_size(c.raw, ec);
      c.frames = static_cast<std::int64_t>(c.bytes / tac::contest::kFrameBytes);
      if (c.bytes == 0) {
        c.problem = "empty";
      } else if (c.bytes % tac::contest::kFrameBytes != 0) {
        c.problem = fmt::format("{} bytes is not a whole number of {}x{} RGB frames", c.bytes, tac::contest::kFrameWidth,
                                tac::contest::kFrameHeight);
      } else if (frames && c.frames != *frames) {
        c.problem = fmt::format("{} frames, expected {}", c.frames, *frames);
      }
    }
    checks.push_back(std::move(c));
  }
  return checks;
}

InflateRun run_inflate_sandboxed(const fs::path& submission_dir, const fs::path& names_file, const InflateRunOptions& options) {
  const auto names = tac::eval::read_video_names(names_file);
  if (options.unzip) tac::eval::unzip_submission(submission_dir);
  const auto command = tac::eval::inflate_command(submission_dir, names_file);
  const fs::path inflated = command[3];
  std::error_code ec;
  fs::remove_all(inflated, ec);  // evaluate.sh starts from an empty OUTPUT_DIR
  auto sandbox = options.sandbox;
  sandbox.keep.push_back(fs::absolute(submission_dir));
  sandbox.keep.push_back(fs::absolute(names_file));
  InflateRun run;
  run.process = run_sandboxed(command, sandbox);
  run.outputs = check_raw_outputs(inflated, names, options.frames);
  return run;
}

}  // namespace comma_lab::sandbox
