// The golden model: TensorFlow Lite's reference integer kernels, re-derived, integer-only.
// The RTL is held to these functions bit for bit.
#pragma once

#include <string>
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

// ONNX Runtime's QLinearAveragePool after the window's float32 sum of dequantized taps
// (docs/onnx-runtime-arithmetic.md): clamp(rne(f32(f32(f32(sum / count) / out_scale) +
// f32(out_zp + offset))) - offset, act_min, act_max).
int32_t onnxruntime_pool_quantize(float sum, int count, float out_scale, int32_t out_zp,
                                  int32_t offset, int32_t act_min, int32_t act_max);

// The same pool as rtlgen_avgpool_float computes it: the sum in integers S (units of 2^exponent,
// in_scale = in_mant * 2^exponent, every float32 rounding of the sum done on S) and the
// quantization as a threshold search: result = act_min + #{k : S >= thresholds[k]}.
struct OnnxPoolThresholds {
  uint32_t in_mant = 0;  // float32 significand of the input scale with its hidden bit
  int exponent = 0;
  int sum_bits = 0;                 // signed width of S: 33 + ceil(log2(count + 1))
  std::vector<int64_t> thresholds;  // 256; [0] unused; 2^(sum_bits-1) = never reached
};
// in_scale must lie in [2^-100, 2^100] (no subnormal or infinite sums), count in 1..64.
OnnxPoolThresholds onnxruntime_pool_thresholds(float in_scale, int count, float out_scale,
                                               int32_t out_zp, int32_t offset, int32_t act_min,
                                               int32_t act_max);
// Float32 rounding of an integer (24 leading bits, half to even), as rtlgen_avgpool_float's r24.
int64_t round_to_float24(int64_t v);

// ONNX Runtime's QLinearAdd (com.microsoft, also a fused QDQ Add) on x86
// (docs/onnx-runtime-arithmetic.md): ra = f32(a_scale / c_scale), rb = f32(b_scale / c_scale),
// F = f32(c_zp - fma(ra, a_zp, f32(rb * b_zp))), y = sat(rne(fma(a, ra, fma(b, rb, F)))), all
// values (inputs, zero points, output) in the run type: + offset (128 for an int8 QDQ graph
// that ONNX Runtime runs as uint8), the output - offset afterwards.
struct OnnxAddRule {
  float ra = 0, rb = 0, fixed = 0;
  int32_t offset = 0, run_min = 0, run_max = 0;
};
OnnxAddRule onnxruntime_add_rule(const TensorQuant& a_q, const TensorQuant& b_q,
                                 const TensorQuant& out_q, int32_t offset);
int32_t onnxruntime_add(const OnnxAddRule& r, int32_t a, int32_t b);
// The same in integers, as rtlgen_add_float computes it: ra = a_mant * 2^ea, rb = b_mant * 2^eb,
// F = f_mant * 2^ef; inner = r24(b' * b_mant << sh_b + f_mant << sh_f), v = r24(a' * a_mant <<
// sh_a + inner << sh_i), y = rne(v / 2^k). ok = false (with why) when it does not apply.
struct OnnxAddHw {
  bool ok = false;
  std::string why;
  uint32_t a_mant = 0, b_mant = 0;
  int64_t f_mant = 0;
  int sh_a = 0, sh_b = 0, sh_f = 0, sh_i = 0, k = 0, width = 0;
};
OnnxAddHw onnxruntime_add_hw(const OnnxAddRule& r);
int32_t onnxruntime_add_integer(const OnnxAddRule& r, const OnnxAddHw& hw, int32_t a, int32_t b);

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
