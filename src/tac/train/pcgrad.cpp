#include "tac/train/pcgrad.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "tac/core/error.hpp"

namespace tac::train {
namespace {

double dot(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].defined() && b[i].defined()) sum += (a[i].to(at::kDouble) * b[i].to(at::kDouble)).sum().item<double>();
  return sum;
}

}  // namespace

PcgradResult pcgrad_combine(const std::vector<at::Tensor>& g1_in, const std::vector<at::Tensor>& g2_in) {
  if (g1_in.size() != g2_in.size()) fail(ErrorKind::internal, "pcgrad: {} and {} gradients", g1_in.size(), g2_in.size());
  const c10::NoGradGuard no_grad;
  std::vector<at::Tensor> g1 = g1_in, g2 = g2_in;
  for (std::size_t i = 0; i < g1.size(); ++i) {
    if (!g1[i].defined() && !g2[i].defined()) fail(ErrorKind::internal, "pcgrad: parameter {} has neither gradient", i);
    if (!g1[i].defined()) g1[i] = at::zeros_like(g2[i]);
    if (!g2[i].defined()) g2[i] = at::zeros_like(g1[i]);
    if (!g1[i].sizes().equals(g2[i].sizes())) fail(ErrorKind::internal, "pcgrad: parameter {}'s two gradients differ in shape", i);
  }
  PcgradResult r;
  r.dot = dot(g1, g2);
  const double n1 = dot(g1, g1), n2 = dot(g2, g2);
  r.projected = r.dot < 0 && n1 > 0 && n2 > 0;
  r.combined.reserve(g1.size());
  for (std::size_t i = 0; i < g1.size(); ++i) {
    if (!r.projected) {
      r.combined.push_back(g1[i] + g2[i]);
      continue;
    }
    // g1' + g2' = g1 + g2 - (dot / |g2|^2) g2 - (dot / |g1|^2) g1, computed in float64 per tensor.
    const at::Tensor a = g1[i].to(at::kDouble), b = g2[i].to(at::kDouble);
    r.combined.push_back(((a - (r.dot / n2) * b) + (b - (r.dot / n1) * a)).to(g1[i].scalar_type()));
  }
  return r;
}

}  // namespace tac::train
