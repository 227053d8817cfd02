#pragma once
// upstream evaluate.py's report.txt, byte for byte in format (scorer_architecture.md §4).
#include <string>
#include <utility>
#include <vector>

#include "tac/eval/score.hpp"

namespace tac::eval {

// Python's "{:,}" for integers.
std::string thousands(std::uint64_t value);

// "=== Evaluation results over N samples ===" and the six result lines, each ending in '\n'.
std::string format_results_block(const ScoreComponents& score);

// The whole report: config block (keys sorted, as upstream prints them) then the results block.
// Extra lines (e.g. the scorer's identity) go after the results, so upstream's lines stay intact.
std::string format_report(std::vector<std::pair<std::string, std::string>> config, const ScoreComponents& score,
                          const std::vector<std::string>& notes = {});

}  // namespace tac::eval
