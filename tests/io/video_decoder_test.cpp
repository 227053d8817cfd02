// VideoDecoder: contest-exact frames from the clip16 fixture, bare .hevc, hostile input.
#include "tac/io/video_decoder.hpp"

extern "C" {
#include <libavformat/avformat.h>
}

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <vector>

#include "support/fixtures.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/safetensors.hpp"

namespace {

using tac::io::VideoDecoder;
using tac::io::VideoDecoderOptions;

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> frame_hashes(VideoDecoder& decoder) {
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(decoder.info().width) * decoder.info().height * 3);
  std::vector<std::string> hashes;
  while (decoder.next_rgb(rgb)) hashes.push_back(tac::sha256_hex(rgb));
  return hashes;
}

std::vector<std::string> golden_hashes(const std::filesystem::path& golden_json) {
  const auto json = tac::test::read_json(golden_json);
  std::vector<std::string> out;
  for (const auto& h : json.at("gt_frame_sha256")) out.push_back(h.get<std::string>());
  return out;
}

// Rewrites the first video stream of `in` as a bare Annex-B HEVC stream (libav inserts the
// hevc_mp4toannexb filter), without decoding: the same coded frames as the Matroska file.
void remux_to_annexb(const std::filesystem::path& in, const std::filesystem::path& out) {
  AVFormatContext* input = nullptr;
  ASSERT_EQ(avformat_open_input(&input, in.c_str(), nullptr, nullptr), 0);
  ASSERT_GE(avformat_find_stream_info(input, nullptr), 0);
  AVFormatContext* output = nullptr;
  ASSERT_GE(avformat_alloc_output_context2(&output, nullptr, "hevc", out.c_str()), 0);
  AVStream* stream = avformat_new_stream(output, nullptr);
  ASSERT_NE(stream, nullptr);
  ASSERT_GE(avcodec_parameters_copy(stream->codecpar, input->streams[0]->codecpar), 0);
  stream->time_base = input->streams[0]->time_base;
  ASSERT_GE(avio_open(&output->pb, out.c_str(), AVIO_FLAG_WRITE), 0);
  ASSERT_GE(avformat_write_header(output, nullptr), 0);
  AVPacket* packet = av_packet_alloc();
  while (av_read_frame(input, packet) >= 0) {
    if (packet->stream_index == 0) {
      av_packet_rescale_ts(packet, input->streams[0]->time_base, stream->time_base);
      packet->stream_index = 0;
      ASSERT_GE(av_interleaved_write_frame(output, packet), 0);
    }
    av_packet_unref(packet);
  }
  av_packet_free(&packet);
  ASSERT_GE(av_write_trailer(output), 0);
  avio_closep(&output->pb);
  avformat_free_context(output);
  avformat_close_input(&input);
}

bool have_ffmpeg_cli() { return std::system("ffmpeg -version >/dev/null 2>&1") == 0; }

// Runs the ffmpeg CLI quietly; true on success.
bool ffmpeg(const std::string& args) { return std::system(("ffmpeg -v error -y " + args + " >/dev/null 2>&1").c_str()) == 0; }

// The message of the tac::Error that `f` throws, expecting it to be of `kind` ("" if none).
std::string error_of(const std::function<void()>& f, tac::ErrorKind kind) {
  try {
    f();
  } catch (const tac::Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

}  // namespace

TEST(VideoDecoder, Clip16FramesMatchGoldenHashes) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(golden, "scorer/clip16/golden.json");
  VideoDecoder decoder(video);
  EXPECT_EQ(decoder.info().width, tac::contest::kFrameWidth);
  EXPECT_EQ(decoder.info().height, tac::contest::kFrameHeight);
  EXPECT_EQ(decoder.info().codec, "hevc");
  const auto expected = golden_hashes(golden);
  ASSERT_EQ(expected.size(), 16u);
  EXPECT_EQ(frame_hashes(decoder), expected);
  EXPECT_EQ(decoder.frames_delivered(), 16);
  EXPECT_EQ(decoder.next_yuv(), nullptr);  // stays at the end
}

TEST(VideoDecoder, DecodingOnTheCallersThreadGivesTheSameFrames) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(golden, "scorer/clip16/golden.json");
  VideoDecoderOptions inline_decode;
  inline_decode.queue_frames = 0;  // no background thread
  VideoDecoder decoder(video, inline_decode);
  EXPECT_EQ(frame_hashes(decoder), golden_hashes(golden));
  EXPECT_EQ(decoder.next_yuv(), nullptr);

  inline_decode.max_frames = 3;
  VideoDecoder first3(video, inline_decode);
  EXPECT_EQ(frame_hashes(first3).size(), 3u);

  VideoDecoderOptions bad;
  bad.queue_frames = -1;
  (void)error_of([&] { VideoDecoder d(video, bad); }, tac::ErrorKind::usage);
}

