#pragma once
// Reading an evaluation record file for the `tac lab` verbs: size-limited, JSON errors name the file.
#include <filesystem>
#include <nlohmann/json.hpp>

namespace tac::cli {

nlohmann::json read_record_file(const std::filesystem::path& path);

}  // namespace tac::cli
