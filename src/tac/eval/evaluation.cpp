// run_evaluation: the steps of evaluation_steps.hpp in order, then the outputs (rank 0).
#include "tac/eval/evaluation.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "tac/core/output_file.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/eval/evaluation_steps.hpp"
#include "tac/eval/phase_timer.hpp"
#include "tac/eval/rank_exchange.hpp"
#include "tac/eval/report.hpp"

namespace tac::eval {

namespace {

// This rank's work; its error (with its kind) is shared with the other ranks so none waits forever.
RankWork score_rank_or_record_error(const EvalOptions& o, const RankPosition& position, const std::vector<std::string>& names,
                                    EvalRun& run, std::vector<std::string>& lenient_notes,
                                    std::optional<RankError>& error) {
  try {
    return score_rank(o, position, names, run, lenient_notes);
  } catch (const Error& e) {
    error = RankError{e.kind(), e.what()};
  } catch (const std::exception& e) {
    error = RankError{ErrorKind::internal, fmt::format("unexpected error: {}", e.what())};
  }
  return {};
}

// Outputs last, each atomic: a failed run leaves no report or record behind.
void write_outputs(const EvalOptions& o, const EvalResult& result) {
  write_file_atomic(result.run.report_path, result.report);
  if (!o.json_path) return;
  auto record = evaluation_record(result.run);
  if (o.amend_record) o.amend_record(record);
  write_file_atomic(*o.json_path, record.dump(2) + "\n");
}

}  // namespace

EvalResult run_evaluation(const EvalOptions& o) {
  const auto start = SteadyClock::now();
  EvalResult result;
  EvalRun& run = result.run;
  RankPosition position;
  position.comm = o.comm;
  position.rank = o.comm ? o.comm->rank() : 0;
  position.world = o.comm ? o.comm->world_size() : 1;

  start_run(o, position, run);
  const auto names = validate_inputs(o, run);
  identify_inputs(o, run);
  inflate_submission(o, position, run);

  std::optional<RankError> error;
  std::vector<std::string> lenient_notes;
  RankWork mine = score_rank_or_record_error(o, position, names, run, lenient_notes, error);
  std::vector<RankWork> works;
  {
    PhaseScope t(run.phase_seconds, "gather");
    works = gather_work(o.comm, std::move(mine), error);
  }
  assemble_run(o, works, lenient_notes, run);

  if (position.rank != 0) {
    run.phase_seconds["total"] = seconds_since(start);
    return result;
  }
  result.report = format_report(o.config, run.score, report_notes(run));
  run.phase_seconds["total"] = seconds_since(start);
  write_outputs(o, result);
  return result;
}

}  // namespace tac::eval
