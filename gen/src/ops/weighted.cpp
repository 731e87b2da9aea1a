// What TFLite's three weighted kernels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) share: the
// requantization multiplier of an output channel from the scales, and the constants derived from
// it (WeightedOp, the base of their entries in ops/mvu.cpp and ops/depthwise.cpp).
// Its scale_problem refuses scales with the same formula.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

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

std::string WeightedOp::scale_problem(const Layer& l, const TensorQuant& in,
                                      const TensorQuant& /*second_in*/) const {
  for (size_t c = 0; c < l.weight_scales.size(); ++c) {
    bool float_overflow = false;
    const double m = weighted_multiplier(l, in, c, &float_overflow);
    if (float_overflow || !(m < kTwoTo31))
      return fmt::format(
          "requantization multiplier of output channel {} (input scale {:.9g} x weight scale "
          "{:.9g} / output scale {:.9g}) is 2^31 or more: no int32 result is representable; "
          "check the scales",
          c, in.scale, l.weight_scales[c], l.out_quant.scale);
  }
  return "";
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

// The worst |sum (x - zx)(w - zw)| of an output channel (+ |bias| and times the requantization
// left shift: TFLite's and the hardware's int32 accumulator).
int64_t WeightedOp::accumulator_bound(const Network& net, const Layer& l) const {
  const TensorQuant in_q = net.quant_of(l.inputs[0]);
  const int64_t max_x = std::max(in_q.zero_point - qmin(in_q), qmax(in_q) - in_q.zero_point);
  int64_t worst = 0;
  const int oc = output_channels(l);
  const int mw = vector_length(net, l);
  std::vector<int64_t> sum_abs_w(oc, 0);
  for (size_t i = 0; i < l.weights.size(); ++i) {
    const int c = l.op == OpKind::DepthwiseConv2D ? int(i % oc) : int(i / mw);
    sum_abs_w[c] += std::abs(int64_t(l.weights[i]) - l.weight_zero_point);
  }
  int64_t worst_with_bias = 0;
  for (int c = 0; c < oc; ++c) {
    const int64_t dot = sum_abs_w[c] * max_x;
    worst = std::max(worst, dot);
    worst_with_bias = std::max(worst_with_bias, dot + std::abs(int64_t(l.bias[c])));
    if (dot + std::abs(int64_t(l.bias[c])) > INT32_MAX)
      fail(l, fmt::format("output channel {}: worst-case accumulator {} overflows int32 "
                          "(vector length {}); split the layer or reduce weight magnitudes",
                          c, dot + std::abs(int64_t(l.bias[c])), mw));
    const bool no_shift = l.requant_mode == RequantMode::OnnxRuntimeFloat;  // float scale
    const int left = no_shift ? 0 : std::max(0, l.requant[c].shift);
    if ((dot + std::abs(int64_t(l.bias[c]))) * (int64_t(1) << left) > INT32_MAX)
      fail(l, fmt::format("output channel {}: accumulator + bias (up to {}) times the "
                          "requantization left shift 2^{} could overflow int32; reduce the "
                          "weight range or the output scale",
                          c, dot + std::abs(int64_t(l.bias[c])), left));
  }
  if (worst_with_bias > INT32_MAX)
    fail(l, fmt::format("worst-case accumulator {} overflows int32 (vector length {}); split "
                        "the layer or reduce weight magnitudes",
                        worst_with_bias, mw));
  return worst;
}

}  // namespace rtlgen
