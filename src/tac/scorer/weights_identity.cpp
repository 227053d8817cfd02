#include "tac/scorer/weights_identity.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/safetensors.hpp"
#include "tac/scorer/twin_weights.hpp"

namespace tac::scorer {

std::string_view weights_kind_name(WeightsKind kind) {
  switch (kind) {
    case WeightsKind::Real: return "real";
    case WeightsKind::Twin: return "twin";
    case WeightsKind::TrainedTwin: return "trained-twin";
    case WeightsKind::Unknown: break;
  }
  return "unknown";
}

namespace {

// "tac trained twin (seed S, N steps on synthetic frames; held-out seg accuracy A %, mIoU M, pose R2 R)".
template <typename Meta>
std::string trained_twin_description(const Meta& meta, const std::filesystem::path& path) {
  const auto seed = meta.find(kTwinSeedKey);
  const std::string seed_text = seed == meta.end() ? "?" : seed->second;
  const nlohmann::json summary = nlohmann::json::parse(meta.find(kTwinTrainingKey)->second, nullptr, /*allow_exceptions=*/false);
  if (!summary.is_object() || !summary.contains("held_out") || !summary["held_out"].is_object())
    fail(ErrorKind::corrupt_input, "{}: metadata '{}' is not a training summary", path.string(), kTwinTrainingKey);
  const auto& h = summary["held_out"];
  const auto number = [&](const nlohmann::json& j, const char* key) { return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0; };
  return fmt::format("tac trained twin (seed {}, {} steps on synthetic frames; held-out seg accuracy {:.1f} %, mIoU {:.3f}, pose R2 {:.3f})",
                     seed_text, static_cast<long long>(number(summary, "steps")), 100.0 * number(h, "segnet_pixel_accuracy"),
                     number(h, "segnet_mean_iou"), number(h, "posenet_r2"));
}

}  // namespace

WeightsIdentity identify_weights(const std::filesystem::path& path, Network network) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(ErrorKind::io, "{}: {} weight file not found", path.string(), network_name(network));
  WeightsIdentity id;
  id.network = network;
  id.path = path;
  const auto file = io::Safetensors::open(path);
  validate_weights(file, network);
  id.bytes = std::filesystem::file_size(path);
  id.sha256 = sha256_file_hex(path);
  const std::string_view real = network == Network::SegNet ? contest::kSegnetSha256 : contest::kPosenetSha256;
  const auto& meta = file.metadata();
  const auto twin = meta.find(kTwinMetaKey);
  if (id.sha256 == real) {
    id.kind = WeightsKind::Real;
    id.description = fmt::format("real upstream {}", network_name(network));
  } else if (twin != meta.end() && twin->second == "1" && meta.count(kTwinTrainingKey) != 0) {
    id.kind = WeightsKind::TrainedTwin;
    id.description = trained_twin_description(meta, path);
  } else if (twin != meta.end() && twin->second == "1") {
    id.kind = WeightsKind::Twin;
    const auto seed = meta.find(kTwinSeedKey);
    const auto cal = meta.find(kTwinCalibrationKey);
    id.description = fmt::format("tac twin (seed {}, calibration {})", seed == meta.end() ? "?" : seed->second,
                                 cal == meta.end() ? "?" : cal->second);
  } else {
    id.kind = WeightsKind::Unknown;
    id.description = "unknown (not the real upstream file)";
  }
  return id;
}

}  // namespace tac::scorer
