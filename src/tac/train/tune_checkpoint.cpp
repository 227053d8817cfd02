#include "tac/train/tune_checkpoint.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cstring>

#include "tac/core/error.hpp"
#include "tac/io/safetensors.hpp"

namespace tac::train {
namespace {

constexpr const char* kFormat = "tac-tune-checkpoint/1";

io::TensorToWrite view_of(const std::string& name, const at::Tensor& t) {
  std::vector<std::int64_t> shape(t.sizes().begin(), t.sizes().end());
  return {name, io::DType::F32, shape,
          {reinterpret_cast<const std::uint8_t*>(t.data_ptr<float>()), static_cast<std::size_t>(t.numel()) * sizeof(float)}};
}

void restore(const io::Safetensors& file, const std::string& name, at::Tensor& into) {
  const auto* view = file.find(name);
  if (!view) fail(ErrorKind::corrupt_input, "{}: checkpoint lacks '{}'", file.source(), name);
  const std::vector<std::int64_t> shape(into.sizes().begin(), into.sizes().end());
  if (view->dtype != io::DType::F32 || view->shape != shape)
    fail(ErrorKind::corrupt_input, "{}: checkpoint tensor '{}' has another type or shape than the model's", file.source(), name);
  auto values = file.to_float32(*view);
  const at::Tensor host = at::from_blob(values.data(), into.sizes(), at::kFloat);
  into.copy_(host);  // onto the parameter's own device (the caller holds a NoGradGuard)
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, const GridAdam& adam, const CheckpointSettings& settings,
                     const std::vector<CheckpointState>& state) {
  std::vector<at::Tensor> keep;  // contiguous copies alive until written
  std::vector<io::TensorToWrite> tensors;
  for (const auto& p : adam.params)
    for (const auto& [suffix, t] : {std::pair<const char*, const at::Tensor*>{"", &p.value}, {".adam_m", &p.m}, {".adam_v", &p.v}}) {
      keep.push_back(t->detach().to(at::kCPU).contiguous());
      tensors.push_back(view_of(p.name + suffix, keep.back()));
    }
  for (const auto& s : state) {
    tensors.push_back({s.name, io::DType::F32, {static_cast<std::int64_t>(s.values->size())},
                       {reinterpret_cast<const std::uint8_t*>(s.values->data()), s.values->size() * sizeof(float)}});
  }
  auto metadata = settings;
  metadata["format"] = kFormat;
  metadata["step"] = std::to_string(adam.steps_taken);
  for (const auto& p : adam.params) metadata["steps:" + p.name] = std::to_string(p.steps);
  io::write_safetensors(path, tensors, metadata);
}

void load_checkpoint(const std::filesystem::path& path, GridAdam& adam, const CheckpointSettings& settings,
                     const std::vector<CheckpointState>& state) {
  const auto file = io::Safetensors::open(path);
  const auto& meta = file.metadata();
  const auto get = [&](const std::string& key) -> std::string {
    const auto it = meta.find(key);
    if (it == meta.end()) fail(ErrorKind::corrupt_input, "{}: checkpoint metadata lacks '{}'", path.string(), key);
    return it->second;
  };
  if (get("format") != kFormat) fail(ErrorKind::corrupt_input, "{}: not a {} file", path.string(), kFormat);
  for (const auto& [key, value] : settings)
    if (get(key) != value)
      fail(ErrorKind::usage, "{}: checkpoint was made with {} = {}, this run has {}: resume with the same settings", path.string(), key,
           get(key), value);
  const auto count = [&](const std::string& key) {
    std::int64_t n = 0;
    std::size_t used = 0;
    const std::string text = get(key);
    try {
      n = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size()) fail(ErrorKind::corrupt_input, "{}: checkpoint {} '{}' is not a number", path.string(), key, text);
    if (n < 0) fail(ErrorKind::corrupt_input, "{}: checkpoint {} {} is negative", path.string(), key, n);
    return n;
  };
  const std::int64_t step = count("step");
  std::vector<std::int64_t> param_steps;
  for (const auto& p : adam.params) {
    param_steps.push_back(count("steps:" + p.name));
    if (param_steps.back() > step)
      fail(ErrorKind::corrupt_input, "{}: checkpoint says '{}' took {} steps of {}", path.string(), p.name, param_steps.back(), step);
  }
  const c10::NoGradGuard no_grad;
  for (auto& p : adam.params) {
    restore(file, p.name, p.value);
    restore(file, p.name + ".adam_m", p.m);
    restore(file, p.name + ".adam_v", p.v);
  }
  for (std::size_t i = 0; i < adam.params.size(); ++i) adam.params[i].steps = param_steps[i];
  for (const auto& s : state) {
    const auto* view = file.find(s.name);
    if (!view) fail(ErrorKind::corrupt_input, "{}: checkpoint lacks '{}'", path.string(), s.name);
    if (view->dtype != io::DType::F32 || view->shape != std::vector<std::int64_t>{static_cast<std::int64_t>(s.values->size())})
      fail(ErrorKind::corrupt_input, "{}: checkpoint tensor '{}' has another type or shape than this run's", path.string(), s.name);
    *s.values = file.to_float32(*view);
  }
  adam.steps_taken = step;
}

}  // namespace tac::train
