// libFuzzer target over every registered archive format (codec/registry.cpp), like FFmpeg's
// tools/target_dec_fuzzer.c: each member is detected, described and inflated (two frames at most)
// by every format, whether or not it claims the bytes. Properties: detect never throws; sections
// lie inside the member; frames are whole contest frames, no more than asked for; a failure is
// the input's fault (corrupt input or a limit), never a usage or internal error. Bytes that look
// like a zip are opened as one first; the whole input is also tried as a bare member.
// Seeds are small (the tiny hnerv95 member and short videos): inflating the real archives takes
// seconds per input under the fuzz build's sanitizers; fuzz_zip_roundtrip and
// fuzz_hnerv95_reader seed from those instead.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "tac/codec/codec.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/io/zip_reader.hpp"

namespace {

constexpr std::int64_t kMaxFrames = 2;

class CheckedSink : public tac::codec::FrameSink {
 public:
  void write_frame(std::span<const std::uint8_t> rgb) override {
    TAC_FUZZ_CHECK(rgb.size() == tac::contest::kFrameBytes, "a frame of %zu bytes", rgb.size());
    TAC_FUZZ_CHECK(++frames_ <= kMaxFrames, "frame %lld past max_frames", static_cast<long long>(frames_));
  }

 private:
  std::int64_t frames_ = 0;
};

void expect_input_error(const tac::Error& e, const tac::codec::Format& format, const char* step) {
  TAC_FUZZ_CHECK(e.kind() == tac::ErrorKind::corrupt_input || e.kind() == tac::ErrorKind::limit_exceeded,
                 "%s %s failed as %s: %s", std::string(format.name()).c_str(), step,
                 std::string(tac::kind_name(e.kind())).c_str(), e.what());
}

void run_formats(const tac::codec::ArchiveMember& member) {
  for (const tac::codec::Format* format : tac::codec::formats()) {
    (void)format->detect(member);  // must not throw: an exception here is a crash
    try {
      for (const auto& s : format->describe(member))
        TAC_FUZZ_CHECK(s.offset <= member.bytes.size() && s.bytes <= member.bytes.size() - s.offset,
                       "%s section '%s' [%llu, +%llu) lies outside the %zu-byte member", std::string(format->name()).c_str(),
                       s.name.c_str(), static_cast<unsigned long long>(s.offset), static_cast<unsigned long long>(s.bytes),
                       member.bytes.size());
    } catch (const tac::Error& e) {
      expect_input_error(e, *format, "describe");
    }
    try {
      CheckedSink sink;
      format->inflate(member, sink, {.threads = 1, .max_frames = kMaxFrames});
    } catch (const tac::Error& e) {
      expect_input_error(e, *format, "inflate");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  if (tac::io::looks_like_zip(bytes)) {
    tac::io::ZipLimits limits;
    limits.max_member_bytes = 16u << 20;
    limits.max_total_bytes = 32u << 20;
    try {
      const auto zip = tac::io::ZipReader::parse(bytes, "fuzz.zip", limits);
      for (const auto& m : zip.members()) {
        const auto member_bytes = zip.read(m);
        run_formats({m.name, member_bytes});
      }
    } catch (const tac::Error&) {
    }
  }
  run_formats({"fuzz.bin", bytes});
  return 0;
}
