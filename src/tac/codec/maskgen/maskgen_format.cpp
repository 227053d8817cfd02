#include "tac/codec/maskgen/maskgen_format.hpp"

#include <cstring>

#include "tac/codec/maskgen/decompress.hpp"
#include "tac/codec/maskgen/fp4_weights.hpp"
#include "tac/codec/maskgen/maskgen_inflate.hpp"
#include "tac/codec/maskgen/mask_stream.hpp"
#include "tac/codec/maskgen/maskgen_payload.hpp"
#include "tac/codec/maskgen/pose_stream.hpp"
#include "tac/codec/maskgen/sidecar.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"

namespace tac::codec::maskgen {
namespace {

constexpr const char* kMemberName = "p";

Section record_section(const Record& r, std::string name, std::string codec) {
  Section s;
  s.name = std::move(name);
  s.offset = r.offset;
  s.bytes = 4 + r.bytes.size();
  s.codec = std::move(codec);
  return s;
}

// Decodes one record for its detail line; a damaged record is described, not fatal.
template <typename F>
void describe_decoded(Section& s, F&& decode) {
  try {
    decode(s);
  } catch (const Error& e) {
    s.detail = fmt::format("damaged: {}", e.what());
  }
}

}  // namespace

bool looks_like_maskgen(std::span<const std::uint8_t> bytes) {
  try {
    const auto p = split_payload(bytes, "");
    ByteReader mask(p[RecordId::mask].bytes, "");
    if (mask.u32("") != 22) return false;
    mask.skip(4, "");
    const auto magic = mask.take(4, "");
    return std::memcmp(magic.data(), "QMA9", 4) == 0;
  } catch (const Error&) {
    return false;
  }
}

std::vector<Section> describe_sections(std::span<const std::uint8_t> bytes, const std::string& source) {
  const auto p = split_payload(bytes, source);
  std::vector<Section> out;
  const Record& mask = p[RecordId::mask];
  const std::uint64_t mask_base = mask.offset + 4;
  Section head = record_section(mask, "mask framing", "u32 record length, u32 chunk count");
  head.bytes = 8;
  out.push_back(head);
  for (const auto& c : parse_mask_chunks(mask.bytes, source)) {
    Section s;
    s.name = fmt::format("mask chunk {}", out.size() - 1);
    s.offset = mask_base + c.offset;
    s.bytes = c.stored_bytes();
    s.codec = "QMA9 adaptive binary arithmetic code, 9-neighbour flag cascade";
    s.decoded_bytes = std::uint64_t(c.t) * c.h * c.w;
    s.detail = fmt::format("x {}..{}, y {}..{}, {} frames", c.band * c.h, (c.band + 1) * c.h - 1, c.part * c.w,
                           (c.part + 1) * c.w - 1, c.t);
    out.push_back(std::move(s));
  }
  Section pose = record_section(p[RecordId::pose], "pose", "brotli(bit-packed per dimension, f32 lo/scale)");
  describe_decoded(pose, [&](Section& s) {
    const auto poses = decode_pose_record(p[RecordId::pose].bytes, source);
    s.decoded_bytes = poses.size() * sizeof(Pose);
    s.detail = fmt::format("{} poses x {} dims", poses.size(), kPoseDims);
  });
  out.push_back(std::move(pose));
  Section model = record_section(p[RecordId::model], "model", "brotli(FP4 nibbles + f16 block scales, f16 tensors)");
  describe_decoded(model, [&](Section& s) {
    const auto w = decode_model_record(p[RecordId::model].bytes, source);
    std::size_t values = 0, fp4 = 0;
    for (std::size_t i = 0; i < w.tensors.size(); ++i) {
      values += w.tensors[i].size();
      fp4 += generator_schema()[i].storage == Storage::fp4;
    }
    s.decoded_bytes = values * sizeof(float);
    s.detail = fmt::format("{} tensors ({} FP4), {} values", w.tensors.size(), fp4, values);
  });
  out.push_back(std::move(model));
  Section side = record_section(p[RecordId::sidecar], "sidecar", "xz(BPGD: mask patches, pose corrections, warps)");
  describe_decoded(side, [&](Section& s) {
    const auto c = decode_sidecar_record(p[RecordId::sidecar].bytes, source).counts();
    s.detail = fmt::format("pairs with x2 patches {}, pixel patches {}, pattern patches {}, pose corrections {}, warps {}",
                           c.x2, c.cmaes, c.pattern, c.pose, c.warp);
  });
  out.push_back(std::move(side));
  return out;
}

namespace {

class MaskgenFormat final : public Format {
 public:
  std::string_view name() const override { return "maskgen"; }
  std::string_view summary() const override {
    return "mask + pose + FP4 generator of PR 97: QMA9 context-coded masks, brotli poses and model, xz sidecar; member p";
  }
  bool detect(const ArchiveMember& member) const override { return looks_like_maskgen(member.bytes); }
  std::vector<Section> describe(const ArchiveMember& member) const override {
    return describe_sections(member.bytes, member.name);
  }
  const ArchiveMember* member_for(const ArchiveContents& archive, std::string_view) const override {
    return archive.find(kMemberName);
  }
  void inflate(const ArchiveMember& member, FrameSink& sink, const InflateOptions& options) const override {
    inflate_member(member.bytes, member.name, sink, options);
  }
};

}  // namespace

const Format& format() {
  static const MaskgenFormat f;
  return f;
}

}  // namespace tac::codec::maskgen
