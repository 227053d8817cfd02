#include "tac/train/tune.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "tac/codec/codec.hpp"
#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/codec/hnerv95/hnerv95_format.hpp"
#include "tac/codec/hnerv95/hnerv95_writer.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/sha256.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/io/zip_writer.hpp"
#include "tac/scorer/scorer.hpp"
#include "tac/scorer/torch_device.hpp"
#include "tac/scorer/weights_identity.hpp"
#include "tac/train/grid_adam.hpp"
#include "tac/train/hnerv95_torch_decoder.hpp"
#include "tac/train/pcgrad.hpp"
#include "tac/train/rate_estimate.hpp"
#include "tac/train/tune_checkpoint.hpp"
#include "tac/train/tune_data_parallel.hpp"
#include "tac/train/tune_inputs.hpp"

namespace tac::train {
namespace {

namespace fs = std::filesystem;
namespace hn = codec::hnerv95;
constexpr std::size_t kFrame = contest::kFrameBytes;

at::Tensor pair_tensor(const std::uint8_t* frames) {  // two consecutive frames -> (1, 2, H, W, 3) float
  return at::from_blob(const_cast<std::uint8_t*>(frames), {1, 2, contest::kFrameHeight, contest::kFrameWidth, 3}, at::kByte)
      .to(at::kFloat);
}

// splitmix64: the visiting order's only source of randomness (portable, stateless).
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Pair offsets (0..count-1) of step `step`: the steps walk through one seeded permutation of the
// pairs per epoch, `batch` at a time, so any step's batch follows from (seed, step) alone.
std::vector<std::int64_t> batch_of_step(std::uint64_t seed, std::int64_t step, std::int64_t batch, std::int64_t count) {
  std::vector<std::int64_t> out;
  for (std::int64_t k = 0; k < batch; ++k) {
    const std::int64_t position = step * batch + k;
    const std::int64_t epoch = position / count;
    std::vector<std::int64_t> order(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
    std::uint64_t state = mix(seed ^ mix(static_cast<std::uint64_t>(epoch)));
    for (std::int64_t i = count - 1; i > 0; --i) {  // Fisher-Yates
      state = mix(state);
      std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(state % static_cast<std::uint64_t>(i + 1))]);
    }
    out.push_back(order[static_cast<std::size_t>(position % count)]);
  }
  return out;
}

GroundTruthOutputs concat(const std::vector<GroundTruthOutputs>& all, const std::vector<std::int64_t>& picks) {
  std::vector<at::Tensor> pose, logits, classes;
  for (const auto k : picks) {
    const auto& g = all[static_cast<std::size_t>(k)];
    pose.push_back(g.pose);
    logits.push_back(g.seg_logits);
    classes.push_back(g.seg_classes);
  }
  return {at::cat(pose), at::cat(logits), at::cat(classes)};
}

struct FrameCollector final : codec::FrameSink {
  std::int64_t skip = 0, seen = 0;
  std::vector<std::uint8_t> frames;
  void write_frame(std::span<const std::uint8_t> rgb) override {
    if (seen++ >= skip) frames.insert(frames.end(), rgb.begin(), rgb.end());
  }
};

std::string settings_text(double v) { return fmt::format("{:.17g}", v); }

// What trains at one step, per Adam parameter: whether its phase trains it (else it is frozen: no
// gradient), and its lr multiplier, phase scale x schedule factor (0 when frozen). A cosine with
// floor 0 gives factor 0 at the last step: those parameters still get gradients (the backward
// needs something to differentiate) and GridAdam leaves them as they are, as a zero lr would.
struct StepPlan {
  const TunePhase* phase = nullptr;
  double factor = 1;
  std::vector<bool> active;
  std::vector<double> scales;
};

StepPlan plan_step(const TuneJob& job, const GridAdam& adam, std::int64_t step) {
  StepPlan plan;
  plan.factor = lr_factor(job.lr_schedule, step, job.steps);
  plan.phase = phase_at(job.phases, step);
  for (const auto& p : adam.params) {
    double scale = 1;
    if (plan.phase) {
      if (p.name == "latents") scale = trains_latents(*plan.phase) ? plan.phase->latent_lr_scale : 0.0;
      else scale = trains_weight(*plan.phase, p.name) ? plan.phase->weight_lr_scale : 0.0;
    }
    plan.active.push_back(scale != 0.0);
    plan.scales.push_back(scale * plan.factor);
  }
  return plan;
}

// PCGrad between the objective's two parts: each part's gradient over the parameters that train
// this step, then pcgrad_combine's sum written as their .grad(). True when the two conflicted.
bool pcgrad_backward(const at::Tensor& seg_part, const at::Tensor& pose_part, GridAdam& adam, const std::vector<bool>& active) {
  std::vector<at::Tensor*> grads;
  for (std::size_t i = 0; i < adam.params.size(); ++i)
    if (active[i]) grads.push_back(&adam.params[i].value.mutable_grad());
  std::vector<at::Tensor> g_seg, g_pose;
  seg_part.backward({}, /*retain_graph=*/true);
  for (auto* g : grads) {
    g_seg.push_back(g->defined() ? g->clone() : at::Tensor());
    if (g->defined()) g->zero_();
  }
  pose_part.backward();
  for (auto* g : grads) g_pose.push_back(g->defined() ? g->clone() : at::Tensor());
  auto r = pcgrad_combine(g_seg, g_pose);
  for (std::size_t i = 0; i < grads.size(); ++i) *grads[i] = std::move(r.combined[i]);
  return r.projected;
}

void check_mechanisms(const TuneJob& job, const std::vector<Hnerv95TorchDecoder::Weight>& weights) {
  validate(job.lr_schedule, "tune");
  validate(job.phases, "tune");
  validate(job.mining, "tune");
  if (job.phases.empty()) return;
  if (job.phases.back().end && *job.phases.back().end < job.steps)
    fail(ErrorKind::usage, "tune: the phases cover steps 0..{}, --steps is {}", *job.phases.back().end, job.steps);
  for (const auto& phase : job.phases)
    for (const auto& pattern : phase.train) {
      if (pattern == "latents" || pattern == "decoder") continue;
      bool any = false;
      for (const auto& w : weights) any = any || glob_match(pattern, w.name);
      if (!any) fail(ErrorKind::usage, "tune: phase '{}' trains '{}', which names no decoder tensor (e.g. '{}')", phase.name, pattern, weights.front().name);
    }
}

}  // namespace

