#pragma once
// The submission side of upstream evaluate.sh (challenge_notes.md "What evaluate.sh does"):
// unzip archive.zip into SUB/archive, run `bash SUB/inflate.sh SUB/archive SUB/inflated NAMES`,
// and check that every expected `.raw` exists.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tac::eval {

// Names from a video names file (one per line, blank lines ignored, surrounding spaces trimmed).
// Throws tac::Error if the file is missing, empty or names something unsafe (absolute, "..").
std::vector<std::string> read_video_names(const std::filesystem::path& names_file);

// "<dir>/<name without extension>.raw", as evaluate.py looks for it.
std::filesystem::path expected_raw_path(const std::filesystem::path& inflated_dir, const std::string& video_name);

// Step 1: replaces SUB/archive with the contents of SUB/archive.zip. The zip is extracted into a
// temporary directory first, so a bad zip leaves SUB/archive as it was.
void unzip_submission(const std::filesystem::path& submission_dir);

// Step 2: runs inflate.sh with bash (its stdout goes to our stderr, so tac's stdout stays the
// report). A failed inflate removes the OUTPUT_DIR it created. Returns the seconds it took.
double run_inflate(const std::filesystem::path& submission_dir, const std::filesystem::path& names_file);

// Something that does step 2 another way (the lab's sandboxed inflate): same arguments, same
// contract (throws tac::Error when inflate.sh fails, leaves no half-written OUTPUT_DIR).
using InflateRunner = std::function<double(const std::filesystem::path& submission_dir, const std::filesystem::path& names_file)>;

// The command evaluate.sh runs for step 2: bash SUB/inflate.sh SUB/archive SUB/inflated NAMES,
// every path absolute.
std::vector<std::string> inflate_command(const std::filesystem::path& submission_dir, const std::filesystem::path& names_file);

// Step 3: every expected `.raw` must exist (evaluate.sh exits 1 otherwise).
void check_expected_raws(const std::filesystem::path& inflated_dir, const std::vector<std::string>& names);

}  // namespace tac::eval
