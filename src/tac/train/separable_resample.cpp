#include "tac/train/separable_resample.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>

#include "tac/core/error.hpp"
#include "tac/image/bicubic_upscale.hpp"
#include "tac/image/bilinear_resize.hpp"
#include "tac/scorer/preprocess.hpp"

namespace tac::train {

namespace {
// (n_out, n_in) matrix of one axis (repeated taps add up, as in the kernels).
at::Tensor axis_matrix(const ResampleAxis& a) {
  at::Tensor m = at::zeros({a.n_out, a.n_in}, at::kFloat);
  auto acc = m.accessor<float, 2>();
  for (int o = 0; o < a.n_out; ++o)
    for (int t = 0; t < a.taps; ++t) {
      const auto e = static_cast<std::size_t>(o) * static_cast<std::size_t>(a.taps) + static_cast<std::size_t>(t);
      acc[o][a.index[e]] += a.weight[e];
    }
  return m;
}

}  // namespace

// An axis and its transpose: for source index i, the (output, weight) pairs that read it, in
// increasing output order (CSR), so the backward gathers instead of scattering.
struct AxisWithTranspose {
  ResampleAxis axis;
  std::vector<std::int32_t> forward_offsets;  // n_out + 1: o * taps
  std::vector<std::int32_t> offsets;  // n_in + 1
  std::vector<std::int32_t> readers;  // output indices
  std::vector<float> reader_weights;
  at::Tensor dense;  // (n_out, n_in) on the CPU: the dense form's matrix

  explicit AxisWithTranspose(ResampleAxis a) : axis(std::move(a)) {
    const std::size_t entries = static_cast<std::size_t>(axis.n_out) * static_cast<std::size_t>(axis.taps);
    if (axis.n_in < 1 || axis.n_out < 1 || axis.taps < 1 || axis.index.size() != entries || axis.weight.size() != entries)
      fail(ErrorKind::usage, "separable resample: an axis of {} -> {} with {} taps has {} indices and {} weights", axis.n_in,
           axis.n_out, axis.taps, axis.index.size(), axis.weight.size());
    for (int o = 0; o <= axis.n_out; ++o) forward_offsets.push_back(o * axis.taps);
    offsets.assign(static_cast<std::size_t>(axis.n_in) + 1, 0);
    for (const std::int32_t i : axis.index) {
      if (i < 0 || i >= axis.n_in) fail(ErrorKind::usage, "separable resample: source index {} outside 0..{}", i, axis.n_in - 1);
      ++offsets[static_cast<std::size_t>(i) + 1];
    }
    for (std::size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
    readers.resize(entries);
    reader_weights.resize(entries);
    std::vector<std::int32_t> fill(offsets.begin(), offsets.end() - 1);
    for (std::size_t e = 0; e < entries; ++e) {
      const auto slot = static_cast<std::size_t>(fill[static_cast<std::size_t>(axis.index[e])]++);
      readers[slot] = static_cast<std::int32_t>(e / static_cast<std::size_t>(axis.taps));
      reader_weights[slot] = axis.weight[e];
    }
    dense = axis_matrix(axis);
  }
};

struct SeparableResample::Plan {
  AxisWithTranspose rows, cols;
};

namespace {

using Plan = SeparableResample::Plan;

// Rows (n, h) of width n_src -> width n_dst along the width axis: position j of a row is the sum
// over entries e in [offsets[j], offsets[j + 1]) of weights[e] * position sources[e]. The forward
// pass and its adjoint are the same gather over the axis's table and its transpose.
void width_gather(std::int64_t rows, std::int64_t c, int n_src, int n_dst, const std::int32_t* offsets, const std::int32_t* sources,
                  const float* weights, const float* in, float* out) {
  at::parallel_for(0, rows, 16, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t r = lo; r < hi; ++r) {
      const float* src = in + r * n_src * c;
      float* dst = out + r * n_dst * c;
      for (int j = 0; j < n_dst; ++j)
        for (std::int64_t k = 0; k < c; ++k) {
          float acc = 0.0f;
          for (auto e = offsets[j]; e < offsets[j + 1]; ++e) acc += weights[e] * src[sources[e] * c + k];
          dst[j * c + k] = acc;
        }
    }
  });
}

void width_pass(const AxisWithTranspose& cols, std::int64_t rows, std::int64_t c, const float* in, float* out) {
  width_gather(rows, c, cols.axis.n_in, cols.axis.n_out, cols.forward_offsets.data(), cols.axis.index.data(), cols.axis.weight.data(), in, out);
}

// The width pass's adjoint: (N, H, Wo, C) -> (N, H, W, C).
void width_pass_adjoint(const AxisWithTranspose& cols, std::int64_t rows, std::int64_t c, const float* in, float* out) {
  width_gather(rows, c, cols.axis.n_out, cols.axis.n_in, cols.offsets.data(), cols.readers.data(), cols.reader_weights.data(), in, out);
}

// out row (n, j) = sum over `count` entries of weight * in row (n, source): whole rows of `row`
// floats at once (vectorized).
void blend_rows(const float* in, std::int64_t in_rows, float* dst, std::int64_t row, std::int64_t n, const std::int32_t* sources,
                const float* weights, std::int64_t count) {
  std::fill_n(dst, row, 0.0f);
  for (std::int64_t t = 0; t < count; ++t) {
    const float* src = in + (n * in_rows + sources[t]) * row;
    const float w = weights[t];
    for (std::int64_t k = 0; k < row; ++k) dst[k] += w * src[k];
  }
}

// (N, H, Wo, C) -> (N, Ho, Wo, C) along the height axis.
void height_pass(const AxisWithTranspose& rows, std::int64_t n, std::int64_t row, const float* in, float* out) {
  const auto& ax = rows.axis;
  at::parallel_for(0, n * ax.n_out, 4, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t r = lo; r < hi; ++r) {
      const std::int64_t b = r / ax.n_out, o = r % ax.n_out;
      blend_rows(in, ax.n_in, out + r * row, row, b, ax.index.data() + o * ax.taps, ax.weight.data() + o * ax.taps, ax.taps);
    }
  });
}