std::vector<std::uint8_t> inflate_pairs(const fs::path& archive, std::int64_t first, std::int64_t count, int threads) {
  const Hnerv95Input in = read_hnerv95_input(archive);
  const auto contents = codec::ArchiveContents::from_bytes(in.member, in.bytes);
  FrameCollector sink;
  sink.skip = 2 * first;
  codec::InflateOptions options;
  options.threads = threads;
  options.max_frames = 2 * (first + count);
  hn::format().inflate(contents.members().front(), sink, options);
  if (sink.frames.size() != static_cast<std::size_t>(2 * count) * kFrame)
    fail(ErrorKind::usage, "{}: holds fewer than {} pairs", archive.string(), first + count);
  return sink.frames;
}

namespace {

// The exact scorer (what `tac eval` runs) on the pairs of an archive's real inflate, against the
// ground truth's outputs computed once.
class ExactScore {
 public:
  ExactScore(const TuneJob& job, const std::vector<std::uint8_t>& gt_frames) : net_(options(job)), first_(job.first_pair), count_(job.pairs) {
    gt_ = run(gt_frames);
  }

  TuneEvaluation evaluate(const fs::path& archive, std::uint64_t archive_bytes, int threads) {
    const auto frames = inflate_pairs(archive, first_, count_, threads);
    TuneEvaluation e;
    e.frames_sha256 = sha256_hex(frames);
    const auto out = run(frames);
    constexpr std::size_t kPose = scorer::SampleOutputs::kPoseOutputs, kSeg = scorer::SampleOutputs::kSegPixels;
    double pose = 0, seg = 0;
    for (std::size_t k = 0; k < static_cast<std::size_t>(count_); ++k) {
      pose += scorer::pose_distortion(&gt_.pose[k * kPose], &out.pose[k * kPose]);
      seg += scorer::seg_distortion(&gt_.seg_argmax[k * kSeg], &out.seg_argmax[k * kSeg]);
    }
    e.pose_distortion = pose / static_cast<double>(count_);
    e.seg_distortion = seg / static_cast<double>(count_);
    e.distortion = 100.0 * e.seg_distortion + std::sqrt(10.0 * e.pose_distortion);
    e.archive_bytes = archive_bytes;
    e.rate_term = 25.0 * static_cast<double>(archive_bytes) / static_cast<double>(contest::kOriginalVideoBytes);
    return e;
  }

