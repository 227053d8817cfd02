// The one place mapping tac::scorer::Device to a torch device.
#include <torch/cuda.h>

#include "tac/core/error.hpp"
#include "tac/scorer/torch_device.hpp"

namespace tac::scorer {

Device parse_device(std::string_view text) {
  if (text == "cpu") return Device::Cpu;
  if (text == "cuda") return Device::Cuda;
  fail(ErrorKind::usage, "unknown device '{}' (expected 'cpu' or 'cuda')", text);
}

std::string_view device_name(Device device) { return device == Device::Cuda ? "cuda" : "cpu"; }

c10::Device to_torch_device(Device device) {
  if (device == Device::Cpu) return c10::Device(c10::DeviceType::CPU);
  if (!torch::cuda::is_available()) fail(ErrorKind::usage, "device 'cuda' requested, but this libtorch has no usable CUDA device");
  return c10::Device(c10::DeviceType::CUDA, 0);
}

}  // namespace tac::scorer
