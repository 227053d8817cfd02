#pragma once
// Facts about the linked libtorch for the evaluation record (torch-free header).
#include <string>

namespace tac::eval {

std::string torch_version();  // e.g. "1.13.0a0"
int torch_threads();           // intra-op threads in effect
bool torch_has_cuda();

}  // namespace tac::eval