 private:
  static scorer::ScorerOptions options(const TuneJob& job) {
    scorer::ScorerOptions o;
    o.segnet_weights = job.segnet;
    o.posenet_weights = job.posenet;
    o.threads = job.threads;
    return o;
  }
  scorer::SampleOutputs run(const std::vector<std::uint8_t>& frames) {
    std::vector<scorer::FramePairView> views;
    for (std::size_t k = 0; k < static_cast<std::size_t>(count_); ++k) views.push_back({&frames[2 * k * kFrame], &frames[(2 * k + 1) * kFrame]});
    scorer::SampleOutputs out;
    net_.run(views, out);
    return out;
  }

  scorer::Scorer net_;
  std::int64_t first_, count_;
  scorer::SampleOutputs gt_;
};

}  // namespace

TuneResult run_tune(const TuneJob& job) {
  if (job.pairs < 1 || job.first_pair < 0) fail(ErrorKind::usage, "tune: --pairs must be FIRST >= 0 and COUNT >= 1");
  if (job.steps < 0) fail(ErrorKind::usage, "tune: --steps must not be negative");
  if (!(job.lr > 0)) fail(ErrorKind::usage, "tune: --lr must be positive");
  if (job.resume && job.checkpoint.empty()) fail(ErrorKind::usage, "tune: --resume needs --checkpoint FILE");
  if (job.checkpoint_every < 1) fail(ErrorKind::usage, "tune: the checkpoint interval must be at least 1 step");
  const std::int64_t batch = job.batch > 0 ? job.batch : std::min<std::int64_t>(job.pairs, 2);
  const double weight_lr = job.weight_lr >= 0 ? job.weight_lr : job.lr / 5;
  if (job.threads > 0) at::set_num_threads(job.threads);
  // The training device, chosen in one place (scorer/device.hpp); fails clearly without CUDA.
  const c10::Device device = scorer::to_torch_device(job.device);
  DataParallel dp(job.distributed, job.device);  // a single process unless launched as ranks (torchrun's environment)

  const Hnerv95Input input = read_hnerv95_input(job.archive);
  const hn::Archive archive = hn::parse_archive(input.bytes, input.member);
  if (job.first_pair + job.pairs > archive.meta.n_pairs)
    fail(ErrorKind::usage, "tune: pairs {}..{} asked, the archive holds {}", job.first_pair, job.first_pair + job.pairs - 1, archive.meta.n_pairs);

  TuneResult result;
  result.member = input.member;
  result.scorer = std::string(scorer::weights_kind_name(scorer::identify_weights(job.segnet, scorer::Network::SegNet).kind));
  const auto gt_frames = ground_truth_pairs(job.ground_truth, job.first_pair, job.pairs);

  // Training state: the differentiable decoder's leaves, Adam in grid steps.
  Hnerv95TorchDecoder decoder(archive, device);
  GridAdam adam;
  // Without phases: `train` decides; with phases: whatever some phase trains (the rest stays out).
  const auto ever = [&](auto&& trains) {
    if (job.phases.empty()) return true;
    for (const auto& phase : job.phases)
      if (trains(phase)) return true;
    return false;
  };
  if (ever([](const TunePhase& p) { return trains_latents(p); }))
    adam.add("latents", decoder.latents(), decoder.latent_scales().unsqueeze(0), job.lr);
  for (auto& w : decoder.weights())
    if (job.phases.empty() ? job.train == TuneParameters::all : ever([&](const TunePhase& p) { return trains_weight(p, w.name); }))
      adam.add(w.name, w.value, at::scalar_tensor(w.scale, at::kFloat), weight_lr);
  check_mechanisms(job, decoder.weights());
  // Across processes the step is the plain objective's: PCGrad would operate on each rank's share
  // rather than the whole batch, the miner's state and the per-parameter step counts of phases are
  // not sent between ranks yet.
  if (dp.world_size() > 1 && (job.pcgrad || job.mining.kind != MiningKind::off || !job.phases.empty()))
    fail(ErrorKind::usage, "tune: PCGrad, hard-sample mining and phase schedules run in a single process for now (this is rank {} of {})",
         dp.rank(), dp.world_size());
  HardSampleMiner miner(job.mining, job.pairs);
  const std::vector<CheckpointState> extra_state{{"hard_mining.running_loss", &miner.state()}};
  const CheckpointSettings settings{
      {"archive_member_sha256", sha256_hex(input.bytes)},
      {"pairs", fmt::format("{}:{}", job.first_pair, job.pairs)},
      {"batch", std::to_string(batch)},
      {"train", job.train == TuneParameters::all ? "all" : "latents"},
      {"lr", settings_text(job.lr)},
      {"weight_lr", settings_text(weight_lr)},
      {"seed", std::to_string(job.seed)},
      {"threads", std::to_string(at::get_num_threads())},  // results are deterministic per thread count
      {"surrogate", fmt::format("{}/{}/{}", static_cast<int>(job.surrogate.kind), settings_text(job.surrogate.temperature),
                                settings_text(job.surrogate.gamma))},
      {"segnet_sha256", sha256_file_hex(job.segnet)},
      {"posenet_sha256", sha256_file_hex(job.posenet)},
      {"recipe_sha256", job.recipe_sha256.empty() ? "none" : job.recipe_sha256},
      // The cosine curve depends on the run's length, so a resume must keep --steps for it.
      {"lr_schedule", describe(job.lr_schedule) + (job.lr_schedule.kind == LrScheduleKind::cosine ? fmt::format(" steps={}", job.steps) : "")},
      {"phases", describe(job.phases)},
      {"hard_mining", describe(job.mining)},
      {"pcgrad", job.pcgrad ? "on" : "off"},
      {"rate_weight", settings_text(job.rate_weight)}};
  broadcast_training_state(adam, dp, [&] {  // every rank starts from rank 0's state
    if (!job.resume) return;
    if (!fs::exists(job.checkpoint)) fail(ErrorKind::usage, "tune: nothing to resume: {} does not exist", job.checkpoint.string());
    load_checkpoint(job.checkpoint, adam, settings, extra_state);
  });
  result.start_step = adam.steps_taken;
  if (result.start_step > job.steps)
    fail(ErrorKind::usage, "tune: the checkpoint stands at step {}, past --steps {}", result.start_step, job.steps);

  if (!(job.rate_weight >= 0) || !std::isfinite(job.rate_weight)) fail(ErrorKind::usage, "tune: the rate weight must be >= 0, got {}", job.rate_weight);
  // The rate estimate of the parameters trained (all of them, or those active at a step).
  const auto rate_bytes = [&](const std::vector<bool>* active) {
    bool latents = false;
    std::vector<std::string> tensors;
    for (std::size_t i = 0; i < adam.params.size(); ++i) {
      if (active != nullptr && !(*active)[i]) continue;
      if (adam.params[i].name == "latents") latents = true;
      else tensors.push_back(adam.params[i].name);
    }
    return hnerv95_rate_bytes(decoder, latents, tensors);
  };
  const double to_score = 25.0 / static_cast<double>(contest::kOriginalVideoBytes);
  {
    const c10::NoGradGuard no_grad;
    result.rate_estimate_bytes_start = rate_bytes(nullptr).item<double>();
  }
  if (result.start_step < job.steps) {
    const DifferentiableScorer objective(scorer::nn::load_segnet(job.segnet), scorer::nn::load_posenet(job.posenet), device);
    std::vector<GroundTruthOutputs> gt;
    for (std::int64_t k = 0; k < job.pairs; ++k) gt.push_back(objective.ground_truth(pair_tensor(gt_frames.data() + static_cast<std::size_t>(2 * k) * kFrame).to(device)));
    const auto start = SteadyClock::now();
    for (std::int64_t step = result.start_step; step < job.steps; ++step) {
      const StepPlan plan = plan_step(job, adam, step);
      for (std::size_t i = 0; i < adam.params.size(); ++i) adam.params[i].value.requires_grad_(plan.active[i]);  // frozen: no gradient
      double loss_value = 0, true_distortion = 0;
      // The rate term's gradient, added to the distortion's; in a data-parallel run by rank 0 alone
      // (the ranks' gradients are summed).
      const auto rate_backward = [&]() -> double {
        if (job.rate_weight == 0 || !dp.is_root()) return 0;
        const at::Tensor rate = rate_bytes(&plan.active) * (job.rate_weight * to_score);
        rate.backward();
        return rate.item<double>();
      };
      if (dp.world_size() == 1) {
        const auto picks = batch_of_step(job.seed, step, batch, job.pairs);
        std::vector<std::int64_t> indices;
        for (const auto k : picks) indices.push_back(job.first_pair + k);
        const at::Tensor frames = decoder.frames(at::tensor(at::ArrayRef<std::int64_t>(indices)));
        const ScoreTerms terms = objective.terms(frames, concat(gt, picks), job.surrogate);
        at::Tensor weights;  // hard-sample mining: per-pair weights from the running losses so far
        if (job.mining.kind != MiningKind::off) weights = at::tensor(at::ArrayRef<double>(miner.weights(picks))).to(at::kFloat);
        const at::Tensor seg_part = terms.seg_objective(weights), pose_part = terms.pose_objective(weights);
        const at::Tensor loss = seg_part + pose_part;
        if (job.pcgrad) result.pcgrad_projections += pcgrad_backward(seg_part, pose_part, adam, plan.active) ? 1 : 0;
        else loss.backward();
        loss_value += rate_backward();
        if (job.mining.kind != MiningKind::off) {
          const at::Tensor per_sample = terms.per_sample_objective().to(at::kCPU).contiguous();
          miner.record(picks, std::vector<double>(per_sample.data_ptr<double>(), per_sample.data_ptr<double>() + per_sample.numel()));
        }
        loss_value += loss.item<double>();
        true_distortion = terms.true_distortion();
      } else {
        // This rank's share of the step's batch; the ranks together give the whole batch's gradient.
        const auto picks = picks_of_rank(batch_of_step(job.seed, step, batch, job.pairs), dp);
        std::optional<ScoreTerms> terms;
        if (!picks.empty()) {
          std::vector<std::int64_t> indices;
          for (const auto k : picks) indices.push_back(job.first_pair + k);
          const at::Tensor frames = decoder.frames(at::tensor(at::ArrayRef<std::int64_t>(indices)));
          terms = objective.terms(frames, concat(gt, picks), job.surrogate);
        }
        const BatchObjective loss = batch_objective(terms, batch, dp);
        if (loss.to_backward.defined()) loss.to_backward.backward();
        const double rate = rate_backward();
        all_reduce_gradients(adam, dp);  // the whole batch's gradient on every rank
        loss_value = loss.loss + rate;  // rank 0's: the others add no rate
        true_distortion = loss.true_distortion;
      }
      adam.step(plan.scales);
      const std::int64_t done = step + 1;
      if (dp.is_root() && !job.checkpoint.empty() && (done % job.checkpoint_every == 0 || done == job.steps))
        save_checkpoint(job.checkpoint, adam, settings, extra_state);
      if (job.on_progress) {
        const double elapsed = seconds_since(start);
        const double per_step = elapsed / static_cast<double>(done - result.start_step);
        job.on_progress({done, job.steps, loss_value, true_distortion, static_cast<double>(batch) / per_step,
                         per_step * static_cast<double>(job.steps - done), dp.rank(), dp.world_size(),
                         plan.phase ? plan.phase->name : std::string(), plan.factor});
      }
    }
    result.train_seconds = seconds_since(start);
  }
  result.steps = job.steps;
  {
    const c10::NoGradGuard no_grad;
    result.rate_estimate_bytes_end = rate_bytes(nullptr).item<double>();
  }
  check_same_parameters_as_root(adam, dp);
  if (!dp.is_root()) return result;  // rank 0 exports and evaluates

  // Export: the parameters on the archive's grids, as an hnerv95 archive under the same member name.
  const auto member = hn::write_member(decoder.quantized_archive());
  fs::create_directories(job.out);
  result.archive_zip = job.out / "archive.zip";
  const io::ZipEntry entry{input.member, member};
  io::write_zip(result.archive_zip, std::span<const io::ZipEntry>(&entry, 1), io::ZipMethod::Stored);
  result.archive_bytes = fs::file_size(result.archive_zip);

  if (job.evaluate) {
    ExactScore exact(job, gt_frames);
    result.before = exact.evaluate(job.archive, input.archive_bytes, job.threads);
    result.after = exact.evaluate(result.archive_zip, result.archive_bytes, job.threads);
    result.evaluated = true;
  }
  return result;
}

}  // namespace tac::train
