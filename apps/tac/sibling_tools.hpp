#pragma once
// Programs built beside this tac (the build tree, or an install with the same layout).
#include <filesystem>

namespace tac::cli {

// tac-inflate beside this tac (installed) or in the build tree (apps/tac-inflate/tac-inflate);
// empty if /proc/self/exe cannot be read.
std::filesystem::path sibling_tac_inflate();

}  // namespace tac::cli
