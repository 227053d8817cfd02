#include "sibling_tools.hpp"

#include <system_error>

namespace tac::cli {

std::filesystem::path sibling_tac_inflate() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  // An install puts it beside tac; the build tree in apps/tac-inflate/.
  for (const auto& candidate : {self.parent_path() / "tac-inflate", self.parent_path().parent_path() / "tac-inflate" / "tac-inflate"}) {
    if (std::filesystem::exists(candidate, ec)) return candidate;
  }
  return self.parent_path().parent_path() / "tac-inflate" / "tac-inflate";
}

}  // namespace tac::cli
