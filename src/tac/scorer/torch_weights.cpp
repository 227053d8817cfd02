#include "tac/scorer/torch_weights.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <malloc.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "tac/core/error.hpp"

namespace tac::scorer::nn {

WeightStore::WeightStore(const std::filesystem::path& path)
    : file_(io::Safetensors::open(path)), source_(path.string()) {}

at::Tensor WeightStore::take(const std::string& key, const std::vector<std::int64_t>& shape) {
  const io::TensorView* view = file_.find(key);
  if (view == nullptr) fail(ErrorKind::corrupt_input, "{}: missing tensor '{}' (expected shape [{}])", source_, key, fmt::join(shape, ", "));
  if (view->shape != shape) {
    fail(ErrorKind::corrupt_input, "{}: tensor '{}' has shape [{}], expected [{}]", source_, key, fmt::join(view->shape, ", "),
         fmt::join(shape, ", "));
  }
  if (!taken_.insert(key).second) fail(ErrorKind::internal, "{}: tensor '{}' requested twice (internal error)", source_, key);
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
  tensors_.emplace(key, t);
  static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");
  if (view->dtype == io::DType::F32) {  // float32 as stored: copy the bytes directly
    std::memcpy(t.data_ptr<float>(), view->data.data(), view->data.size());
  } else {
    const std::vector<float> values = file_.to_float32(*view);
    std::memcpy(t.data_ptr<float>(), values.data(), values.size() * sizeof(float));
  }
  return t;
}

BatchNorm WeightStore::take_bn(const std::string& prefix, std::int64_t channels, double eps) {
  BatchNorm bn;
  bn.weight = take(prefix + ".weight", {channels});
  bn.bias = take(prefix + ".bias", {channels});
  bn.mean = take(prefix + ".running_mean", {channels});
  bn.var = take(prefix + ".running_var", {channels});
  bn.eps = eps;
  bn.key = prefix;
  return bn;
}

ConvBn WeightStore::take_conv_bn(const std::string& prefix, std::int64_t out, std::int64_t in_per_group,
                                 int k, int stride, int groups) {
  ConvBn c;
  c.weight = take(prefix + ".conv.weight", {out, in_per_group, k, k});
  c.bn = take_bn(prefix + ".bn", out);
  c.stride = stride;
  c.padding = k / 2;
  c.groups = groups;
  return c;
}

Linear WeightStore::take_linear(const std::string& prefix, std::int64_t out, std::int64_t in) {
  return Linear{take(prefix + ".weight", {out, in}), take(prefix + ".bias", {out})};
}

void WeightStore::finish() const {
  constexpr std::string_view kTracked = ".num_batches_tracked";
  for (const io::TensorView& t : file_.tensors()) {
    if (taken_.count(t.name) != 0) continue;
    const std::string_view name = t.name;
    if (name.size() > kTracked.size() && name.substr(name.size() - kTracked.size()) == kTracked) {
      // Optional BatchNorm counter: accepted only next to a BatchNorm the network uses.
      const std::string stats = std::string(name.substr(0, name.size() - kTracked.size())) + ".running_mean";
      if (taken_.count(stats) != 0 && t.numel == 1) continue;
    }
    fail(ErrorKind::corrupt_input, "{}: unexpected tensor '{}' (not part of the network)", source_, t.name);
  }
}

std::pair<at::Tensor, at::Tensor> bn_scale_shift(const BatchNorm& bn) {
  const at::Tensor t = bn.weight.to(at::kDouble) / (bn.var.to(at::kDouble) + bn.eps).sqrt();
  const at::Tensor shift = bn.bias.to(at::kDouble) - bn.mean.to(at::kDouble) * t;
  return {t, shift};
}

Conv fold_conv_bn(const ConvBn& c) {
  auto [t, shift] = bn_scale_shift(c.bn);
  Conv out;
  out.weight = (c.weight.to(at::kDouble) * t.view({-1, 1, 1, 1})).to(at::kFloat).contiguous();
  out.bias = shift.to(at::kFloat).contiguous();
  out.stride = c.stride;
  out.padding = c.padding;
  out.groups = c.groups;
  return out;
}

Conv fold_identity_bn(const BatchNorm& bn, std::int64_t out, std::int64_t in_per_group, int k, int groups) {
  at::Tensor w = at::zeros({out, in_per_group, k, k}, at::TensorOptions().dtype(at::kFloat));
  auto acc = w.accessor<float, 4>();
  for (std::int64_t i = 0; i < out; ++i) acc[i][i % in_per_group][k / 2][k / 2] = 1.0f;
  ConvBn c{w, bn, 1, k / 2, groups};
  return fold_conv_bn(c);
}

at::Tensor pad_kernel(const at::Tensor& w, int k) {
  const int k0 = static_cast<int>(w.size(-1));
  if (k0 == k) return w;
  const int p = (k - k0) / 2;
  return at::constant_pad_nd(w, {p, p, p, p}, 0.0);
}

Conv sum_convs(const std::vector<Conv>& parts) {
  int k = 0;
  for (const Conv& p : parts) k = std::max(k, static_cast<int>(p.weight.size(-1)));
  at::Tensor w = at::zeros_like(pad_kernel(parts.front().weight, k), at::kDouble);
  at::Tensor b = at::zeros_like(parts.front().bias, at::kDouble);
  for (const Conv& p : parts) {
    w = w + pad_kernel(p.weight, k).to(at::kDouble);
    b = b + p.bias.to(at::kDouble);
  }
  Conv out = parts.front();
  out.weight = w.to(at::kFloat).contiguous();
  out.bias = b.to(at::kFloat).contiguous();
  out.padding = k / 2;
  return out;
}

namespace {
thread_local BatchNormCalibration* active_calibration = nullptr;
}  // namespace

BatchNormCalibration::BatchNormCalibration() : previous_(active_calibration) { active_calibration = this; }
BatchNormCalibration::~BatchNormCalibration() { active_calibration = previous_; }
BatchNormCalibration* BatchNormCalibration::active() { return active_calibration; }

std::int64_t BatchNormCalibration::batches(const std::string& key) const {
  const auto it = batches_.find(key);
  return it == batches_.end() ? 0 : it->second;
}

at::Tensor BatchNormCalibration::apply(const at::Tensor& x, const BatchNorm& bn) {
  if (bn.key.empty()) fail(ErrorKind::internal, "BatchNorm calibration: a BatchNorm without a state_dict key (internal error)");
  const std::int64_t n = ++batches_[bn.key];
  layers_.insert_or_assign(bn.key, bn);
  // Training-mode batch_norm updates running stats in place: new = (1 - m) old + m batch, with
  // the unbiased batch variance; m = 1/n gives the plain average over the n batches seen.
  return at::batch_norm(x, bn.weight, bn.bias, bn.mean, bn.var, /*training=*/true, 1.0 / static_cast<double>(n),
                        bn.eps, /*cudnn_enabled=*/false);
}

namespace {
thread_local BatchNormTraining* active_training = nullptr;
}  // namespace

BatchNormTraining::BatchNormTraining(double momentum) : previous_(active_training), momentum_(momentum) {
  active_training = this;
}
BatchNormTraining::~BatchNormTraining() { active_training = previous_; }
BatchNormTraining* BatchNormTraining::active() { return active_training; }

at::Tensor BatchNormTraining::apply(const at::Tensor& x, const BatchNorm& bn) const {
  // The running statistics are buffers: updated in place, outside autograd.
  return at::batch_norm(x, bn.weight, bn.bias, bn.mean, bn.var, /*training=*/true, momentum_, bn.eps,
                        /*cudnn_enabled=*/false);
}

at::Tensor apply_bn(const at::Tensor& x, const BatchNorm& bn) {
  if (BatchNormCalibration* calibration = BatchNormCalibration::active()) return calibration->apply(x, bn);
  if (const BatchNormTraining* training = BatchNormTraining::active()) return training->apply(x, bn);
  return at::batch_norm(x, bn.weight, bn.bias, bn.mean, bn.var, /*training=*/false, 0.0, bn.eps,
                        /*cudnn_enabled=*/false);
}

at::Tensor apply_conv_bn(const at::Tensor& x, const ConvBn& c) {
  const at::Tensor y = at::conv2d(x, c.weight, {}, {c.stride, c.stride}, {c.padding, c.padding}, {1, 1}, c.groups);
  return apply_bn(y, c.bn);
}

at::Tensor apply_conv(const at::Tensor& x, const Conv& c) {
  return at::conv2d(x, c.weight, c.bias, {c.stride, c.stride}, {c.padding, c.padding}, {1, 1}, c.groups);
}

at::Tensor apply_linear(const at::Tensor& x, const Linear& l) { return at::linear(x, l.weight, l.bias); }

bool records_graph(const at::Tensor& x) { return at::GradMode::is_enabled() && x.requires_grad(); }

// In place on a temporary unless autograd records it: a backward would need the overwritten input.
at::Tensor inplace_silu(at::Tensor x) { return records_graph(x) ? at::silu(x) : at::silu_(x); }
at::Tensor inplace_relu(at::Tensor x) { return records_graph(x) ? at::relu(x) : at::relu_(x); }
at::Tensor inplace_sigmoid(at::Tensor x) { return records_graph(x) ? at::sigmoid(x) : at::sigmoid_(x); }
at::Tensor inplace_gelu_tanh(at::Tensor x) { return records_graph(x) ? at::gelu(x, "tanh") : at::gelu_(x, "tanh"); }

Conv to_device(const Conv& c, at::Device device) {
  Conv out = c;
  out.weight = c.weight.to(device);
  if (device.is_cpu()) out.weight = out.weight.contiguous(at::MemoryFormat::ChannelsLast);
  out.bias = c.bias.to(device);
  return out;
}

Linear to_device(const Linear& l, at::Device device) { return Linear{l.weight.to(device), l.bias.to(device)}; }

void keep_freed_memory_mapped() {
  mallopt(M_MMAP_THRESHOLD, 512 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}

Backend default_backend(at::Device device) {
  if (!device.is_cpu()) return Backend::Aten;
  const char* env = std::getenv("TAC_SCORER_BACKEND");
  if (env != nullptr && std::string_view(env) == "aten") return Backend::Aten;
  return Backend::Dnnl;
}

FusedConv make_fused(const Conv& folded, ConvActivation activation, bool residual, at::Device device, Backend backend) {
  FusedConv f;
  f.conv = to_device(folded, device);
  f.activation = activation;
  f.residual = residual;
  if (backend == Backend::Dnnl && device.is_cpu()) {
    const at::Tensor w = folded.weight.contiguous();
    const at::Tensor b = folded.bias.contiguous();
    DnnlConvSpec spec;
    spec.out_channels = w.size(0);
    spec.in_channels = w.size(1) * folded.groups;
    spec.kernel = static_cast<int>(w.size(2));
    spec.stride = folded.stride;
    spec.padding = folded.padding;
    spec.groups = folded.groups;
    spec.activation = activation;
    spec.add_residual = residual;
    f.dnnl = std::make_shared<DnnlConv>(spec, w.data_ptr<float>(), b.data_ptr<float>());
  }
  return f;
}

at::Tensor FusedConv::operator()(const at::Tensor& x, const at::Tensor& residual_input) const {
  if (dnnl) {
    if (records_graph(x) || (residual && records_graph(residual_input)))
      fail(ErrorKind::internal, "a oneDNN-fused conv has no backward: build the network with Backend::Aten for gradients");
    const at::Tensor in = x.contiguous(at::MemoryFormat::ChannelsLast);
    const int h = static_cast<int>(in.size(2)), w = static_cast<int>(in.size(3));
    at::Tensor out = at::empty({in.size(0), dnnl->spec().out_channels, dnnl->out_height(h), dnnl->out_width(w)},
                               in.options().memory_format(at::MemoryFormat::ChannelsLast));
    at::Tensor res;
    if (residual) res = residual_input.contiguous(at::MemoryFormat::ChannelsLast);
    dnnl->run(in.size(0), h, w, in.data_ptr<float>(), out.data_ptr<float>(), residual ? res.data_ptr<float>() : nullptr);
    return out;
  }
  at::Tensor y = apply_conv(x, conv);
  switch (activation) {
    case ConvActivation::None: break;
    case ConvActivation::Relu: y = inplace_relu(y); break;
    case ConvActivation::Silu: y = inplace_silu(y); break;
    case ConvActivation::GeluTanh: y = inplace_gelu_tanh(y); break;
  }
  if (residual) y = records_graph(y) || records_graph(residual_input) ? y + residual_input : y.add_(residual_input);
  return y;
}

}  // namespace tac::scorer::nn
