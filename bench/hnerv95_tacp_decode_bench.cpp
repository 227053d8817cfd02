// Decode cost of `tac repack`'s hnerv95_tacp member next to the original hnerv95 member (brotli):
// both are parsed to the decoder's tensors several times; prints JSON with the best and median
// seconds, CPU seconds and the bytes of each. usage: bench_hnerv95_tacp_decode ARCHIVE.zip [--runs N]
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/core/error.hpp"
#include "tac/codec/hnerv95_tacp/tacp_member.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/io/zip_reader.hpp"

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + 1e-6 * ru.ru_utime.tv_usec + ru.ru_stime.tv_sec + 1e-6 * ru.ru_stime.tv_usec;
}

template <typename Parse>
nlohmann::json time_runs(int runs, Parse parse) {
  std::vector<double> wall;
  const double cpu0 = cpu_seconds();
  for (int i = 0; i < runs; ++i) {
    const auto t0 = tac::SteadyClock::now();
    parse();
    wall.push_back(tac::seconds_since(t0));
  }
  const double cpu = (cpu_seconds() - cpu0) / runs;
  std::sort(wall.begin(), wall.end());
  return {{"best_seconds", wall.front()}, {"median_seconds", wall[wall.size() / 2]}, {"cpu_seconds_per_run", cpu}};
}

}  // namespace

int main(int argc, char** argv) {
  std::string archive;
  int runs = 7;
  CLI::App app{"Decode time of the hnerv95_tacp member vs the original hnerv95 member (JSON)."};
  app.add_option("archive", archive, "hnerv95 archive.zip")->required();
  app.add_option("--runs", runs, "runs of each")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    const auto zip = tac::io::ZipReader::open(archive);
    const auto original = zip.read(zip.members().at(0));
    const auto t0 = tac::SteadyClock::now();
    const auto repacked = tac::codec::hnerv95_tacp::repack(original, archive);
    const double repack_seconds = tac::seconds_since(t0);
    const nlohmann::json j = {
        {"benchmark", "hnerv95_tacp_decode"},
        {"archive", archive},
        {"runs", runs},
        {"repack_seconds", repack_seconds},
        {"hnerv95", {{"member_bytes", original.size()},
                     {"parse", time_runs(runs, [&] { (void)tac::codec::hnerv95::parse_archive(original, "0.bin"); })}}},
        {"hnerv95_tacp",
         {{"member_bytes", repacked.member.size()},
          {"parse", time_runs(runs, [&] { (void)tac::codec::hnerv95_tacp::parse_member(repacked.member, "0"); })}}},
    };
    std::printf("%s\n", j.dump(2).c_str());
  } catch (const tac::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return tac::exit_code(e.kind());
  }
  return 0;
}
