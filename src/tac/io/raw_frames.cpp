#include "tac/io/raw_frames.hpp"

#include "tac/core/error.hpp"

namespace tac::io {

RawFrames::RawFrames(const std::filesystem::path& path, const RawReadOptions& options) : file_(path) {
  const std::uint64_t size = file_.size();
  frames_ = static_cast<std::int64_t>(size / contest::kFrameBytes);
  trailing_ = size % contest::kFrameBytes;
  if (trailing_ != 0) {
    if (!options.lenient)
      fail(ErrorKind::corrupt_input, "{}: size {} bytes is not a whole number of {}x{}x3 frames ({} bytes each): {} trailing bytes "
           "(use --lenient to ignore them as upstream does)",
           path.string(), size, contest::kFrameHeight, contest::kFrameWidth, contest::kFrameBytes, trailing_);
    lenient_note_ += fmt::format("ignored {} trailing bytes; ", trailing_);
  }
  if (options.expected_frames && frames_ != *options.expected_frames) {
    const auto expected = *options.expected_frames;
    const auto expected_bytes = static_cast<std::uint64_t>(expected) * contest::kFrameBytes;
    if (!options.lenient || frames_ > expected)
      fail(ErrorKind::corrupt_input, "{}: expected {} frames ({} bytes), found {} frames ({} bytes){}", path.string(), expected, expected_bytes, frames_, size,
           frames_ < expected ? " (use --lenient to score only the samples present, as upstream can)" : "");
    lenient_note_ += fmt::format("scored {} of {} expected frames; ", frames_, expected);
  }
  if (!lenient_note_.empty()) lenient_note_.resize(lenient_note_.size() - 2);
  file_.advise_sequential();
}

FrameView RawFrames::frame(std::int64_t index) const {
  if (index < 0 || index >= frames_) fail(ErrorKind::internal, "{}: frame {} out of range (file has {} frames)", path().string(), index, frames_);
  return FrameView(file_.bytes().data() + static_cast<std::size_t>(index) * contest::kFrameBytes, contest::kFrameBytes);
}

std::pair<FrameView, FrameView> RawFrames::pair(std::int64_t sample) const {
  return {frame(2 * sample), frame(2 * sample + 1)};
}

RawWriter::RawWriter(const std::filesystem::path& path) : out_(path) { out_.set_scratch(true); }

void RawWriter::write_frame(std::span<const std::uint8_t> rgb) {
  if (partial_bytes_ != 0) fail(ErrorKind::internal, "{}: frame {} is only partly written", out_.path().string(), frames_);
  if (rgb.size() != contest::kFrameBytes)
    fail(ErrorKind::internal, "{}: frame {} has {} bytes, expected {}", out_.path().string(), frames_, rgb.size(), contest::kFrameBytes);
  out_.write(rgb);
  ++frames_;
}

void RawWriter::write_rows(std::span<const std::uint8_t> rows) {
  constexpr std::size_t kRowBytes = static_cast<std::size_t>(contest::kFrameWidth) * 3;
  if (rows.size() % kRowBytes != 0 || partial_bytes_ + rows.size() > contest::kFrameBytes)
    fail(ErrorKind::internal, "{}: frame {}: {} bytes are not whole rows fitting the frame ({} of {} bytes written)", out_.path().string(),
         frames_, rows.size(), partial_bytes_, contest::kFrameBytes);
  out_.write(rows);
  partial_bytes_ += rows.size();
}

void RawWriter::end_frame() {
  if (partial_bytes_ != contest::kFrameBytes)
    fail(ErrorKind::internal, "{}: frame {} has {} bytes, expected {}", out_.path().string(), frames_, partial_bytes_, contest::kFrameBytes);
  partial_bytes_ = 0;
  ++frames_;
}

void RawWriter::commit() {
  if (partial_bytes_ != 0) fail(ErrorKind::internal, "{}: frame {} is only partly written", out_.path().string(), frames_);
  out_.commit();
}

}  // namespace tac::io
