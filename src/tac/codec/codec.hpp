#pragma once
// One interface for every archive format tac can inflate (classical video, hnerv95, ...):
// detect from the bytes of an unzipped member, describe its sections for `tac archive inspect`,
// and inflate one video to a stream of frames. Formats are listed in registry.cpp; nothing here
// needs libtorch, so the light runtime `tac-inflate` links it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tac/core/progress.hpp"

namespace tac::codec {

struct ArchiveMember {
  std::string name;                    // path inside the archive, '/'-separated
  std::span<const std::uint8_t> bytes; // owned by the ArchiveContents
};

// The members of an archive, from a zip file, an unzipped directory, or one bare member file.
class ArchiveContents {
 public:
  static ArchiveContents open(const std::filesystem::path& path);  // zip (by content), directory or file
  static ArchiveContents from_zip(const std::filesystem::path& zip_path);
  static ArchiveContents from_directory(const std::filesystem::path& dir);
  static ArchiveContents from_bytes(std::string name, std::vector<std::uint8_t> bytes);

  const std::vector<ArchiveMember>& members() const { return members_; }
  const ArchiveMember* find(std::string_view name) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<ArchiveMember> members_;
  std::vector<std::shared_ptr<const void>> owners_;  // keeps maps/buffers alive
};

// A contiguous part of a member, for the byte anatomy of `tac archive inspect`.
struct Section {
  std::string name;
  std::uint64_t offset = 0;         // within the member
  std::uint64_t bytes = 0;          // stored bytes, framing included
  std::string codec;                // how the bytes are coded
  std::uint64_t decoded_bytes = 0;  // after decompression (0 when not applicable)
  std::string detail;
};

// Receives frames in display order: uint8 RGB, 874 x 1164 x 3.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void write_frame(std::span<const std::uint8_t> rgb) = 0;
};

// Time spent per stage, summed over threads (thread-seconds), and wall time of the whole inflate.
struct InflateStats {
  double network_seconds = 0;
  double upscale_seconds = 0;
  double write_seconds = 0;
  double wall_seconds = 0;
  std::int64_t frames = 0;
  int threads = 0;
};

struct InflateOptions {
  int threads = 0;               // 0: all hardware threads
  std::int64_t max_frames = -1;  // stop after this many frames (tests and previews); -1: all
  InflateStats* stats = nullptr;
  ProgressCallback progress;     // frames written, stage "inflate <video>" (inflate_archive)
};

class Format {
 public:
  virtual ~Format() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;
  // True when the member's bytes are of this format (cheap; never throws).
  virtual bool detect(const ArchiveMember& member) const = 0;
  virtual std::vector<Section> describe(const ArchiveMember& member) const = 0;
  // The member that holds `video_name` (e.g. "0.mkv"), or nullptr.
  virtual const ArchiveMember* member_for(const ArchiveContents& archive, std::string_view video_name) const = 0;
  virtual void inflate(const ArchiveMember& member, FrameSink& sink, const InflateOptions& options) const = 0;
};

// All formats, in detection order.
const std::vector<const Format*>& formats();
const Format* find_format(std::string_view name);
// "hnerv95 (…), classical (…)" for error messages.
std::string known_formats_text();
// The format of the archive: the first format that recognises one of its members. Fails, listing
// the known formats, when none does.
const Format& detect_format(const ArchiveContents& archive);
// The format of one member, or nullptr.
const Format* detect_member_format(const ArchiveMember& member);

// "0.mkv" -> "0": the video name without its extension (the .raw and member stem).
std::string video_stem(std::string_view video_name);

}  // namespace tac::codec
