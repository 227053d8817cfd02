// evaluate.sh steps 1-2: rank 0 unzips the archive and runs inflate.sh; the others wait for it.
#include <fmt/format.h>

#include "tac/eval/evaluation_steps.hpp"
#include "tac/eval/phase_timer.hpp"
#include "tac/eval/rank_exchange.hpp"
#include "tac/eval/submission.hpp"

namespace tac::eval {

void inflate_submission(const EvalOptions& o, const RankPosition& position, EvalRun& run) {
  PhaseScope t(run.phase_seconds, "inflate");
  std::error_code ec;
  const bool exists = std::filesystem::exists(o.submission_dir / "inflated", ec);
  const bool inflate = o.inflate == InflateMode::Always || (o.inflate == InflateMode::Auto && !exists);
  if (!inflate) run.inflate = o.inflate == InflateMode::Never ? "skipped: --skip-inflate" : "skipped: inflated/ exists";
  else run.inflate = "ran";
  std::optional<RankError> error;
  if (position.rank == 0 && inflate) {
    try {
      unzip_submission(o.submission_dir);
      const double secs = o.inflate_runner ? o.inflate_runner(o.submission_dir, o.video_names_file)
                                           : run_inflate(o.submission_dir, o.video_names_file);
      run.inflate = fmt::format("ran ({:.2f} s)", secs);
    } catch (const Error& e) {
      error = RankError{e.kind(), e.what()};
    }
  }
  agree_or_fail(position.comm, error, "inflate");
}

}  // namespace tac::eval
