// What TFLite's three weighted kernels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) share: the
// requantization multiplier of an output channel from the scales, and the constants derived from
// it (WeightedOp, the base of their entries in ops/mvu.cpp and ops/depthwise.cpp).
// quant_checks.cpp refuses scales with the same formula.
#include <fmt/format.h>

#include <cmath>

#include "ops/op.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/fixed_point.hpp"

namespace rtlgen {

double weighted_multiplier(const Layer& l, const TensorQuant& in, size_t c, bool* float_overflow) {
  const bool per_channel = l.weight_scales.size() > 1;
  const float ws = l.weight_scales[per_channel ? c : 0];
  // TFLite: per-channel (and int8 conv/depthwise) form m in double; the legacy per-tensor path
  // (uint8, per-tensor FULLY_CONNECTED) multiplies the scales in float32 first.
  const bool float_product =
      !per_channel && (in.dtype == DType::UInt8 || l.op == OpKind::FullyConnected);
  if (float_product) {
    const float p = in.scale * ws;
    if (float_overflow) *float_overflow = !std::isfinite(p);
    return static_cast<double>(p) / double(l.out_quant.scale);
  }
  if (float_overflow) *float_overflow = false;
  return double(in.scale) * double(ws) / double(l.out_quant.scale);
}

void WeightedOp::derive_quantization(const Network& net, Layer& l) const {
  const TensorQuant in_q = net.quant_of(l.inputs[0]);
  const int oc = output_channels(l);
  const bool per_channel = l.weight_scales.size() > 1;
  if (per_channel && int(l.weight_scales.size()) != oc)
    fail(l, fmt::format("{} weight scales for {} output channels", l.weight_scales.size(), oc));
  // The reference interpreter's int8 FULLY_CONNECTED rounds once (probed bit-exactly,
  // tools/PROBE_FINDINGS.md (e)); convolutions and the uint8 kernels round twice.
  l.single_rounding = l.op == OpKind::FullyConnected && in_q.dtype == DType::Int8;
  for (int c = 0; c < oc; ++c)
    l.requant.push_back(quantize_multiplier(weighted_multiplier(l, in_q, size_t(c))));
  l.float_scale.clear();
  if (l.requant_mode == RequantMode::OnnxRuntimeFloat)
    for (int c = 0; c < oc; ++c)  // ONNX Runtime: (x_scale * w_scale) / y_scale in float32
      l.float_scale.push_back((in_q.scale * l.weight_scales[per_channel ? c : 0]) /
                              l.out_quant.scale);
}

}  // namespace rtlgen
