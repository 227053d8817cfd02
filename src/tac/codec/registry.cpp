// The list of archive formats. Add a format: include its header and append it to formats().
#include "tac/codec/hnerv95/hnerv95_format.hpp"
#include "tac/codec/hnerv95_tacp/tacp_format.hpp"
#include "tac/codec/maskgen/maskgen_format.hpp"
#include "tac/codec/classical/classical_format.hpp"
#include "tac/codec/codec.hpp"
#include "tac/core/error.hpp"

namespace tac::codec {

const std::vector<const Format*>& formats() {
  static const std::vector<const Format*> all = {
      &hnerv95::format(),
      &hnerv95_tacp::format(),
      &maskgen::format(),
      &classical::format(),
  };
  return all;
}

const Format* find_format(std::string_view name) {
  for (const Format* f : formats())
    if (f->name() == name) return f;
  return nullptr;
}

std::string known_formats_text() {
  std::string text;
  for (const Format* f : formats()) {
    if (!text.empty()) text += ", ";
    text += std::string(f->name()) + " (" + std::string(f->summary()) + ")";
  }
  return text;
}

const Format* detect_member_format(const ArchiveMember& member) {
  for (const Format* f : formats())
    if (f->detect(member)) return f;
  return nullptr;
}

const Format& detect_format(const ArchiveContents& archive) {
  for (const Format* f : formats())
    for (const auto& m : archive.members())
      if (f->detect(m)) return *f;
  std::string names;
  for (const auto& m : archive.members()) names += (names.empty() ? "" : ", ") + m.name;
  fail(ErrorKind::corrupt_input, "{}: unknown archive format (members: {}); known formats: {}", archive.source(),
       names.empty() ? "none" : names, known_formats_text());
}

}  // namespace tac::codec
