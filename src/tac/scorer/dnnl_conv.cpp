#include "tac/scorer/dnnl_conv.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <mutex>
#include <tuple>

#include "tac/core/error.hpp"

namespace tac::scorer {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

}  // namespace

struct DnnlConv::Impl {
  std::vector<float> weights, bias;
  memory::dims weight_dims;
  Tag weight_tag = Tag::oihw;
  struct Compiled {
    dnnl::convolution_forward conv;
    memory::desc src_md, dst_md;
    memory weights, bias;
  };
  mutable std::mutex mutex;
  mutable std::map<std::tuple<std::int64_t, int, int>, std::shared_ptr<Compiled>> cache;

  std::shared_ptr<Compiled> compile(const DnnlConvSpec& s, std::int64_t batch, int h, int w) const {
    const int oh = (h + s.top() + s.bottom() - s.kernel) / s.stride + 1;
    const int ow = (w + s.left() + s.right() - s.kernel) / s.stride + 1;
    auto c = std::make_shared<Compiled>();
    c->src_md = memory::desc({batch, s.in_channels, h, w}, kF32, Tag::nhwc);
    c->dst_md = memory::desc({batch, s.out_channels, oh, ow}, kF32, Tag::nhwc);
    const memory::desc w_any(weight_dims, kF32, Tag::any);
    const memory::desc b_md({s.out_channels}, kF32, Tag::x);
    const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                               c->src_md, w_any, b_md, c->dst_md, {s.stride, s.stride},
                                               {s.top(), s.left()}, {s.bottom(), s.right()});
    dnnl::post_ops ops;
    if (s.add_residual && s.residual_before_activation) ops.append_binary(dnnl::algorithm::binary_add, c->dst_md);
    switch (s.activation) {
      case ConvActivation::None: break;
      case ConvActivation::Relu: ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f); break;
      case ConvActivation::Silu: ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_swish, 1.0f, 0.0f); break;
      case ConvActivation::GeluTanh: ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_tanh, 0.0f, 0.0f); break;
    }
    if (s.add_residual && !s.residual_before_activation) ops.append_binary(dnnl::algorithm::binary_add, c->dst_md);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    const dnnl::convolution_forward::primitive_desc pd(desc, attr, cpu_engine());
    c->conv = dnnl::convolution_forward(pd);
    dnnl::stream stream(cpu_engine());
    memory user_w({weight_dims, kF32, weight_tag}, cpu_engine(), const_cast<float*>(weights.data()));
    c->weights = memory(pd.weights_desc(), cpu_engine());
    dnnl::reorder(user_w, c->weights).execute(stream, user_w, c->weights);
    c->bias = memory(b_md, cpu_engine());
    std::copy(bias.begin(), bias.end(), static_cast<float*>(c->bias.get_data_handle()));
    stream.wait();
    return c;
  }
};

DnnlConv::DnnlConv(const DnnlConvSpec& spec, const float* weights, const float* bias)
    : spec_(spec), impl_(std::make_unique<Impl>()) {
  const std::int64_t per_group = spec.in_channels / spec.groups;
  const std::size_t n = static_cast<std::size_t>(spec.out_channels * per_group * spec.kernel * spec.kernel);
  impl_->weights.assign(weights, weights + n);
  impl_->bias.assign(bias, bias + spec.out_channels);
  if (spec.groups == 1) {
    impl_->weight_dims = {spec.out_channels, spec.in_channels, spec.kernel, spec.kernel};
    impl_->weight_tag = Tag::oihw;
  } else {
    impl_->weight_dims = {spec.groups, spec.out_channels / spec.groups, per_group, spec.kernel, spec.kernel};
    impl_->weight_tag = Tag::goihw;
  }
}

DnnlConv::~DnnlConv() = default;

void DnnlConv::run(std::int64_t batch, int h, int w, const float* src, float* dst, const float* residual) const {
  std::shared_ptr<Impl::Compiled> c;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto& slot = impl_->cache[{batch, h, w}];
    if (!slot) slot = impl_->compile(spec_, batch, h, w);
    c = slot;
  }
  const dnnl::engine& engine = cpu_engine();
  memory src_mem(c->src_md, engine, const_cast<float*>(src));
  memory dst_mem(c->dst_md, engine, dst);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src_mem},
                                       {DNNL_ARG_WEIGHTS, c->weights},
                                       {DNNL_ARG_BIAS, c->bias},
                                       {DNNL_ARG_DST, dst_mem}};
  if (spec_.add_residual) {
    if (residual == nullptr) fail(ErrorKind::internal, "DnnlConv: residual input missing");
    const int index = spec_.activation == ConvActivation::None || spec_.residual_before_activation ? 0 : 1;
    args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1,
                 memory(c->dst_md, engine, const_cast<float*>(residual)));
  }
  dnnl::stream stream(engine);
  c->conv.execute(stream, args);
  stream.wait();
}

bool dnnl_available() { return true; }

}  // namespace tac::scorer
