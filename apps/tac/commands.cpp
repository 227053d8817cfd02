#include "commands.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace tac::cli {
namespace {
std::vector<std::pair<int, Registrar>>& registry() {
  static std::vector<std::pair<int, Registrar>> entries;
  return entries;
}
}  // namespace

CommandRegistration::CommandRegistration(int order, Registrar registrar) { registry().emplace_back(order, registrar); }

void register_all(CLI::App& app) {
  auto entries = registry();
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, registrar] : entries) registrar(app);
}

int& exit_status() {
  static int status = 0;
  return status;
}

}  // namespace tac::cli
