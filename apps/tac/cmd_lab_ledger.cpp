// `tac lab ledger [--axis AXIS] [--grade GRADE] [--archive SHA_PREFIX] [--kind KIND] [--json] [--db PATH]`:
// list the ledger's rows.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "comma_lab/ledger/ledger.hpp"
#include "commands.hpp"
#include "lab_group.hpp"

namespace {

struct LedgerArgs {
  std::string axis, grade, archive, kind, db;
  bool json = false;
};

std::optional<std::string> given(const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); }

void run_ledger(const LedgerArgs& a) {
  namespace ledger = comma_lab::ledger;
  const auto db = ledger::Ledger::open(ledger::resolve_ledger_path(given(a.db)));
  const auto rows = db.list({given(a.axis), given(a.grade), given(a.archive), given(a.kind)});
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
      nlohmann::json j{{"id", r.id}, {"recorded_at", r.recorded_at}, {"kind", r.kind}, {"grade", r.grade}, {"axis", r.axis},
                       {"entry", r.entry}, {"source", r.source}, {"archive_sha256", r.archive_sha256},
                       {"runtime_sha256", r.runtime_sha256}, {"note", r.note},
                       {"reasons", nlohmann::json::parse(r.reasons_json, nullptr, false)}};
      j["archive_bytes"] = r.archive_bytes ? nlohmann::json(*r.archive_bytes) : nlohmann::json(nullptr);
      j["score"] = r.score ? nlohmann::json(*r.score) : nlohmann::json(nullptr);
      out.push_back(std::move(j));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  for (const auto& r : rows)
    std::printf("%5lld  %s  %-10s %-12s %-21s %-12s %10s  %.12s  %s\n", static_cast<long long>(r.id), r.recorded_at.c_str(),
                r.kind.c_str(), r.axis.c_str(), r.grade.c_str(), r.score ? fmt::format("{:.6f}", *r.score).c_str() : "—",
                r.archive_bytes ? std::to_string(*r.archive_bytes).c_str() : "—", r.archive_sha256.c_str(), r.entry.c_str());
  std::printf("%zu rows in %s\n", rows.size(), db.path().c_str());
}

void register_ledger(CLI::App& app) {
  auto args = std::make_shared<LedgerArgs>();
  auto* cmd = tac::cli::lab_group(app).add_subcommand("ledger", "List the results ledger (filter by axis, grade, archive, kind).");
  cmd->add_option("--axis", args->axis, "Only this axis (contest-cpu, contest-cuda, cpu-advisory, ...)");
  cmd->add_option("--grade", args->grade, "Only this grade (A++, A, A-negative, empirical, ...)");
  cmd->add_option("--archive", args->archive, "Only archives whose SHA-256 starts with this");
  cmd->add_option("--kind", args->kind, "Only this kind (evaluation, external, prediction)");
  cmd->add_flag("--json", args->json, "Print the rows as JSON");
  tac::cli::add_db_option(*cmd, args->db);
  cmd->callback([args] { run_ledger(*args); });
}

}  // namespace

TAC_REGISTER_COMMAND(84, register_ledger);
