// `tac inflate ARCHIVE OUTPUT_DIR NAMES_FILE`: the inflate.sh contract, shared with tac-inflate.
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "progress_bar.hpp"
#include "tac/codec/inflate.hpp"

namespace {

void register_inflate(CLI::App& app) {
  auto request = std::make_shared<tac::codec::InflateRequest>();
  auto* cmd = app.add_subcommand(
      "inflate", "Inflate an archive (directory, zip or member file) to OUTPUT_DIR/<name>.raw; format detected from bytes.");
  cmd->add_option("archive", request->archive, "Unzipped archive directory, archive.zip, or a member file")->required();
  cmd->add_option("output_dir", request->output_dir, "Directory for the .raw files")->required();
  cmd->add_option("names_file", request->names_file, "File listing the video names, one per line")->required();
  cmd->add_option("--format", request->expected_format, "Require this format (refuse anything else)");
  cmd->add_option("--threads", request->options.threads, "Worker threads (0 = one per core)");
  cmd->add_option("--max-frames", request->options.max_frames, "Write only the first N frames of each video");
  cmd->callback([request] {
    tac::cli::ProgressBar bar("", tac::cli::ProgressBar::stderr_is_terminal());  // one line per video
    request->options.progress = bar.callback();
    const auto result = tac::codec::inflate_archive(*request);
    bar.finish();
    for (const auto& v : result.videos)
      std::printf("%s -> %s: %lld frames (%s)\n", v.name.c_str(), v.raw_path.c_str(), static_cast<long long>(v.frames),
                  result.format.c_str());
    std::printf("wall %.2f s; thread-seconds: network %.2f, upscale %.2f, write %.2f (%d threads)\n",
                result.stats.wall_seconds, result.stats.network_seconds, result.stats.upscale_seconds,
                result.stats.write_seconds, result.stats.threads);
  });
}

}  // namespace

TAC_REGISTER_COMMAND(40, register_inflate);
