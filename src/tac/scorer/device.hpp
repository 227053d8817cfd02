#pragma once
// The one place where the compute device is chosen. CPU is the default; CUDA only when the
// linked libtorch has it. Torch-free header: the mapping to c10::Device lives in torch code.
#include <string>
#include <string_view>

namespace tac::scorer {

enum class Device { Cpu, Cuda };

Device parse_device(std::string_view text);  // "cpu" | "cuda"; throws tac::Error otherwise
std::string_view device_name(Device device);

}  // namespace tac::scorer
