// `tac tune ARCHIVE --gt VIDEO -o SUBMISSION_DIR`: fine-tune an hnerv95 archive against the scorer
// (latents, or latents and decoder weights, with fake-quant on the archive's grids) and write a
// submission (archive.zip in the same format + inflate.sh). Progress on stderr; the true score of
// the inflated frames before and after on stdout.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "scorer_options.hpp"
#include "submission_script.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/worker_pool.hpp"
#include "tac/train/tune.hpp"
#include "tac/train/tune_recipe.hpp"

namespace {

struct TuneArgs {
  std::string archive, gt, out, pairs = "0:1", train = "latents", surrogate = "ce", checkpoint, profile, device = "cpu";
  std::int64_t steps = 20, batch = 0, checkpoint_every = 10;
  double lr = 0.25, weight_lr = -1, temperature = 1.0, gamma = 2.0, rate_weight = 0;
  std::uint64_t seed = 0;
  bool resume = false, json = false;
  tac::cli::ScorerArgs scorer;
  CLI::App* cmd = nullptr;  // to tell flags given explicitly (they override --profile)
  bool given(const char* flag) const { return cmd->count(flag) > 0; }
};

// A profile's settings fill what the command line did not say explicitly.
void apply_profile(TuneArgs& a, const tac::train::TuneRecipe& r, tac::train::TuneJob& job) {
  if (r.steps && !a.given("--steps")) a.steps = *r.steps;
  if (r.batch && !a.given("--batch")) a.batch = *r.batch;
  if (r.lr && !a.given("--lr")) a.lr = *r.lr;
  if (r.weight_lr && !a.given("--weight-lr")) a.weight_lr = *r.weight_lr;
  if (r.train && !a.given("--train")) a.train = *r.train;
  if (r.seed && !a.given("--seed")) a.seed = *r.seed;
  if (r.surrogate && !a.given("--surrogate")) a.surrogate = *r.surrogate;
  if (r.temperature && !a.given("--temperature")) a.temperature = *r.temperature;
  if (r.gamma && !a.given("--gamma")) a.gamma = *r.gamma;
  job.lr_schedule = r.lr_schedule;
  if (!a.given("--train")) job.phases = r.phases;  // an explicit --train replaces the phases
  job.mining = r.mining;
  job.pcgrad = r.pcgrad;
  job.recipe_sha256 = r.sha256;
}

nlohmann::json recipe_json(const tac::train::TuneRecipe& r, const tac::train::TuneJob& job) {
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& p : job.phases)
    phases.push_back({{"name", p.name}, {"begin", p.begin}, {"end", p.end ? nlohmann::json(*p.end) : nlohmann::json(nullptr)},
                      {"train", p.train}, {"latent_lr_scale", p.latent_lr_scale}, {"weight_lr_scale", p.weight_lr_scale}});
  return {{"file", r.source},
          {"sha256", r.sha256},
          {"description", r.description},
          {"lr_schedule", tac::train::describe(job.lr_schedule)},
          {"phases", phases},
          {"hard_mining", tac::train::describe(job.mining)},
          {"pcgrad", job.pcgrad},
          {"provenance", r.provenance}};
}

std::pair<std::int64_t, std::int64_t> parse_pairs(const std::string& text) {
  const auto colon = text.find(':');
  try {
    std::size_t used = 0;
    if (colon == std::string::npos) {
      const auto first = std::stoll(text, &used);
      if (used == text.size()) return {first, 1};
    } else {
      const auto first = std::stoll(text.substr(0, colon), &used);
      std::size_t used2 = 0;
      const auto count = std::stoll(text.substr(colon + 1), &used2);
      if (used == colon && used2 == text.size() - colon - 1) return {first, count};
    }
  } catch (const std::exception&) {
  }
  tac::fail(tac::ErrorKind::usage, "--pairs: '{}' is not FIRST:COUNT", text);
}

tac::train::SegSurrogate parse_surrogate(const std::string& name) {
  if (name == "ce") return tac::train::SegSurrogate::cross_entropy;
  if (name == "kl") return tac::train::SegSurrogate::kl;
  if (name == "focal") return tac::train::SegSurrogate::focal;
  tac::fail(tac::ErrorKind::usage, "--surrogate: '{}' (ce, kl or focal)", name);
}

nlohmann::json evaluation_json(const tac::train::TuneEvaluation& e) {
  return {{"pose_distortion", e.pose_distortion}, {"seg_distortion", e.seg_distortion}, {"distortion", e.distortion},
          {"archive_bytes", e.archive_bytes},     {"rate_term", e.rate_term},           {"score", e.distortion + e.rate_term},
          {"frames_sha256", e.frames_sha256}};
}

