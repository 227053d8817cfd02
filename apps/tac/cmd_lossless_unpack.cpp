// `tac lossless unpack IN OUT [--json]`: the bytes of a packet written by `tac lossless pack`.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lossless_group.hpp"
#include "tac/container/lossless_profiles.hpp"
#include "tac/core/mapped_file.hpp"
#include "tac/core/output_file.hpp"

namespace {

struct UnpackArgs {
  std::string input, output;
  bool json = false;
};

void register_lossless_unpack(CLI::App& app) {
  auto args = std::make_shared<UnpackArgs>();
  auto* cmd = tac::cli::lossless_group(app).add_subcommand("unpack", "Unpack a lossless packet (profile read from it).");
  cmd->add_option("input", args->input, "Packet to read")->required();
  cmd->add_option("output", args->output, "File to write")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] {
    const tac::MappedFile in(args->input);
    const auto table = tac::container::read_packet_table(in.bytes(), args->input, std::uint64_t(1) << 30);
    const auto data = tac::container::lossless_unpack(in.bytes(), args->input);
    tac::write_file_atomic(args->output, data);
    const auto& s = table.sections.front();
    std::string transforms;
    for (const auto& t : s.transforms) transforms += (transforms.empty() ? "" : ",") + tac::transform::describe(t);
    if (args->json) {
      const nlohmann::json j = {{"input", args->input},         {"output", args->output},
                                {"input_bytes", in.size()},     {"output_bytes", data.size()},
                                {"codec", tac::container::codec_name(s.codec)}, {"transforms", transforms}};
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("%s: %zu -> %zu bytes (%s%s%s)\n", args->input.c_str(), in.size(), data.size(),
                transforms.c_str(), transforms.empty() ? "" : " + ", tac::container::codec_name(s.codec));
  });
}

}  // namespace

TAC_REGISTER_COMMAND(62, register_lossless_unpack);