TEST(VideoDecoder, Clip16FirstFramesEqualGoldenTensors) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(golden, "scorer/clip16/golden.safetensors");
  const auto tensors = tac::io::Safetensors::open(golden);
  VideoDecoderOptions options;
  options.max_frames = 2;
  VideoDecoder decoder(video, options);
  std::vector<std::uint8_t> rgb(tac::contest::kFrameBytes);
  for (const char* name : {"gt_rgb_f0", "gt_rgb_f1"}) {
    ASSERT_TRUE(decoder.next_rgb(rgb)) << name;
    const auto& expected = tensors.at(name);
    ASSERT_EQ(expected.data.size(), rgb.size()) << name;
    const auto mismatch = std::mismatch(rgb.begin(), rgb.end(), expected.data.begin());
    EXPECT_EQ(mismatch.first, rgb.end()) << name << ": first difference at byte " << (mismatch.first - rgb.begin());
  }
  EXPECT_FALSE(decoder.next_rgb(rgb));  // max_frames
}

TEST(VideoDecoder, YuvPlanesConvertToTheSameFrames) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(golden, "scorer/clip16/golden.json");
  const auto expected = golden_hashes(golden);
  VideoDecoderOptions options;
  options.max_frames = 3;
  options.threads = 1;
  options.queue_frames = 1;
  VideoDecoder decoder(video, options);
  std::vector<std::uint8_t> rgb(tac::contest::kFrameBytes);
  std::int64_t count = 0;
  while (const auto* frame = decoder.next_yuv()) {
    EXPECT_EQ(frame->index, count);
    EXPECT_GE(frame->planes.y_stride, frame->planes.width);
    tac::image::yuv420_to_rgb_parallel(frame->planes, rgb, 2);
    EXPECT_EQ(tac::sha256_hex(rgb), expected.at(static_cast<std::size_t>(count))) << "frame " << count;
    ++count;
  }
  EXPECT_EQ(count, 3);
}

TEST(VideoDecoder, DecodeRgbFramesStreamsInOrder) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(golden, "scorer/clip16/golden.json");
  const auto expected = golden_hashes(golden);
  VideoDecoderOptions options;
  options.max_frames = 5;
  std::vector<std::string> got;
  const auto n = tac::io::decode_rgb_frames(video, options, [&](std::span<const std::uint8_t> rgb, std::int64_t index) {
    EXPECT_EQ(index, static_cast<std::int64_t>(got.size()));
    got.push_back(tac::sha256_hex(rgb));
  });
  EXPECT_EQ(n, 5);
  EXPECT_EQ(got, std::vector<std::string>(expected.begin(), expected.begin() + 5));
}

TEST(VideoDecoder, BareHevcDecodesTheSameFramesAsMatroska) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  TAC_FIXTURE(golden, "scorer/clip16/golden.json");
  tac::test::TempDir dir("hevc");
  const auto bare = dir.path / "gt.hevc";
  remux_to_annexb(video, bare);
  VideoDecoder decoder(bare);
  EXPECT_EQ(decoder.info().container, "hevc");
  EXPECT_EQ(frame_hashes(decoder), golden_hashes(golden));

  // From memory too (the fuzzer's path), with a name that is not a .hevc: probing finds it.
  const auto bytes = read_bytes(bare);
  VideoDecoder in_memory(bytes, "stream-without-extension");
  EXPECT_EQ(frame_hashes(in_memory), golden_hashes(golden));
}

TEST(VideoDecoder, StoppingEarlyDoesNotHang) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  for (int taken : {0, 1, 4}) {
    VideoDecoderOptions options;
    options.queue_frames = 1;
    VideoDecoder decoder(video, options);
    for (int i = 0; i < taken; ++i) ASSERT_NE(decoder.next_yuv(), nullptr);
  }  // destructors stop the producer blocked on the full queue
}

TEST(VideoDecoder, MissingFileNamesTheFile) {
  const auto message = error_of([] { VideoDecoder d("/nonexistent/dir/video.mkv"); }, tac::ErrorKind::io);
  EXPECT_NE(message.find("/nonexistent/dir/video.mkv"), std::string::npos) << message;
}

TEST(VideoDecoder, RejectsFilesThatAreNotVideo) {
  tac::test::TempDir dir("notvideo");
  const auto text = dir.path / "notes.mkv";
  write_bytes(text, std::span(reinterpret_cast<const std::uint8_t*>("just some text\n"), 15));
  auto message = error_of([&] { VideoDecoder d(text); }, tac::ErrorKind::corrupt_input);
  EXPECT_NE(message.find(text.string()), std::string::npos) << message;

  const auto empty = dir.path / "empty.mkv";
  write_bytes(empty, {});
  message = error_of([&] { VideoDecoder d(empty); }, tac::ErrorKind::corrupt_input);
  EXPECT_NE(message.find(empty.string()), std::string::npos) << message;

  message = error_of([&] { VideoDecoder d(dir.path); }, tac::ErrorKind::io);
  EXPECT_NE(message.find(dir.path.string()), std::string::npos) << message;

  std::mt19937 rng(11);
  std::vector<std::uint8_t> noise(100000);
  for (auto& b : noise) b = static_cast<std::uint8_t>(rng());
  message = error_of([&] {
    VideoDecoder d(noise, "noise.bin");
    while (d.next_yuv() != nullptr) {
    }
  }, tac::ErrorKind::corrupt_input);
  EXPECT_NE(message.find("noise.bin"), std::string::npos) << message;
}