void run_tune_cmd(TuneArgs& a) {
  const auto weights = tac::cli::require_scorer_weights(a.scorer);
  tac::train::TuneJob job;
  std::optional<tac::train::TuneRecipe> recipe;
  if (!a.profile.empty()) {
    recipe = tac::train::load_tune_recipe(a.profile);
    apply_profile(a, *recipe, job);
  }
  job.archive = a.archive;
  job.ground_truth = a.gt;
  job.segnet = weights.segnet;
  job.posenet = weights.posenet;
  job.out = a.out;
  std::tie(job.first_pair, job.pairs) = parse_pairs(a.pairs);
  job.steps = a.steps;
  job.batch = a.batch;
  job.lr = a.lr;
  job.weight_lr = a.weight_lr;
  if (a.train == "latents") job.train = tac::train::TuneParameters::latents;
  else if (a.train == "all") job.train = tac::train::TuneParameters::all;
  else tac::fail(tac::ErrorKind::usage, "--train: '{}' (latents or all)", a.train);
  job.seed = a.seed;
  job.threads = tac::resolve_thread_count(a.scorer.threads);
  job.surrogate = {parse_surrogate(a.surrogate), a.temperature, a.gamma};
  job.rate_weight = a.rate_weight;
  job.device = tac::scorer::parse_device(a.device);
  job.checkpoint = a.checkpoint;
  job.checkpoint_every = a.checkpoint_every;
  job.resume = a.resume;
  job.distributed = tac::train::distributed_context_from_environment();  // torchrun's RANK, WORLD_SIZE, ...
  job.on_progress = [](const tac::train::TuneProgress& p) {
    const std::string who = p.world > 1 ? fmt::format("tune[rank {}/{}]", p.rank, p.world) : "tune";
    std::fprintf(stderr, "%s: step %lld/%lld%s%s lr x%.4g loss %.6f score %.6f  %.3f samples/s  ETA %.0f s\n", who.c_str(),
                 static_cast<long long>(p.step), static_cast<long long>(p.steps), p.phase.empty() ? "" : " phase ", p.phase.c_str(),
                 p.lr_factor, p.loss, p.score, p.samples_per_second, p.eta_seconds);
  };
  const auto r = tac::train::run_tune(job);
  if (job.distributed.rank != 0) {  // rank 0 writes the submission and reports
    std::fprintf(stderr, "tune[rank %d/%d]: done (%lld steps); rank 0 writes %s\n", job.distributed.rank, job.distributed.world_size,
                 static_cast<long long>(r.steps), a.out.c_str());
    return;
  }
  tac::cli::write_inflate_script(a.out, "hnerv95");
  const bool twin = r.scorer != "real";
  // Only the real upstream weights (identified by SHA-256) give contest scores; a tac twin says so
  // in its metadata, other files (e.g. the fixtures' twin) are unknown and treated as twins.
  const std::string scorer_note = r.scorer == "real"   ? "real scorer"
                                  : r.scorer == "twin" ? "TWIN scorer (random weights): not a contest score"
                                                       : "unknown weights, not the real scorer (a twin?): not a contest score";
  // The record (OUT/tune.json, also the --json output): settings, scores, the scored frames' SHA-256.
  {
    nlohmann::json j = {{"format", "tac-tune/1"},
                        {"archive", a.archive},
                        {"member", r.member},
                        {"output", r.archive_zip.string()},
                        {"scorer", r.scorer},
                        {"twin", twin},
                        {"pairs", a.pairs},
                        {"train", job.phases.empty() ? a.train : std::string("phases (see profile)")},
                        {"lr", a.lr},
                        {"weight_lr", a.weight_lr >= 0 ? a.weight_lr : a.lr / 5},
                        {"batch", a.batch > 0 ? a.batch : std::min<std::int64_t>(job.pairs, 2)},  // as run_tune resolves it
                        {"surrogate", a.surrogate},
                        {"seed", a.seed},
                        {"threads", job.threads},
                        {"device", a.device},
                        {"world_size", job.distributed.world_size},
                        {"start_step", r.start_step},
                        {"steps", r.steps},
                        {"train_seconds", r.train_seconds},
                        {"archive_bytes", r.archive_bytes}};
    if (recipe) j["profile"] = recipe_json(*recipe, job);
    if (job.pcgrad) j["pcgrad_projections"] = r.pcgrad_projections;
    j["rate_weight"] = job.rate_weight;
    j["rate_estimate_bytes"] = {{"start", r.rate_estimate_bytes_start}, {"end", r.rate_estimate_bytes_end}};
    if (r.evaluated) {
      j["before"] = evaluation_json(r.before);
      j["after"] = evaluation_json(r.after);
    }
    tac::write_file_atomic(std::filesystem::path(a.out) / "tune.json", j.dump(2) + "\n");
    if (a.json) {
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
  }
  std::printf("tune: %s (%s), pairs %s, steps %lld..%lld in %.1f s; scorer: %s\n", a.archive.c_str(), r.member.c_str(), a.pairs.c_str(),
              static_cast<long long>(r.start_step), static_cast<long long>(r.steps), r.train_seconds, scorer_note.c_str());
  const auto line = [&](const char* label, const tac::train::TuneEvaluation& e) {
    std::printf("%-7s distortion %.6f (seg %.6f, pose %.6g) + rate %.6f (%llu B) = %.6f%s  frames sha256 %s\n", label, e.distortion,
                e.seg_distortion, e.pose_distortion, e.rate_term, static_cast<unsigned long long>(e.archive_bytes), e.distortion + e.rate_term,
                twin ? " [twin]" : "", e.frames_sha256.c_str());
  };
  if (r.evaluated) {
    line("before:", r.before);
    line("after:", r.after);
  }
  std::printf("rate estimate of the trained parameters: %.0f B -> %.0f B%s\n", r.rate_estimate_bytes_start, r.rate_estimate_bytes_end,
              job.rate_weight > 0 ? fmt::format(" (in the objective, weight {})", job.rate_weight).c_str() : " (not in the objective)");
  std::printf("wrote %s (%llu B), inflate.sh and tune.json\n", r.archive_zip.c_str(), static_cast<unsigned long long>(r.archive_bytes));
}

void register_tune(CLI::App& app) {
  auto args = std::make_shared<TuneArgs>();
  auto* cmd = app.add_subcommand("tune", "Fine-tune an hnerv95 archive against the scorer; write a submission (archive.zip + inflate.sh).");
  cmd->footer(
      "Adam on the latents of --pairs (and with --train all on every decoder tensor) through a differentiable\n"
      "copy of the hnerv95 decoder, with fake-quant onto the archive's own int8 and latent grids, against the\n"
      "score's distortion 100 * seg + sqrt(10 * pose) (SegNet through a surrogate: --surrogate ce|kl|focal).\n"
      "--lr and --weight-lr are in grid steps per Adam step. At the end the parameters are quantized, written\n"
      "as an hnerv95 archive in OUT/archive.zip, inflated by the real codec, and those frames are scored by the\n"
      "exact scorer, before and after (their SHA-256 is printed). A twin scorer's numbers are marked [twin].\n"
      "--rate-weight W adds W * 25 * (estimated bytes of the trained parameters) / original bytes to the objective:\n"
      "each quantized level costs its bits under a Laplace model fitted every step (latents as deltas along the\n"
      "pairs, as the archive stores them); 1 weighs the estimate as the score weighs bytes. The estimate at the\n"
      "start and end is printed either way; the real bytes are those of OUT/archive.zip.\n"
      "Deterministic for a seed and --threads; --checkpoint FILE is written every --checkpoint-every steps and\n"
      "at the end, and --resume continues it to --steps.\n"
      "Data-parallel over processes (c10d/Gloo): launched with torchrun's RANK, WORLD_SIZE, MASTER_ADDR and\n"
      "MASTER_PORT set, the processes split each step's batch and sum their gradients; rank 0 writes OUT\n"
      "(checkpoints, archive, report) and evaluates. See docs/train.md.\n"
      "--profile FILE reads a TOML recipe (profiles/tune/*.toml; docs/train.md \"Recipes\"): settings, lr schedule,\n"
      "phases that freeze and unfreeze parameter groups, hard-sample mining, PCGrad, and the provenance of each\n"
      "value (copied into OUT/tune.json). Flags given explicitly override the profile's values (--train replaces\n"
      "its phases); the profile's SHA-256 is kept in checkpoints, so a resume must use the same file.\n"
      "\n"
      "Example: tac tune archive.zip --gt videos/0.mkv -o tuned --pairs 0:8 --steps 100 --upstream ~/commaai-challenge");
  cmd->add_option("archive", args->archive, "hnerv95 archive: zip, unzipped directory or member file")->required()->check(CLI::ExistingPath);
  cmd->add_option("--gt", args->gt, "Ground-truth video")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", args->out, "Submission directory to write")->required();
  cmd->add_option("--steps", args->steps, "Adam steps (total, including a resumed checkpoint's)")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--pairs", args->pairs, "FIRST:COUNT frame pairs to tune and score")->capture_default_str();
  cmd->add_option("--batch", args->batch, "Pairs per step (0: min(COUNT, 2))")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--lr", args->lr, "Latents' learning rate, grid steps per Adam step")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--weight-lr", args->weight_lr, "Decoder tensors' learning rate (--train all; default lr / 5)");
  cmd->add_option("--train", args->train, "What moves: latents or all")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the order pairs are visited in")->capture_default_str();
  cmd->add_option("--surrogate", args->surrogate, "SegNet surrogate: ce, kl or focal")->capture_default_str();
  cmd->add_option("--temperature", args->temperature, "kl: softmax temperature")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--gamma", args->gamma, "focal: exponent")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--device", args->device, "Where the decoder and the scorer train: cpu or cuda (the before/after scores run on the CPU)")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  cmd->add_option("--rate-weight", args->rate_weight, "Weight of the rate estimate in the objective (0: distortion only)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--checkpoint", args->checkpoint, "Checkpoint file (parameters, Adam state, step)");
  cmd->add_option("--checkpoint-every", args->checkpoint_every, "Steps between checkpoints")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--resume", args->resume, "Continue from --checkpoint");
  cmd->add_option("--profile", args->profile, "TOML training recipe (explicit flags override it)")->check(CLI::ExistingFile);
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  tac::cli::add_scorer_options(*cmd, args->scorer, "Challenge checkout: models/ (the real weights)");
  args->cmd = cmd;
  cmd->callback([args] { run_tune_cmd(*args); });
}

TAC_REGISTER_COMMAND(76, register_tune);

}  // namespace
