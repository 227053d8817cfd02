#pragma once
// Shared helpers of the scorer tests: golden tensors of clip16 and the zstd-compressed recon frames.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tac/io/safetensors.hpp"

namespace tac::test {

// Float tensor from a safetensors file as float32 values.
std::vector<float> golden_floats(const io::Safetensors& file, const std::string& name);
// Raw bytes of a uint8 tensor.
std::vector<std::uint8_t> golden_bytes(const io::Safetensors& file, const std::string& name);
// Decompresses a .zst file (one or more frames) into memory.
std::vector<std::uint8_t> read_zstd_file(const std::filesystem::path& path);

}  // namespace tac::test
