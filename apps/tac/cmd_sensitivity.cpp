// `tac sensitivity`: where the score is sensitive, pixel by pixel, for a reconstruction against
// its ground truth (maps, heat maps, summaries by region and SegNet class).
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "scorer_options.hpp"
#include "tac/core/error.hpp"
#include "tac/core/worker_pool.hpp"
#include "tac/train/parameter_sensitivity_run.hpp"
#include "tac/train/sensitivity_run.hpp"

namespace {

struct SensitivityArgs {
  std::string gt, recon, archive, out = "sensitivity-out", samples = "0:1", surrogate = "ce";
  double temperature = 1.0, gamma = 2.0;
  int top = 20;
  bool json = false;
  tac::cli::ScorerArgs scorer;
};

std::pair<std::int64_t, std::int64_t> parse_samples(const std::string& text) {
  const auto colon = text.find(':');
  try {
    if (colon == std::string::npos) return {std::stoll(text), 1};
    return {std::stoll(text.substr(0, colon)), std::stoll(text.substr(colon + 1))};
  } catch (const std::exception&) {
    tac::fail(tac::ErrorKind::usage, "--samples: '{}' is not FIRST:COUNT", text);
  }
}

tac::train::SegSurrogate parse_surrogate(const std::string& name) {
  if (name == "ce") return tac::train::SegSurrogate::cross_entropy;
  if (name == "kl") return tac::train::SegSurrogate::kl;
  if (name == "focal") return tac::train::SegSurrogate::focal;
  tac::fail(tac::ErrorKind::usage, "--surrogate: '{}' (ce, kl or focal)", name);
}

// What both kinds of sensitivity job take from the command line alike.
template <typename Job>
void fill_common(Job& job, const SensitivityArgs& a, const tac::cli::ScorerWeights& weights) {
  job.ground_truth = a.gt;
  job.segnet = weights.segnet;
  job.posenet = weights.posenet;
  job.out = a.out;
  job.threads = tac::resolve_thread_count(a.scorer.threads);
  std::tie(job.first_sample, job.samples) = parse_samples(a.samples);
  job.surrogate = {parse_surrogate(a.surrogate), a.temperature, a.gamma};
}

// --archive: the per-parameter table of an hnerv95 archive.
void run_parameter_sensitivity_cmd(const SensitivityArgs& a, const tac::cli::ScorerWeights& weights) {
  tac::train::ParameterSensitivityJob job;
  job.archive = a.archive;
  fill_common(job, a, weights);
  const auto report = tac::train::run_parameter_sensitivity(job);
  if (a.json) {
    std::printf("%s\n", nlohmann::json{{"parameters", report.json.string()}, {"objective", report.table.objective}}.dump().c_str());
    return;
  }
  std::printf("objective %.6f (seg %.6f, pose %.6g); first-order cost of each tensor's quantization noise, ranked by cost per byte:\n",
              report.table.objective, report.table.seg_distortion, report.table.pose_distortion);
  std::printf("%-18s %8s %12s %10s %12s %12s %12s\n", "tensor", "values", "step", "bytes", "exp. cost", "bound", "cost/byte");
  for (const auto& r : report.table.tensors)
    std::printf("%-18s %8lld %12.4g %10.0f %12.4g %12.4g %12.4g\n", r.tensor.c_str(), static_cast<long long>(r.values), r.step, r.bytes,
                r.expected_cost, r.bound, r.cost_per_byte);
  std::printf("top %d output channels / latent dimensions by cost per byte:\n", a.top);
  int shown = 0;
  for (const auto& r : report.table.channels) {
    if (shown++ >= a.top) break;
    std::printf("%-18s %4lld %8lld %12.4g %12.4g\n", r.tensor.c_str(), static_cast<long long>(r.channel), static_cast<long long>(r.values),
                r.expected_cost, r.cost_per_byte);
  }
  std::printf("wrote %s\n", report.json.c_str());
}

void run_sensitivity_cmd(const SensitivityArgs& a) {
  const auto weights = tac::cli::require_scorer_weights(a.scorer);
  if (a.recon.empty() == a.archive.empty()) tac::fail(tac::ErrorKind::usage, "sensitivity: give exactly one of --recon RAW or --archive ARCHIVE");
  if (!a.archive.empty()) return run_parameter_sensitivity_cmd(a, weights);
  tac::train::SensitivityJob job;
  job.reconstruction = a.recon;
  fill_common(job, a, weights);
  if (!a.json)
    job.on_sample = [](std::int64_t k, const tac::train::PixelSensitivity& s) {
      std::fprintf(stderr, "sensitivity: sample %lld: objective %.6f (pose %.3g, seg surrogate %.4f, seg %.4f), map total %.4g\n",
                   static_cast<long long>(k), s.objective, s.pose_distortion, s.seg_surrogate, s.seg_distortion, s.total);
    };
  const auto summary = tac::train::run_sensitivity(job);
  if (a.json) {
    std::printf("%s\n", nlohmann::json{{"tensors", summary.tensors.string()}, {"summary", summary.summary.string()},
                                       {"samples", summary.samples.size()}}.dump().c_str());
    return;
  }
  std::printf("sensitivity: %zu samples -> %s (maps), %s (summary), %zu heat maps in %s\n", summary.samples.size(),
              summary.tensors.c_str(), summary.summary.c_str(), summary.heat_maps.size(), a.out.c_str());
}

void register_sensitivity(CLI::App& app) {
  auto args = std::make_shared<SensitivityArgs>();
  auto* cmd = app.add_subcommand("sensitivity", "Per-pixel |d score / d pixel| maps of a reconstruction against its ground truth.");
  cmd->footer(
      "For each sample (frame pair) of the reconstruction, the gradient of the score's distortion part\n"
      "100 * seg + sqrt(10 * pose) with respect to every pixel value, through the contest's input path\n"
      "and both networks (the twin or the real weights). SegNet's argmax has no gradient, so its term is\n"
      "a surrogate: ce (cross-entropy to the ground truth's classes, default), kl (KL to its logits at\n"
      "--temperature) or focal (--gamma); the true SegNet distortion is reported beside it.\n"
      "Writes OUT/sensitivity.safetensors (sample_<k>: 2 x 874 x 1164 float32, summed over R, G, B),\n"
      "OUT/sample_<k>_frame<t>.png heat maps and OUT/summary.json (terms, totals, 3 x 3 regions, sums per\n"
      "ground-truth SegNet class of the second frame).\n"
      "With --archive (an hnerv95 archive) instead of --recon: one gradient of the same objective with respect\n"
      "to every decoder tensor and the samples' latents, and per tensor, output channel and latent dimension the\n"
      "first-order score cost of its quantization noise (sqrt(2/pi) * step/sqrt(12) * ||grad||_2; bound\n"
      "step/2 * ||grad||_1), ranked by cost per stored byte: OUT/parameters.json and a table.\n"
      "\n"
      "Example: tac sensitivity --gt videos/0.mkv --recon inflated/0.raw --samples 0:4 --upstream ~/commaai-challenge");
  cmd->add_option("--gt", args->gt, "Ground-truth video")->required()->check(CLI::ExistingFile);
  cmd->add_option("--recon", args->recon, "Reconstruction (.raw, uint8 RGB 874x1164 frames): pixel maps")->check(CLI::ExistingFile);
  cmd->add_option("--archive", args->archive, "hnerv95 archive: the per-parameter table instead of pixel maps")->check(CLI::ExistingPath);
  cmd->add_option("--top", args->top, "--archive: channels listed on stdout")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--samples", args->samples, "FIRST:COUNT samples (frame pairs)")->capture_default_str();
  cmd->add_option("--surrogate", args->surrogate, "SegNet surrogate: ce, kl or focal")->capture_default_str();
  cmd->add_option("--temperature", args->temperature, "kl: softmax temperature")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--gamma", args->gamma, "focal: exponent")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("-o,--out", args->out, "Output directory")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print where the outputs went as JSON");
  tac::cli::add_scorer_options(*cmd, args->scorer, "Challenge checkout: models/ (the real weights)");
  cmd->callback([args] { run_sensitivity_cmd(*args); });
}

TAC_REGISTER_COMMAND(75, register_sensitivity);

}  // namespace
