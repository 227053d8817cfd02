#pragma once
// evaluate.sh's steps 1-3 for the lab: unzip archive.zip into SUB/archive, run
// `bash SUB/inflate.sh SUB/archive SUB/inflated NAMES` inside the sandbox (sandbox.hpp), and
// check every expected `.raw`: present, whole frames of the contest's size, and as many as
// expected when that is known.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "comma_lab/sandbox/sandbox.hpp"

namespace comma_lab::sandbox {

struct InflateRunOptions {
  SandboxOptions sandbox;              // `keep` gets the submission and names file added
  std::optional<std::int64_t> frames;  // frames every .raw must hold (none: any whole number > 0)
  bool unzip = true;                   // false: SUB/archive is already extracted
};

struct RawCheck {
  std::string video;
  std::filesystem::path raw;
  std::uint64_t bytes = 0;
  std::int64_t frames = 0;  // whole frames in it
  std::string problem;      // empty when it is as expected
};

struct InflateRun {
  SandboxResult process;
  std::vector<RawCheck> outputs;
  bool outputs_ok() const;
  bool succeeded() const { return process.succeeded() && outputs_ok(); }
};

// Runs it; throws tac::Error when the submission cannot be prepared (no archive.zip or
// inflate.sh, a bad zip, bad names file) or the sandbox cannot be set up. A failed or
// overrunning inflate.sh is a result, not an exception: see InflateRun.
InflateRun run_inflate_sandboxed(const std::filesystem::path& submission_dir, const std::filesystem::path& names_file,
                                 const InflateRunOptions& options);

// The .raw checks alone (what evaluate.sh step 3 and the lab ask of an inflated directory).
std::vector<RawCheck> check_raw_outputs(const std::filesystem::path& inflated_dir, const std::vector<std::string>& names,
                                        std::optional<std::int64_t> frames);

}  // namespace comma_lab::sandbox
