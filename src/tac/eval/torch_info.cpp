#include "tac/eval/torch_info.hpp"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

namespace tac::eval {

std::string torch_version() { return TORCH_VERSION; }
int torch_threads() { return at::get_num_threads(); }
bool torch_has_cuda() { return at::hasCUDA(); }

}  // namespace tac::eval
