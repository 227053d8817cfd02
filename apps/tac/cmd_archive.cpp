// `tac archive inspect FILE [--json]`: byte anatomy of an archive and each part's share of the rate term.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "tac/codec/codec.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/mapped_file.hpp"
#include "tac/io/zip_reader.hpp"

namespace {

struct InspectArgs {
  std::string file;
  bool json = false;
};

// 25 x bytes / original size: what these bytes add to the score (challenge_notes.md).
double rate_term(std::uint64_t bytes) { return 25.0 * double(bytes) / double(tac::contest::kOriginalVideoBytes); }

nlohmann::json part(const std::string& name, std::uint64_t offset, std::uint64_t bytes, const std::string& codec,
                    std::uint64_t total) {
  return {{"name", name}, {"offset", offset}, {"bytes", bytes}, {"codec", codec},
          {"share", total ? double(bytes) / double(total) : 0.0}, {"rate_term", rate_term(bytes)}};
}

nlohmann::json member_sections(const std::string& name, std::span<const std::uint8_t> bytes, std::uint64_t total) {
  nlohmann::json out = nlohmann::json::array();
  const tac::codec::ArchiveMember member{name, bytes};
  const auto* format = tac::codec::detect_member_format(member);
  if (!format) {
    out.push_back(part("(unknown format)", 0, bytes.size(), "?", total));
    return out;
  }
  for (const auto& s : format->describe(member)) {
    auto j = part(s.name, s.offset, s.bytes, s.codec, total);
    j["decoded_bytes"] = s.decoded_bytes;
    if (!s.detail.empty()) j["detail"] = s.detail;
    out.push_back(j);
  }
  return out;
}

nlohmann::json inspect(const std::string& path) {
  const tac::MappedFile file(path);
  const std::uint64_t total = file.size();
  nlohmann::json j = {{"file", path}, {"bytes", total}, {"rate_term", rate_term(total)}};
  if (!tac::io::looks_like_zip(file.bytes())) {
    j["container"] = "none";
    nlohmann::json m = {{"name", path}, {"bytes", total}, {"sections", member_sections(path, file.bytes(), total)}};
    const auto* f = tac::codec::detect_member_format({path, file.bytes()});
    m["format"] = f ? std::string(f->name()) : "unknown";
    j["members"] = nlohmann::json::array({m});
    return j;
  }
  const auto zip = tac::io::ZipReader::parse(file.bytes(), path);
  j["container"] = "zip";
  std::uint64_t accounted = 0;
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : zip.members()) {
    const auto data = zip.read(m);
    const auto* f = tac::codec::detect_member_format({m.name, data});
    nlohmann::json e = {{"name", m.name},
                        {"format", f ? std::string(f->name()) : "unknown"},
                        {"method", m.method == 0 ? "stored" : "deflate"},
                        {"bytes", m.compressed_size},
                        {"uncompressed_bytes", m.uncompressed_size},
                        {"share", double(m.compressed_size) / double(total)},
                        {"rate_term", rate_term(m.compressed_size)},
                        {"local_header_bytes", m.data_offset - m.local_header_offset},
                        {"data_descriptor_bytes", m.data_descriptor_bytes},
                        {"central_entry_bytes", m.central_entry_bytes}};
    // Sections describe the uncompressed member; for stored members they are the archive's bytes.
    e["sections"] = member_sections(m.name, data, total);
    members.push_back(e);
    accounted += m.compressed_size;
  }
  j["members"] = members;
  std::uint64_t headers = 0;
  for (const auto& m : zip.members()) headers += (m.data_offset - m.local_header_offset) + m.data_descriptor_bytes;
  const std::uint64_t overhead = headers + zip.central_directory_bytes() + zip.end_record_bytes();
  j["zip_overhead"] = {{"local_headers", headers},
                       {"central_directory", zip.central_directory_bytes()},
                       {"end_record", zip.end_record_bytes()},
                       {"bytes", overhead},
                       {"rate_term", rate_term(overhead)}};
  j["unaccounted_bytes"] = static_cast<std::int64_t>(total) - static_cast<std::int64_t>(accounted + overhead);
  return j;
}

void print_text(const nlohmann::json& j) {
  std::printf("%s: %llu bytes, rate term %.6f (25 x bytes / %llu)\n", j["file"].get<std::string>().c_str(),
              j["bytes"].get<unsigned long long>(), j["rate_term"].get<double>(),
              static_cast<unsigned long long>(tac::contest::kOriginalVideoBytes));
  for (const auto& m : j["members"]) {
    std::printf("  member %-20s %10llu B  %6.2f%%  rate %.6f  format %s%s\n", m["name"].get<std::string>().c_str(),
                m["bytes"].get<unsigned long long>(), 100.0 * m.value("share", 1.0), m.value("rate_term", 0.0),
                m["format"].get<std::string>().c_str(),
                m.contains("method") ? (" (" + m["method"].get<std::string>() + ")").c_str() : "");
    for (const auto& s : m["sections"])
      std::printf("    %-12s @%-8llu %10llu B  %6.2f%%  rate %.6f  %s\n", s["name"].get<std::string>().c_str(),
                  s["offset"].get<unsigned long long>(), s["bytes"].get<unsigned long long>(),
                  100.0 * s["share"].get<double>(), s["rate_term"].get<double>(), s["codec"].get<std::string>().c_str());
  }
  if (j.contains("zip_overhead")) {
    const auto& o = j["zip_overhead"];
    std::printf("  zip overhead: local headers %llu B, central directory %llu B, end record %llu B (rate %.6f)\n",
                o["local_headers"].get<unsigned long long>(), o["central_directory"].get<unsigned long long>(),
                o["end_record"].get<unsigned long long>(), o["rate_term"].get<double>());
    std::printf("  unaccounted: %lld B\n", j["unaccounted_bytes"].get<long long>());
  }
}

void register_archive(CLI::App& app) {
  auto* archive = app.add_subcommand("archive", "Look inside submission archives.");
  archive->require_subcommand(1);
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = archive->add_subcommand("inspect", "Byte anatomy of an archive: members, sections, share of the rate term.");
  cmd->add_option("file", args->file, "archive.zip or a bare member file")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] {
    const auto j = inspect(args->file);
    if (args->json)
      std::printf("%s\n", j.dump(2).c_str());
    else
      print_text(j);
  });
}

}  // namespace

TAC_REGISTER_COMMAND(45, register_archive);
