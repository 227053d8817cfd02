#include "tac/codec/hnerv95_tacp/tacp_format.hpp"

#include "tac/codec/hnerv95/hnerv95_format.hpp"
#include "tac/codec/hnerv95_tacp/tacp_member.hpp"

namespace tac::codec::hnerv95_tacp {
namespace {

class TacpFormat final : public Format {
 public:
  std::string_view name() const override { return "hnerv95_tacp"; }
  std::string_view summary() const override {
    return "hnerv95 tensors re-coded by `tac repack` in a TACP packet (bit-tree int8 weights, AR(2) parametric latents); <video stem>";
  }
  bool detect(const ArchiveMember& member) const override { return looks_like_member(member.bytes); }
  std::vector<Section> describe(const ArchiveMember& member) const override {
    return describe_member(member.bytes, member.name);
  }
  const ArchiveMember* member_for(const ArchiveContents& archive, std::string_view video_name) const override {
    return archive.find(video_stem(video_name));
  }
  void inflate(const ArchiveMember& member, FrameSink& sink, const InflateOptions& options) const override {
    hnerv95::inflate_archive(parse_member(member.bytes, member.name), sink, options);
  }
};

}  // namespace

const Format& format() {
  static const TacpFormat instance;
  return instance;
}

}  // namespace tac::codec::hnerv95_tacp
