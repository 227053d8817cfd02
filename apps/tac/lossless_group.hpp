#pragma once
// `tac lossless <verb>`: each verb lives in its own cmd_lossless_*.cpp and attaches itself to this
// one group, created by whichever verb registers first.
#include <CLI/CLI.hpp>

namespace tac::cli {

inline CLI::App& lossless_group(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return s->get_name() == "lossless"; })) return *sub;
  CLI::App* group = app.add_subcommand("lossless", "Lossless packing of any bytes with built-in profiles (transforms + coder).");
  group->require_subcommand(1);
  return *group;
}

}  // namespace tac::cli
