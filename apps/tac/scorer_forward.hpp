#pragma once
// Hands a verb to `tac-scorer` (the executable with libtorch, beside `tac`, or $TAC_SCORER).
#include <string>
#include <vector>

namespace tac::cli {

// Replaces this process by `tac-scorer VERB ARGUMENTS...`; throws tac::Error if it cannot start.
[[noreturn]] void run_in_scorer(const std::string& verb, const std::vector<std::string>& arguments);

}  // namespace tac::cli
