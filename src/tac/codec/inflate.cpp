#include "tac/codec/inflate.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>

#include "tac/core/error.hpp"
#include "tac/io/raw_frames.hpp"

namespace tac::codec {
namespace {

class RawSink final : public FrameSink {
 public:
  RawSink(const std::filesystem::path& path, const InflateOptions& options, std::string stage)
      : writer_(path), progress_(options.progress), stage_(std::move(stage)), total_(std::max<std::int64_t>(options.max_frames, 0)) {
    report_progress(progress_, stage_, 0, total_, "frames");
  }
  void write_frame(std::span<const std::uint8_t> rgb) override {
    writer_.write_frame(rgb);
    report_progress(progress_, stage_, writer_.frames_written(), total_, "frames");
  }
  void commit() { writer_.commit(); }
  std::int64_t frames() const { return writer_.frames_written(); }

 private:
  io::RawWriter writer_;
  const ProgressCallback& progress_;
  std::string stage_;
  std::int64_t total_ = 0;  // 0: the format knows, the sink does not
};

}  // namespace

std::vector<std::string> read_video_names(const std::filesystem::path& names_file) {
  std::ifstream in(names_file);
  if (!in) fail(ErrorKind::io, "{}: cannot read the video names file", names_file.string());
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    const auto b = line.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) continue;
    const auto e = line.find_last_not_of(" \t\r\n");
    names.push_back(line.substr(b, e - b + 1));
    if (names.size() > 100000) fail(ErrorKind::limit_exceeded, "{}: too many names", names_file.string());
  }
  if (names.empty()) fail(ErrorKind::corrupt_input, "{}: no video names listed", names_file.string());
  return names;
}

InflateResult inflate_archive(const InflateRequest& request) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto names = read_video_names(request.names_file);
  const ArchiveContents archive = ArchiveContents::open(request.archive);
  const Format& format = detect_format(archive);
  if (!request.expected_format.empty() && format.name() != request.expected_format) {
    if (!find_format(request.expected_format))
      fail(ErrorKind::usage, "unknown format '{}'; known formats: {}", request.expected_format, known_formats_text());
    fail(ErrorKind::corrupt_input, "{}: archive is {}, not {}", archive.source(), format.name(), request.expected_format);
  }
  std::filesystem::create_directories(request.output_dir);
  InflateResult result;
  result.format = std::string(format.name());
  InflateOptions options = request.options;
  options.stats = &result.stats;
  for (const auto& name : names) {
    const ArchiveMember* member = format.member_for(archive, name);
    if (!member) fail(ErrorKind::corrupt_input, "{}: no member for video '{}' in this {} archive", archive.source(), name, format.name());
    if (!format.detect(*member)) fail(ErrorKind::corrupt_input, "{}: member '{}' is not {}", archive.source(), member->name, format.name());
    const auto raw_path = request.output_dir / (video_stem(name) + ".raw");
    RawSink sink(raw_path, options, "inflate " + name);
    format.inflate(*member, sink, options);
    sink.commit();
    result.videos.push_back({name, raw_path, sink.frames()});
  }
  result.stats.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace tac::codec
