// SOFTMAX: the one op that stays in software (after the hardware's output stream, as the
// network's last layer). Its entry owns its YAML key (beta), its fixed output quantization, its
// shape rule, TFLite's input multiplier and diff_min, and the dispatch to its golden kernel
// (golden/golden_softmax.cpp); the planner leaves it out of the hardware (`in_software`).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "frontends/yaml/layer_keys.hpp"
#include "ops/op.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/fixed_point.hpp"
#include "rtlgen/golden.hpp"

namespace rtlgen {
namespace {

class SoftmaxOp : public OpDef {
 public:
  std::vector<const char*> yaml_keys() const override { return {"beta"}; }
  void read_yaml(const yaml::LayerKeysIn& in, Layer& l) const override {
    if (!in.has("beta")) return;
    l.softmax_beta = in.number("beta", "a number");
    if (!(l.softmax_beta > 0) || !std::isfinite(l.softmax_beta))
      in.fail("beta", "beta must be positive and finite");
  }
  void write_yaml(yaml::LayerKeysOut& out, const Layer& l) const override {
    out.number("beta", l.softmax_beta);
  }
  bool sets_output_dtype() const override { return true; }
  // TFLite's fixed output quantization: scale 1/256, the dtype's lowest value as zero point.
  void check_quantization(const Network& /*net*/, const Layer& l) const override {
    const bool u8 = l.out_quant.dtype == DType::UInt8;
    if (l.out_quant.scale != 1.0f / 256 || l.out_quant.zero_point != (u8 ? 0 : -128))
      fail(l, fmt::format("softmax output must have scale 1/256 and zero point {} (TFLite's "
                          "fixed output quantization)",
                          u8 ? 0 : -128));
  }
  Shape output_shape(const Network& net, Layer& l) const override {
    return net.shape_of(l.inputs[0]);  // one probability per input value
  }
  // TFLite's input multiplier (beta times the input scale, 5 integer bits) and diff_min.
  void derive_quantization(const Network& net, Layer& l) const override {
    const TensorQuant in_q = net.quant_of(l.inputs[0]);
    constexpr int kScaledDiffIntegerBits = 5;
    l.softmax.beta = l.softmax_beta;
    const double real = std::min<double>(
        double(l.softmax_beta) * double(in_q.scale) * double(1 << (31 - kScaledDiffIntegerBits)),
        double((1LL << 31) - 1));
    const QuantizedMultiplier qm = quantize_multiplier(real);
    if (qm.shift < 0) fail(l, "softmax input scale too small (multiplier below one)");
    l.softmax.input_multiplier = qm.multiplier;
    l.softmax.input_left_shift = qm.shift;
    const double radius = double((1 << kScaledDiffIntegerBits) - 1) *
                          double(1LL << (31 - kScaledDiffIntegerBits)) / double(1LL << qm.shift);
    l.softmax.diff_min = -static_cast<int32_t>(std::floor(radius));
  }
  Tensor golden(const Network& /*net*/, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::softmax(l, *in[0]);
  }
  bool in_software() const override { return true; }
  void lower(plan::PlanBuilder& /*b*/, const Layer& l) const override {
    fail(l, "internal: softmax has no hardware (the planner leaves it to software)");
  }
};

}  // namespace

const OpDef& softmax_op() { return the_op<SoftmaxOp>(); }

}  // namespace rtlgen
