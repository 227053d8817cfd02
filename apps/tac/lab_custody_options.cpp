#include "lab_custody_options.hpp"

namespace tac::cli {

void add_custody_options(CLI::App* cmd, CustodyArgs& args) {
  cmd->add_option("--archive", args.archive, "The archive bytes on disk (default: the record's archive.path)");
  cmd->add_option("--submission-dir", args.submission_dir,
                  "The runtime on disk (default: the archive's directory when it holds inflate.sh)");
  cmd->add_option("--claim-axis", args.claim_axis, "The axis the claim is made on (contest-cpu, contest-cuda, ...)");
  cmd->add_flag("--negative", args.negative, "Keep a full-custody record as a scoped negative result (A-negative)");
}

comma_lab::grade::CustodyFacts custody_facts(const nlohmann::json& record, const CustodyArgs& args) {
  auto facts = comma_lab::grade::facts_from_record(record);
  if (!args.archive.empty()) facts.archive = args.archive;
  if (!args.submission_dir.empty()) facts.submission_dir = args.submission_dir;
  if (!args.claim_axis.empty()) facts.claimed_axis = args.claim_axis;
  facts.negative = args.negative;
  return facts;
}

}  // namespace tac::cli