// The height pass's adjoint: (N, Ho, Wo, C) -> (N, H, Wo, C).
void height_pass_adjoint(const AxisWithTranspose& rows, std::int64_t n, std::int64_t row, const float* in, float* out) {
  const auto& ax = rows.axis;
  at::parallel_for(0, n * ax.n_in, 4, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t r = lo; r < hi; ++r) {
      const std::int64_t b = r / ax.n_in, i = r % ax.n_in;
      const auto begin = rows.offsets[static_cast<std::size_t>(i)], end = rows.offsets[static_cast<std::size_t>(i) + 1];
      blend_rows(in, ax.n_out, out + r * row, row, b, rows.readers.data() + begin, rows.reader_weights.data() + begin, end - begin);
    }
  });
}

at::Tensor resample(const Plan& p, const at::Tensor& x) {
  const std::int64_t n = x.size(0), c = x.size(3);
  at::Tensor tmp = at::empty({n, p.rows.axis.n_in, p.cols.axis.n_out, c}, x.options());
  width_pass(p.cols, n * p.rows.axis.n_in, c, x.data_ptr<float>(), tmp.data_ptr<float>());
  at::Tensor out = at::empty({n, p.rows.axis.n_out, p.cols.axis.n_out, c}, x.options());
  height_pass(p.rows, n, p.cols.axis.n_out * c, tmp.data_ptr<float>(), out.data_ptr<float>());
  return out;
}

at::Tensor resample_adjoint(const Plan& p, const at::Tensor& g_in) {
  const at::Tensor g = g_in.contiguous();
  const std::int64_t n = g.size(0), c = g.size(3);
  at::Tensor tmp = at::empty({n, p.rows.axis.n_in, p.cols.axis.n_out, c}, g.options());
  height_pass_adjoint(p.rows, n, p.cols.axis.n_out * c, g.data_ptr<float>(), tmp.data_ptr<float>());
  at::Tensor out = at::empty({n, p.rows.axis.n_in, p.cols.axis.n_in, c}, g.options());
  width_pass_adjoint(p.cols, n * p.rows.axis.n_in, c, tmp.data_ptr<float>(), out.data_ptr<float>());
  return out;
}

