// The verbs that run the scorer networks live in a second executable, `tac-scorer`, installed
// beside `tac`. Loading libtorch costs about a second of CPU and 160 MB before main() runs; the
// light verbs (decode, inflate, compress, synth, archive, ...) must not pay that. Here `tac` keeps
// those verbs in its help and hands their arguments, unparsed, to tac-scorer.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.hpp"
#include "scorer_forward.hpp"
#include "tac/core/error.hpp"

namespace {

struct ForwardedVerb {
  const char* name;
  const char* summary;
};

constexpr ForwardedVerb kScorerVerbs[] = {
    {"eval", "Score a submission with the contest scorer (evaluate.sh/evaluate.py contract)"},
    {"sweep", "Compress -> inflate -> eval over a codec x scale x crf grid; table and RD plot"},
    {"demo", "End-to-end demo on a synthetic clip with a twin scorer; report and HTML page"},
    {"sensitivity", "Per-pixel |d score / d pixel| maps of a reconstruction against its ground truth"},
    {"tune", "Fine-tune an hnerv95 archive against the scorer; write a submission"},
};

std::filesystem::path scorer_program() {
  if (const char* env = std::getenv("TAC_SCORER"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) tac::fail(tac::ErrorKind::io, "cannot locate the tac executable (/proc/self/exe): {}", ec.message());
  return self.parent_path() / "tac-scorer";
}

void prefer_huge_pages() {
  constexpr const char* kTunable = "glibc.malloc.hugetlb=1";
  const char* current = std::getenv("GLIBC_TUNABLES");
  if (current == nullptr || *current == '\0') {
    ::setenv("GLIBC_TUNABLES", kTunable, 1);
  } else if (std::string(current).find("glibc.malloc.hugetlb") == std::string::npos) {
    ::setenv("GLIBC_TUNABLES", (std::string(current) + ":" + kTunable).c_str(), 1);
  }  // else: the user chose
}

}  // namespace

[[noreturn]] void tac::cli::run_in_scorer(const std::string& verb, const std::vector<std::string>& arguments) {
  const auto program = scorer_program();
  std::vector<std::string> argv_storage{"tac", verb};
  argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  // libtorch's OpenMP workers spin between parallel regions by default; on a 2-core machine that
  // burns ~10 % more CPU for no speed (bench/eval_bench: warm 2.77 s passive vs 2.76-3.24 s).
  // libgomp reads this once at load, so only a launcher can set it; a user's setting wins.
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  // Transparent huge pages for malloc's heap (glibc >= 2.35 tunable, also read only at start-up):
  // the networks' activations are hundreds of MB touched for the first time in each run, and a
  // page fault costs ~10x more in a VM; 2 MiB pages halve load_scorer (0.64 -> 0.33 s) and cut the
  // warm clip16 eval from ~2.9 to ~2.5 s. Ignored where THP is off or glibc is older.
  prefer_huge_pages();
  ::execv(program.c_str(), argv.data());
  tac::fail(tac::ErrorKind::io, "`tac {}` needs {} (the scorer executable built beside tac; set TAC_SCORER to its path): {}", verb,
            program.string(), tac::errno_text(errno));
}

namespace {

void register_forwarders(CLI::App& app) {
  for (const auto& verb : kScorerVerbs) {
    CLI::App* sub = app.add_subcommand(verb.name, verb.summary);
    sub->prefix_command();  // everything after the verb is passed through untouched
    sub->set_help_flag();   // so is --help: tac-scorer prints the verb's full help
    sub->callback([sub, name = std::string(verb.name)] { tac::cli::run_in_scorer(name, sub->remaining()); });
  }
}

TAC_REGISTER_COMMAND(50, register_forwarders);

}  // namespace
