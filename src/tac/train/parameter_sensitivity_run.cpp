#include "tac/train/parameter_sensitivity_run.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <nlohmann/json.hpp>

#include "tac/codec/hnerv95/hnerv95_archive.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/output_file.hpp"
#include "tac/train/tune_inputs.hpp"

namespace tac::train {
namespace {

nlohmann::json rows_json(const std::vector<ParameterSensitivityRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows)
    out.push_back({{"tensor", r.tensor},       {"channel", r.channel},         {"values", r.values},
                   {"step", r.step},           {"bytes", r.bytes},             {"grad_l1", r.grad_l1},
                   {"grad_l2", r.grad_l2},     {"expected_cost", r.expected_cost}, {"bound", r.bound},
                   {"cost_per_byte", r.cost_per_byte}});
  return out;
}

}  // namespace

ParameterSensitivityReport run_parameter_sensitivity(const ParameterSensitivityJob& job) {
  if (job.samples < 1 || job.first_sample < 0) fail(ErrorKind::usage, "sensitivity: samples must be FIRST >= 0 and COUNT >= 1");
  if (job.threads > 0) at::set_num_threads(job.threads);
  const Hnerv95Input input = read_hnerv95_input(job.archive);
  const auto archive = codec::hnerv95::parse_archive(input.bytes, input.member);
  if (job.first_sample + job.samples > archive.meta.n_pairs)
    fail(ErrorKind::usage, "sensitivity: samples {}..{} asked, the archive holds {} pairs", job.first_sample,
         job.first_sample + job.samples - 1, archive.meta.n_pairs);
  const auto gt_frames = ground_truth_pairs(job.ground_truth, job.first_sample, job.samples);
  const DifferentiableScorer scorer(scorer::nn::load_segnet(job.segnet), scorer::nn::load_posenet(job.posenet));
  const at::Tensor gt_tensor =
      at::from_blob(const_cast<std::uint8_t*>(gt_frames.data()), {job.samples, 2, contest::kFrameHeight, contest::kFrameWidth, 3}, at::kByte)
          .to(at::kFloat);
  const auto gt = scorer.ground_truth(gt_tensor);
  Hnerv95TorchDecoder decoder(archive);
  ParameterSensitivityReport report;
  report.table = parameter_sensitivity(decoder, scorer, at::arange(job.first_sample, job.first_sample + job.samples, at::kLong), gt,
                                       job.surrogate);
  std::filesystem::create_directories(job.out);
  report.json = job.out / "parameters.json";
  const nlohmann::json doc{
      {"format", "tac-parameter-sensitivity/1"},
      {"archive", job.archive.string()},
      {"member", input.member},
      {"ground_truth", job.ground_truth.string()},
      {"segnet", job.segnet.string()},
      {"posenet", job.posenet.string()},
      {"samples", {job.first_sample, job.samples}},
      {"objective", report.table.objective},
      {"seg_distortion", report.table.seg_distortion},
      {"pose_distortion", report.table.pose_distortion},
      {"estimator", "expected_cost = sqrt(2/pi) * step/sqrt(12) * ||grad||_2 (uniform rounding noise, first order); "
                    "bound = step/2 * ||grad||_1; ranked by expected_cost / bytes (1 per int8 weight, 2 per latent)"},
      {"tensors", rows_json(report.table.tensors)},
      {"channels", rows_json(report.table.channels)}};
  write_file_atomic(report.json, doc.dump(1) + "\n");
  return report;
}

}  // namespace tac::train
