#include "rtlgen/passes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/op.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/scale_shift.hpp"

namespace rtlgen {
namespace {

int bits_for_signed(int64_t max_abs) {
  int bits = 1;
  while ((int64_t(1) << (bits - 1)) - 1 < max_abs) ++bits;
  return bits;
}

}  // namespace

void validate_graph(Network& net) {
  for (size_t i = 0; i < net.layers.size(); ++i) {
    Layer& l = net.layers[i];
    for (const auto& in : l.inputs) {
      bool earlier = in == net.input.name;
      for (size_t j = 0; j < i && !earlier; ++j) earlier = net.layers[j].name == in;
      if (!earlier)
        fail(l, fmt::format("input '{}' is not the network input or an earlier layer", in));
    }
    const TensorQuant in_q = net.quant_of(l.inputs[0]);
    // An op that passes its input's values through keeps their quantization, unless it may
    // rescale them and the layer asks it to (an average pool under ONNX Runtime's rule).
    const OpDef& def = op_def(l.op);
    const bool rescaled =
        def.takes_requantization_mode() && l.requant_mode == RequantMode::OnnxRuntimeFloat;
    if (def.passes_values_through() && !rescaled &&
        (l.out_quant.dtype != in_q.dtype || l.out_quant.scale != in_q.scale ||
         l.out_quant.zero_point != in_q.zero_point))
      fail(l, "output quantization must equal the input's (TFLite requires it for this op)");
    const bool scale_shift = l.requant_mode == RequantMode::ScaleShift;
    if (!def.sets_output_dtype() && !scale_shift && l.out_quant.dtype != in_q.dtype)
      fail(l, fmt::format("output dtype {} differs from input dtype {}; mixed uint8/int8 "
                          "networks are not supported",
                          to_string(l.out_quant.dtype), to_string(in_q.dtype)));
    def.check_quantization(net, l);  // the op's own
    if (has_weights(l.op) && !scale_shift) {
      if (l.weight_dtype == DType::Int8 && l.weight_zero_point != 0)
        fail(l, "int8 weights must be symmetric (weight_zero_point 0), as TFLite requires");
      if (l.weight_dtype == DType::UInt8 && in_q.dtype != DType::UInt8)
        fail(l, "uint8 weights need a uint8 input tensor");
    }
    if (l.dilation_h != 1 || l.dilation_w != 1) fail(l, "dilation other than 1 is not supported");
  }
}

void infer_shapes(Network& net) {
  if (net.input.shape.elements() > kMaxTensorElements)
    throw Error(net.input.loc,
                fmt::format("input '{}' {} has {} elements; every tensor is limited to 2^26 = {} "
                            "elements",
                            net.input.name, net.input.shape.str(), net.input.shape.elements(),
                            kMaxTensorElements));
  for (Layer& l : net.layers) {
    const Shape out = op_def(l.op).output_shape(net, l);  // the op's shape rule
    if (out.h <= 0 || out.w <= 0) fail(l, "output would be empty");
    if (out.elements() > kMaxTensorElements)
      fail(l, fmt::format("output {} has {} elements; every tensor is limited to 2^26 = {} "
                          "elements (the golden model holds each in memory)",
                          out.str(), out.elements(), kMaxTensorElements));
    l.out_shape = out;
  }
}

void activation_range(Activation act, const TensorQuant& q, int32_t* act_min, int32_t* act_max) {
  const int32_t lo = qmin(q.dtype), hi = qmax(q.dtype);
  auto quantize = [&](float f) {
    return q.zero_point + static_cast<int32_t>(std::round(f / q.scale));
  };
  *act_min = lo;
  *act_max = hi;
  switch (act) {
    case Activation::None:
      break;
    case Activation::Relu:
      *act_min = std::max(lo, quantize(0.0f));
      break;
    case Activation::Relu6:
      *act_min = std::max(lo, quantize(0.0f));
      *act_max = std::min(hi, quantize(6.0f));
      break;
    case Activation::ReluN1To1:
      *act_min = std::max(lo, quantize(-1.0f));
      *act_max = std::min(hi, quantize(1.0f));
      break;
  }
}

void derive_quantization(Network& net) {
  for (Layer& l : net.layers) {
    activation_range(l.activation, l.out_quant, &l.act_min, &l.act_max);
    l.requant.clear();
    if (l.requant_mode == RequantMode::ScaleShift) continue;  // analyze_scale_shift
    op_def(l.op).derive_quantization(net, l);                 // the op table's
  }
}

void analyze_accumulators(Network& net) {
  for (Layer& l : net.layers) {
    if (l.requant_mode == RequantMode::ScaleShift) continue;       // sized by analyze_scale_shift
    const int64_t worst = op_def(l.op).accumulator_bound(net, l);  // 0: no accumulator
    l.acc_bits = worst > 0 ? bits_for_signed(worst) : 0;
  }
}

void check_folding(Network& net) {
  for (Layer& l : net.layers) {
    if (has_weights(l.op)) {  // unset: 1 (pooling's 0 follows the input stream, the planner's)
      if (l.folding.pe == 0) l.folding.pe = 1;
      if (l.folding.simd == 0) l.folding.simd = 1;
    }
    op_def(l.op).check_folding(net, l);  // the op's own rule
  }
}

void prepare_network(Network& net) {
  validate_graph(net);
  infer_shapes(net);
  derive_quantization(net);
  analyze_scale_shift(net);
  analyze_accumulators(net);
  check_folding(net);
}

}  // namespace rtlgen
