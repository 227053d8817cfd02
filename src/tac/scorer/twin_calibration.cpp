#include "tac/scorer/twin_calibration.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <vector>

#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/video_decoder.hpp"
#include "tac/scorer/posenet.hpp"
#include "tac/scorer/preprocess.hpp"
#include "tac/scorer/segnet.hpp"
#include "tac/scorer/torch_weights.hpp"
#include "tac/scorer/twin_params.hpp"

namespace tac::scorer {
namespace {

// The scorer's inputs for the first `samples` pairs: (S, 3, 384, 512) and (S, 12, 192, 256).
std::pair<at::Tensor, at::Tensor> read_inputs(const std::filesystem::path& video, int samples) {
  io::VideoDecoderOptions options;
  options.max_frames = 2 * std::int64_t{samples};
  io::VideoDecoder decoder(video, options);
  if (decoder.info().width != contest::kFrameWidth || decoder.info().height != contest::kFrameHeight)
    fail(ErrorKind::usage, "{}: frames are {}x{}; calibration needs the contest's {}x{} frames", video.string(), decoder.info().width,
         decoder.info().height, contest::kFrameWidth, contest::kFrameHeight);
  const auto cpu = at::TensorOptions().dtype(at::kFloat);
  at::Tensor seg = at::empty({samples, 3, kNetHeight, kNetWidth}, cpu);
  at::Tensor pose = at::empty({samples, 12, kPoseHeight, kPoseWidth}, cpu);
  std::vector<float> scratch(kSegInputFloats);
  std::vector<std::uint8_t> first(contest::kFrameBytes), second(contest::kFrameBytes);
  for (int s = 0; s < samples; ++s) {
    if (!decoder.next_rgb(first) || !decoder.next_rgb(second))
      fail(ErrorKind::usage, "{}: has {} frames; calibrating on {} samples needs {}", video.string(), decoder.frames_delivered(), samples,
           2 * samples);
    preprocess_pair(first.data(), second.data(), seg.data_ptr<float>() + std::int64_t{s} * kSegInputFloats,
                    pose.data_ptr<float>() + std::int64_t{s} * kPoseInputFloats, scratch.data());
  }
  return {seg, pose};
}

// Copies the calibrated statistics into the twin; every BatchNorm of the twin must have been seen.
std::int64_t store(TwinNetwork& twin, const nn::BatchNormCalibration& calibration) {
  std::int64_t layers = 0;
  for (TwinTensor& t : twin.tensors) {
    const std::string& name = t.spec.name;
    const auto dot = name.rfind('.');
    const std::string prefix = name.substr(0, dot);
    const std::string field = name.substr(dot + 1);
    if (field != "running_mean" && field != "running_var" && field != "num_batches_tracked") continue;
    const auto it = calibration.layers().find(prefix);
    if (it == calibration.layers().end())
      fail(ErrorKind::internal, "BatchNorm calibration: {} {} was never reached by the forward pass (internal error)",
           network_name(twin.network), prefix);
    if (field == "num_batches_tracked") {
      t.count_value = calibration.batches(prefix);
      continue;
    }
    const at::Tensor stats = (field == "running_mean" ? it->second.mean : it->second.var).contiguous();
    if (stats.numel() != static_cast<std::int64_t>(t.values.size()))
      fail(ErrorKind::internal, "BatchNorm calibration: {} has {} values, the twin {} (internal error)", name, stats.numel(), t.values.size());
    const float* v = stats.data_ptr<float>();
    t.values.assign(v, v + stats.numel());
    if (field == "running_mean") ++layers;
  }
  return layers;
}

}  // namespace

TwinCalibrationSummary calibrate_twins(TwinNetwork& segnet, TwinNetwork& posenet, const std::filesystem::path& video,
                                       const TwinCalibrationOptions& options) {
  if (segnet.network != Network::SegNet || posenet.network != Network::PoseNet)
    fail(ErrorKind::internal, "calibrate_twins: expects the SegNet twin, then the PoseNet twin");
  if (options.samples < 1) fail(ErrorKind::usage, "calibration needs at least 1 sample, got {}", options.samples);
  if (options.batch < 1) fail(ErrorKind::usage, "calibration batch must be at least 1, got {}", options.batch);
  if (options.threads > 0) at::set_num_threads(options.threads);
  at::NoGradGuard no_grad;

  const auto [seg_in, pose_in] = read_inputs(video, options.samples);
  const nn::SegNetParams seg_params = load_segnet_twin(segnet).params;
  const nn::PoseNetParams pose_params = load_posenet_twin(posenet).params;

  nn::BatchNormCalibration seg_calibration;
  TwinCalibrationSummary summary;
  for (std::int64_t begin = 0; begin < options.samples; begin += options.batch) {
    const std::int64_t n = std::min<std::int64_t>(options.batch, options.samples - begin);
    (void)nn::segnet_forward_train(seg_params, seg_in.narrow(0, begin, n));
    ++summary.batches;
  }
  {
    nn::BatchNormCalibration pose_calibration;  // nested: PoseNet's layers go here
    for (std::int64_t begin = 0; begin < options.samples; begin += options.batch) {
      const std::int64_t n = std::min<std::int64_t>(options.batch, options.samples - begin);
      (void)nn::posenet_forward_train(pose_params, pose_in.narrow(0, begin, n));
    }
    summary.posenet_layers = store(posenet, pose_calibration);
  }
  summary.segnet_layers = store(segnet, seg_calibration);
  summary.samples = options.samples;
  const std::string digest = sha256_file_hex(video);
  summary.description = fmt::format("BatchNorm statistics from {} frame pairs of {} (sha256 {}), batches of {}",
                                    options.samples, video.filename().string(), digest.substr(0, 16), options.batch);
  segnet.metadata[kTwinCalibrationKey] = summary.description;
  posenet.metadata[kTwinCalibrationKey] = summary.description;
  return summary;
}

}  // namespace tac::scorer
