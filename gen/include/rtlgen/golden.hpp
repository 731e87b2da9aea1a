// The golden model: TensorFlow Lite's reference integer kernels, re-derived, integer-only.
// The RTL is held to these functions bit for bit.
#pragma once

#include <vector>

#include "rtlgen/ir.hpp"
#include "rtlgen/tensor.hpp"

namespace rtlgen::golden {

// Requantization epilogue shared by CONV/DEPTHWISE/FC: bias, MBQM, zero point, clamp.
int32_t requantize(int32_t acc, int32_t bias, QuantizedMultiplier qm, int32_t out_zp,
                   int32_t act_min, int32_t act_max, bool single_rounding = false);

// ONNX Runtime's requantization (RequantMode::OnnxRuntimeFloat, docs/onnx-runtime-arithmetic.md):
// clamp(round_half_even(float32(acc + bias) * scale) + zero point).
int32_t requantize_onnxruntime(int32_t acc, int32_t bias, float scale, int32_t out_zp,
                               int32_t act_min, int32_t act_max);

Tensor conv2d(const Layer& l, const Tensor& in, const TensorQuant& in_q);
Tensor depthwise_conv2d(const Layer& l, const Tensor& in, const TensorQuant& in_q);
Tensor fully_connected(const Layer& l, const Tensor& in, const TensorQuant& in_q);
Tensor average_pool2d(const Layer& l, const Tensor& in, const TensorQuant& in_q);
Tensor max_pool2d(const Layer& l, const Tensor& in);
Tensor mean(const Layer& l, const Tensor& in);
Tensor add(const Layer& l, const Tensor& a, const TensorQuant& a_q, const Tensor& b,
           const TensorQuant& b_q);
Tensor pad(const Layer& l, const Tensor& in);
Tensor reshape(const Layer& l, const Tensor& in);
Tensor softmax(const Layer& l, const Tensor& in);

// Runs one layer given the tensors computed so far (input first, then layers in order).
Tensor run_layer(const Network& net, const Layer& l, const std::vector<const Tensor*>& inputs);

// Runs the whole network; returns one output tensor per layer, in layer order.
std::vector<Tensor> run_network(const Network& net, const Tensor& input);

}  // namespace rtlgen::golden
