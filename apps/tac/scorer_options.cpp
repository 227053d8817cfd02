#include "scorer_options.hpp"

#include <algorithm>

#include "tac/core/error.hpp"
#include "tac/core/worker_pool.hpp"

namespace tac::cli {

namespace fs = std::filesystem;

void add_scorer_options(CLI::App& cmd, ScorerArgs& args, const std::string& upstream_help) {
  cmd.add_option("--segnet", args.segnet, "segnet.safetensors (real or twin)");
  cmd.add_option("--posenet", args.posenet, "posenet.safetensors (real or twin)");
  cmd.add_option("--models-dir", args.models_dir, "Directory holding segnet.safetensors and posenet.safetensors");
  cmd.add_option("--upstream", args.upstream, upstream_help);
  cmd.add_option("--threads", args.threads, "libtorch intra-op threads (0: all hardware threads)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
}

fs::path upstream_dir(const ScorerArgs& args) {
  if (args.upstream.empty()) return {};
  std::error_code ec;
  if (!fs::is_directory(args.upstream, ec)) fail(ErrorKind::usage, "{}: --upstream directory not found", args.upstream);
  return args.upstream;
}

std::optional<ScorerWeights> resolve_scorer_weights(const ScorerArgs& args) {
  const fs::path upstream = upstream_dir(args);
  ScorerWeights w;
  fs::path models;
  if (!args.models_dir.empty()) {
    models = args.models_dir;
    w.source = "models directory " + args.models_dir;
  } else if (!upstream.empty()) {
    models = upstream / "models";
    w.source = "upstream checkout " + upstream.string();
  }
  w.segnet = !args.segnet.empty() ? fs::path(args.segnet) : models.empty() ? fs::path() : models / "segnet.safetensors";
  w.posenet = !args.posenet.empty() ? fs::path(args.posenet) : models.empty() ? fs::path() : models / "posenet.safetensors";
  if (w.segnet.empty() && w.posenet.empty()) return std::nullopt;
  if (w.segnet.empty() || w.posenet.empty())
    fail(ErrorKind::usage, "give both --segnet and --posenet (or --models-dir, or --upstream DIR)");
  if (!args.segnet.empty() || !args.posenet.empty()) w.source = "given weights";
  std::error_code ec;
  for (const auto& p : {w.segnet, w.posenet})
    if (!fs::is_regular_file(p, ec)) fail(ErrorKind::usage, "{}: scorer weights not found", p.string());
  return w;
}

ScorerWeights require_scorer_weights(const ScorerArgs& args) {
  auto w = resolve_scorer_weights(args);
  if (!w)
    fail(ErrorKind::usage,
         "scorer weights not given: pass --segnet and --posenet, --models-dir, or --upstream (`tac twin` writes twin weights)");
  return *w;
}

std::string threads_description(int requested) {
  if (requested > 0) return std::to_string(requested);
  return "0 (all hardware threads: " + std::to_string(resolve_thread_count(0)) + ")";
}

}  // namespace tac::cli
