// `tac twin --out DIR`: seeded random scorer weights in the exact upstream layout.
#include <cstdio>
#include <filesystem>
#include <string>

#include "commands.hpp"
#include "tac/core/error.hpp"
#include "tac/scorer/twin_weights.hpp"

namespace {

struct TwinArgs {
  std::string out;
  std::uint64_t seed = 704;
  std::string calibrate;
};

void run_twin(const TwinArgs& a) {
  if (!a.calibrate.empty())
    tac::fail("--calibrate: BatchNorm calibration needs the scorer's train-mode networks, which this build does not expose");
  const std::filesystem::path dir = a.out;
  std::filesystem::create_directories(dir);
  for (const auto network : {tac::scorer::Network::SegNet, tac::scorer::Network::PoseNet}) {
    const auto twin = tac::scorer::make_twin(network, a.seed);
    const auto path = dir / (std::string(tac::scorer::network_name(network)) + ".safetensors");
    tac::scorer::write_twin(twin, path);
    std::printf("wrote %s (%zu tensors, twin seed %llu, calibration none)\n", path.c_str(), twin.tensors.size(),
                static_cast<unsigned long long>(a.seed));
  }
  std::printf("twin weights are for testing the pipeline only: scores made with them are not contest scores\n");
}

void register_twin(CLI::App& app) {
  auto a = std::make_shared<TwinArgs>();
  auto* cmd = app.add_subcommand("twin", "Write seeded random scorer weights (a twin) in the exact upstream layout.");
  cmd->footer(
      "Writes DIR/segnet.safetensors and DIR/posenet.safetensors with the upstream state_dict key names and\n"
      "shapes and seeded random values; their __metadata__ marks them as a twin (seed, calibration), and\n"
      "every report made with them says so. For running the pipeline without the real weights only.");
  cmd->add_option("--out", a->out, "Output directory")->required();
  cmd->add_option("--seed", a->seed, "Random seed (default 704)");
  cmd->add_option("--calibrate", a->calibrate, "Calibrate BatchNorm statistics on frames of this video");
  cmd->callback([a] { run_twin(*a); });
}

TAC_REGISTER_COMMAND(55, register_twin);

}  // namespace