// Holds the plan for the backward (autograd keeps non-tensor state as IValues).
struct PlanCapsule : torch::CustomClassHolder {
  explicit PlanCapsule(std::shared_ptr<const Plan> p) : plan(std::move(p)) {}
  std::shared_ptr<const Plan> plan;
};

struct ResampleFunction : torch::autograd::Function<ResampleFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const std::shared_ptr<const Plan>& plan) {
    ctx->saved_data["plan"] = c10::IValue::make_capsule(c10::make_intrusive<PlanCapsule>(plan));
    return resample(*plan, x);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    const auto capsule = c10::static_intrusive_pointer_cast<PlanCapsule>(ctx->saved_data["plan"].toCapsule());
    return {resample_adjoint(*capsule->plan, grads[0]), at::Tensor()};
  }
};

}  // namespace

ResampleAxis resample_axis(const image::BilinearAxis& a, int n_in) {
  ResampleAxis out;
  out.n_in = n_in;
  out.n_out = static_cast<int>(a.i0.size());
  out.taps = 2;
  for (std::size_t d = 0; d < a.i0.size(); ++d) {
    out.index.insert(out.index.end(), {a.i0[d], a.i1[d]});
    out.weight.insert(out.weight.end(), {a.l0[d], a.l1[d]});
  }
  return out;
}

ResampleAxis resample_axis(const image::BicubicAxis& a) { return ResampleAxis{a.in_size, a.out_size, 4, a.index, a.weight}; }

SeparableResample::SeparableResample(ResampleAxis rows, ResampleAxis cols)
    : plan_(std::make_shared<const Plan>(Plan{AxisWithTranspose(std::move(rows)), AxisWithTranspose(std::move(cols))})) {}

SeparableResample SeparableResample::contest_bilinear(int h, int w) {
  if (h < 1 || w < 1) fail(ErrorKind::usage, "bilinear resize: frames of {}x{}", h, w);
  return {resample_axis(image::bilinear_axis(h, scorer::kNetHeight), h), resample_axis(image::bilinear_axis(w, scorer::kNetWidth), w)};
}

SeparableResample SeparableResample::bicubic(int h, int w, int out_h, int out_w) {
  if (h < 1 || w < 1 || out_h < 1 || out_w < 1) fail(ErrorKind::usage, "bicubic resize: {}x{} -> {}x{}", h, w, out_h, out_w);
  return {resample_axis(image::make_bicubic_axis(h, out_h)), resample_axis(image::make_bicubic_axis(w, out_w))};
}

int SeparableResample::out_height() const { return plan_->rows.axis.n_out; }
int SeparableResample::out_width() const { return plan_->cols.axis.n_out; }

namespace {

void check_input(const SeparableResample::Plan& p, const at::Tensor& x) {
  if (x.dim() != 4 || x.scalar_type() != at::kFloat)
    fail(ErrorKind::usage, "separable resample: expects (N, H, W, C) float32, got {} dimensions of {}", x.dim(),
         c10::toString(x.scalar_type()));
  if (x.size(1) != p.rows.axis.n_in || x.size(2) != p.cols.axis.n_in)
    fail(ErrorKind::usage, "separable resample: made for {}x{} images, got {}x{}", p.rows.axis.n_in, p.cols.axis.n_in, x.size(1),
         x.size(2));
}

}  // namespace

at::Tensor SeparableResample::operator()(const at::Tensor& x) const {
  if (!x.is_cpu()) return dense(x);
  check_input(*plan_, x);
  return ResampleFunction::apply(x.contiguous(), plan_);
}

at::Tensor SeparableResample::dense(const at::Tensor& x) const {
  check_input(*plan_, x);
  const auto options = x.options();
  const at::Tensor rows = plan_->rows.dense.to(options.device()), cols = plan_->cols.dense.to(options.device());
  const at::Tensor planar = x.permute({0, 3, 1, 2});                  // (N, C, H, W)
  const at::Tensor out = at::matmul(rows, at::matmul(planar, cols.t()));  // (N, C, Ho, Wo)
  return out.permute({0, 2, 3, 1}).contiguous();
}

}  // namespace tac::train
