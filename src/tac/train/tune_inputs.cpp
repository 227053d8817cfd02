#include "tac/train/tune_inputs.hpp"

#include "tac/codec/codec.hpp"
#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/io/video_decoder.hpp"
#include "tac/io/zip_writer.hpp"

namespace tac::train {

namespace fs = std::filesystem;
namespace hn = codec::hnerv95;
namespace {
constexpr std::size_t kFrame = contest::kFrameBytes;
}

Hnerv95Input read_hnerv95_input(const fs::path& path) {
  const auto contents = codec::ArchiveContents::open(path);
  const codec::ArchiveMember* found = nullptr;
  for (const auto& m : contents.members()) {
    if (!hn::looks_like_hnerv95(m.bytes)) continue;
    if (found) fail(ErrorKind::usage, "{}: several hnerv95 members ({}, {}); take one", contents.source(), found->name, m.name);
    found = &m;
  }
  if (!found) fail(ErrorKind::corrupt_input, "{}: no hnerv95 member", contents.source());
  Hnerv95Input in{found->name, {found->bytes.begin(), found->bytes.end()}, 0};
  if (fs::is_regular_file(path) && path.extension() == ".zip") {
    in.archive_bytes = fs::file_size(path);
  } else {
    const io::ZipEntry entry{in.member, in.bytes};
    in.archive_bytes = io::zip_store(std::span<const io::ZipEntry>(&entry, 1), io::ZipMethod::Stored).size();
  }
  return in;
}

std::vector<std::uint8_t> ground_truth_pairs(const fs::path& video_path, std::int64_t first, std::int64_t count) {
  io::VideoDecoderOptions options;
  options.max_frames = 2 * (first + count);
  io::VideoDecoder video(video_path, options);
  std::vector<std::uint8_t> skip(kFrame), out(static_cast<std::size_t>(2 * count) * kFrame);
  for (std::int64_t i = 0; i < 2 * first; ++i)
    if (!video.next_rgb(skip)) fail(ErrorKind::usage, "{}: ends before frame {}", video_path.string(), i);
  for (std::int64_t i = 0; i < 2 * count; ++i)
    if (!video.next_rgb(std::span<std::uint8_t>(out.data() + static_cast<std::size_t>(i) * kFrame, kFrame)))
      fail(ErrorKind::usage, "{}: ends before frame {} (pairs {}..{} asked)", video_path.string(), 2 * first + i, first, first + count - 1);
  return out;
}

}  // namespace tac::train