TEST(VideoDecoder, TruncatedMatroskaIsAnError) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  auto bytes = read_bytes(video);
  bytes.resize(bytes.size() / 2);
  std::int64_t frames = 0;
  const auto message = error_of([&] {
    VideoDecoder decoder(bytes, "half.mkv");
    while (decoder.next_yuv() != nullptr) ++frames;
  }, tac::ErrorKind::corrupt_input);
  EXPECT_NE(message.find("half.mkv"), std::string::npos) << "decoded " << frames << " frames without error";
  EXPECT_LT(frames, 16);

  VideoDecoderOptions inline_decode;  // the same verdict without the background thread
  inline_decode.queue_frames = 0;
  const auto inline_message = error_of([&] {
    VideoDecoder decoder(bytes, "half.mkv", inline_decode);
    while (decoder.next_yuv() != nullptr) {
    }
  }, tac::ErrorKind::corrupt_input);
  EXPECT_NE(inline_message.find("half.mkv"), std::string::npos) << inline_message;
}

TEST(VideoDecoder, TruncatedBareHevcIsAnErrorWhenStrict) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  tac::test::TempDir dir("hevc-cut");
  const auto bare = dir.path / "gt.hevc";
  remux_to_annexb(video, bare);
  auto bytes = read_bytes(bare);
  bytes.resize(bytes.size() / 2);  // cuts a frame's slice data in the middle
  const auto message = error_of([&] {
    VideoDecoder decoder(bytes, "half.hevc");
    while (decoder.next_yuv() != nullptr) {
    }
  }, tac::ErrorKind::corrupt_input);
  EXPECT_NE(message.find("half.hevc"), std::string::npos) << message;

  // Lenient = upstream PyAV: the complete frames, the cut one dropped, no error.
  VideoDecoderOptions lenient;
  lenient.strict = false;
  VideoDecoder decoder(bytes, "half.hevc", lenient);
  std::int64_t frames = 0;
  while (decoder.next_yuv() != nullptr) ++frames;
  EXPECT_GT(frames, 0);
  EXPECT_LT(frames, 16);
}

TEST(VideoDecoder, RejectsUnsupportedPixelFormats) {
  if (!have_ffmpeg_cli()) GTEST_SKIP() << "ffmpeg CLI not installed (scripts/install-deps.sh)";
  tac::test::TempDir dir("pixfmt");
  for (const char* pix_fmt : {"yuv444p", "yuv420p10le", "gray"}) {
    const auto path = dir.path / (std::string(pix_fmt) + ".mkv");
    ASSERT_TRUE(ffmpeg(std::string("-f lavfi -i testsrc2=size=64x48:rate=5 -frames:v 2 -c:v ffv1 -pix_fmt ") + pix_fmt +
                       " " + path.string()));
    const auto message = error_of([&] { VideoDecoder d(path); }, tac::ErrorKind::corrupt_input);
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(pix_fmt), std::string::npos) << message;
    EXPECT_NE(message.find("yuv420p"), std::string::npos) << message;  // says what is accepted
  }
}

TEST(VideoDecoder, ExposesExactPlanesOfOddSizedFrames) {
  if (!have_ffmpeg_cli()) GTEST_SKIP() << "ffmpeg CLI not installed (scripts/install-deps.sh)";
  // A lossless (FFV1) yuv420p stream of known planes: the decoder must hand back exactly them.
  tac::test::TempDir dir("planes");
  const int w = 75, h = 41, cw = (w + 1) / 2, ch = (h + 1) / 2, frames = 3;
  std::mt19937 rng(12);
  std::vector<std::uint8_t> raw(static_cast<std::size_t>(frames) * (w * h + 2 * cw * ch));
  for (auto& b : raw) b = static_cast<std::uint8_t>(rng());
  write_bytes(dir.path / "in.yuv", raw);
  const auto video = dir.path / "odd.mkv";
  ASSERT_TRUE(ffmpeg("-f rawvideo -pix_fmt yuv420p -s " + std::to_string(w) + "x" + std::to_string(h) + " -i " +
                     (dir.path / "in.yuv").string() + " -c:v ffv1 " + video.string()));
  VideoDecoder decoder(video);
  EXPECT_EQ(decoder.info().width, w);
  EXPECT_EQ(decoder.info().height, h);
  const std::uint8_t* expected = raw.data();
  int count = 0;
  while (const auto* frame = decoder.next_yuv()) {
    const auto& p = frame->planes;
    for (int r = 0; r < h; ++r, expected += w)
      ASSERT_TRUE(std::equal(expected, expected + w, p.y + r * p.y_stride)) << "frame " << count << " Y row " << r;
    for (const auto& [plane, stride] : {std::pair{p.u, p.u_stride}, {p.v, p.v_stride}})
      for (int r = 0; r < ch; ++r, expected += cw)
        ASSERT_TRUE(std::equal(expected, expected + cw, plane + r * stride)) << "frame " << count << " chroma row " << r;
    ++count;
  }
  EXPECT_EQ(count, frames);
}
