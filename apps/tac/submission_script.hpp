#pragma once
// The inflate.sh of a submission directory (run by `tac submission init` and `tac repack`): it
// runs the light runtime tac-inflate for one format.
#include <filesystem>
#include <string>

namespace tac::cli {

std::string inflate_script(const std::string& format);
// Writes DIR/inflate.sh (atomically) and makes it executable.
void write_inflate_script(const std::filesystem::path& dir, const std::string& format);

}  // namespace tac::cli
