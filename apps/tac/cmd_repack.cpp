// `tac repack ARCHIVE -o SUBMISSION_DIR [--json]`: an hnerv95 archive re-coded losslessly into the
// hnerv95_tacp format (same int8 weights, same quantized latents): SUBMISSION_DIR/archive.zip and
// inflate.sh. Prints bytes per section before and after and the exact score gain of the size term,
// 25 x (bytes saved) / 37,545,489 (the same on both axes).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "submission_script.hpp"
#include "tac/codec/hnerv95_tacp/repack_archive.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/stopwatch.hpp"

namespace {

struct RepackArgs {
  std::string archive, output;
  bool json = false;
};

void run_repack(const RepackArgs& a) {
  namespace tp = tac::codec::hnerv95_tacp;
  const auto start = tac::SteadyClock::now();
  const tp::RepackedArchive r = tp::repack_archive(a.archive);
  const double seconds = tac::seconds_since(start);
  const std::filesystem::path dir(a.output);
  std::filesystem::create_directories(dir);
  tac::write_file_atomic(dir / "archive.zip", r.zip);
  tac::cli::write_inflate_script(dir, "hnerv95_tacp");

  const std::int64_t before = static_cast<std::int64_t>(r.original_archive_bytes ? r.original_archive_bytes : r.original_member_bytes);
  const std::int64_t after = static_cast<std::int64_t>(r.zip.size());
  const double gain = 25.0 * double(before - after) / double(tac::contest::kOriginalVideoBytes);
  const std::uint64_t zip_framing = r.zip.size() - r.member.member.size();
  if (a.json) {
    nlohmann::json sections = nlohmann::json::array();
    for (const auto& s : r.member.sections)
      sections.push_back({{"name", s.name},
                          {"replaces", s.before_name},
                          {"before_bytes", s.before_bytes},
                          {"after_bytes", s.after_bytes},
                          {"decoded_bytes", s.decoded_bytes},
                          {"choice", s.choice},
                          {"candidates", s.candidates}});
    const nlohmann::json j = {{"archive", a.archive},
                              {"output", (dir / "archive.zip").string()},
                              {"format", "hnerv95_tacp"},
                              {"original_member", r.original_member},
                              {"member", r.member_name},
                              {"original_member_bytes", r.original_member_bytes},
                              {"member_bytes", r.member.member.size()},
                              {"packet_header_bytes", r.member.packet_header_bytes},
                              {"zip_framing_bytes", zip_framing},
                              {"sections", sections},
                              {"archive_bytes_before", before},
                              {"archive_bytes_after", after},
                              {"bytes_saved", before - after},
                              {"score_gain", gain},
                              {"seconds", seconds}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("%-8s %-8s %10s %10s  %s\n", "section", "replaces", "before", "after", "coder kept");
  for (const auto& s : r.member.sections)
    std::printf("%-8s %-8s %10llu %10llu  %s (%zu tried)\n", s.name.c_str(), s.before_name.c_str(),
                static_cast<unsigned long long>(s.before_bytes),
                static_cast<unsigned long long>(s.after_bytes), s.choice.c_str(), s.candidates);
  std::printf("packet header %llu B, zip framing %llu B\n", static_cast<unsigned long long>(r.member.packet_header_bytes),
              static_cast<unsigned long long>(zip_framing));
  std::printf("%s: %lld -> %lld bytes (%lld saved, score %+.6f on both axes) in %.1f s; wrote %s and inflate.sh\n",
              a.archive.c_str(), static_cast<long long>(before), static_cast<long long>(after),
              static_cast<long long>(before - after), -gain, seconds, (dir / "archive.zip").c_str());
}

void register_repack(CLI::App& app) {
  auto args = std::make_shared<RepackArgs>();
  auto* cmd = app.add_subcommand(
      "repack", "Re-code an hnerv95 archive losslessly into the smaller hnerv95_tacp format (archive.zip + inflate.sh).");
  cmd->add_option("archive", args->archive, "hnerv95 archive: zip, unzipped directory or member file")->required();
  cmd->add_option("-o,--output", args->output, "Submission directory to write")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] { run_repack(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(47, register_repack);
