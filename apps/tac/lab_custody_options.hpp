#pragma once
// The custody options shared by `tac lab grade` and `tac lab record`, declared once.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "comma_lab/grade/grade.hpp"

namespace tac::cli {

struct CustodyArgs {
  std::string archive, submission_dir, claim_axis;
  bool negative = false;
};

void add_custody_options(CLI::App* cmd, CustodyArgs& args);
// The facts the record points to by itself, overridden by the options given.
comma_lab::grade::CustodyFacts custody_facts(const nlohmann::json& record, const CustodyArgs& args);

}  // namespace tac::cli
