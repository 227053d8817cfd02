#pragma once
// `.raw` frame files: uint8 RGB, (N, 874, 1164, 3), no header (scorer_architecture.md §1.1).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "tac/core/contest.hpp"
#include "tac/core/mapped_file.hpp"
#include "tac/core/output_file.hpp"

namespace tac::io {

using FrameView = std::span<const std::uint8_t, contest::kFrameBytes>;

struct RawReadOptions {
  // Upstream takes floor(size / frame) frames and ignores trailing bytes; tac refuses unless lenient.
  bool lenient = false;
  // When set, the file must hold exactly this many frames (strict) or at least... see lenient.
  std::optional<std::int64_t> expected_frames;
};

class RawFrames {
 public:
  RawFrames(const std::filesystem::path& path, const RawReadOptions& options = {});

  std::int64_t frame_count() const { return frames_; }
  std::int64_t sample_count() const { return frames_ / contest::kFramesPerSample; }
  FrameView frame(std::int64_t index) const;
  // Sample k is the frame pair (2k, 2k+1).
  std::pair<FrameView, FrameView> pair(std::int64_t sample) const;
  const std::filesystem::path& path() const { return file_.path(); }
  std::uint64_t trailing_bytes() const { return trailing_; }
  // Deviations from the strict contract accepted under --lenient (empty when none).
  const std::string& lenient_note() const { return lenient_note_; }

 private:
  MappedFile file_;
  std::int64_t frames_ = 0;
  std::uint64_t trailing_ = 0;
  std::string lenient_note_;
};

// Streams whole frames into a `.raw` that appears only when commit() is called.
class RawWriter {
 public:
  explicit RawWriter(const std::filesystem::path& path);
  void write_frame(std::span<const std::uint8_t> rgb);  // exactly kFrameBytes
  // A frame in pieces: whole rows (a multiple of the row size), then end_frame() once the rows
  // add up to exactly one frame.
  void write_rows(std::span<const std::uint8_t> rows);
  void end_frame();
  std::int64_t frames_written() const { return frames_; }
  void commit();  // refuses while a frame is only partly written

 private:
  OutputFile out_;
  std::int64_t frames_ = 0;
  std::size_t partial_bytes_ = 0;  // bytes of the frame being written in pieces
};

}  // namespace tac::io
