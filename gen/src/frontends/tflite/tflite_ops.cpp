// The mappers of the .tflite operators rtlgen lowers (see tflite_lowering.hpp): each checks its
// operator against what the IR and the hardware can take and adds the layer.
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "frontends/tflite/tflite_lowering.hpp"

namespace rtlgen {
namespace tflite {

void Lowering::map_conv(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 2, 3);
  const tfl::Options* o = m_.options(k, tfl::builtin_options::Conv2DOptions, "Conv2DOptions", true);
  Layer L;
  L.op = OpKind::Conv2D;
  L.padding = m_.padding_of(k, o->i8(0, 0));
  L.stride_w = o->i32(1, 0);
  L.stride_h = o->i32(2, 0);
  L.activation = m_.fused_act(k, o->i8(3, 0));
  L.dilation_w = o->i32(4, 1);
  L.dilation_h = o->i32(5, 1);
  if (L.dilation_h != 1 || L.dilation_w != 1)
    m_.op_fail(k,
               fmt::format("dilation {}x{} is not supported (only 1)", L.dilation_h, L.dilation_w));
  const int x = in[0], w = in[1], b = in.size() > 2 ? in[2] : -1, y = out[0];
  int p = act_input(k, x, "input");
  Shape is = m_.hwc4(k, x, "input"), os = m_.hwc4(k, y, "output");
  const auto& ws = m_.tensor(w).shape;
  if (ws.size() != 4)
    m_.op_fail(k, fmt::format("weights {} must be [O, KH, KW, I], have shape {}", m_.tname(w),
                              shape_str(ws)));
  if (ws[3] != is.c)
    m_.op_fail(k, fmt::format("weights {} have {} input channels but the input has {} (grouped "
                              "convolution is not supported)",
                              m_.tname(w), ws[3], is.c));
  if (ws[0] != os.c)
    m_.op_fail(k, fmt::format("weights {} have {} output channels but the output has {}",
                              m_.tname(w), ws[0], os.c));
  L.kernel_h = ws[1];
  L.kernel_w = ws[2];
  m_.check_out_size(k, "height", is.h, L.kernel_h, L.stride_h, L.padding, os.h);
  m_.check_out_size(k, "width", is.w, L.kernel_w, L.stride_w, L.padding, os.w);
  load_weights(k, L, w, b, x, os.c, 0);
  add_layer(std::move(L), {p}, y, k);
}

void Lowering::map_depthwise(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 2, 3);
  const tfl::Options* o =
      m_.options(k, tfl::builtin_options::DepthwiseConv2DOptions, "DepthwiseConv2DOptions", true);
  Layer L;
  L.op = OpKind::DepthwiseConv2D;
  L.padding = m_.padding_of(k, o->i8(0, 0));
  L.stride_w = o->i32(1, 0);
  L.stride_h = o->i32(2, 0);
  const int opt_dm = o->i32(3, 0);
  L.activation = m_.fused_act(k, o->i8(4, 0));
  L.dilation_w = o->i32(5, 1);
  L.dilation_h = o->i32(6, 1);
  if (L.dilation_h != 1 || L.dilation_w != 1)
    m_.op_fail(k,
               fmt::format("dilation {}x{} is not supported (only 1)", L.dilation_h, L.dilation_w));
  const int x = in[0], w = in[1], b = in.size() > 2 ? in[2] : -1, y = out[0];
  int p = act_input(k, x, "input");
  Shape is = m_.hwc4(k, x, "input"), os = m_.hwc4(k, y, "output");
  const auto& ws = m_.tensor(w).shape;
  if (ws.size() != 4 || ws[0] != 1)
    m_.op_fail(k, fmt::format("weights {} must be [1, KH, KW, C*DM], have shape {}", m_.tname(w),
                              shape_str(ws)));
  if (ws[3] != os.c || os.c % is.c != 0)
    m_.op_fail(k, fmt::format("weights {} have {} channels; the input has {} and the output {} "
                              "(output channels must be input channels x depth multiplier)",
                              m_.tname(w), ws[3], is.c, os.c));
  L.depth_multiplier = os.c / is.c;
  if (opt_dm != 0 && opt_dm != L.depth_multiplier)
    m_.op_fail(k, fmt::format("depth_multiplier option {} disagrees with the shapes ({} -> {} "
                              "channels)",
                              opt_dm, is.c, os.c));
  L.kernel_h = ws[1];
  L.kernel_w = ws[2];
  m_.check_out_size(k, "height", is.h, L.kernel_h, L.stride_h, L.padding, os.h);
  m_.check_out_size(k, "width", is.w, L.kernel_w, L.stride_w, L.padding, os.w);
  load_weights(k, L, w, b, x, os.c, 3);
  add_layer(std::move(L), {p}, y, k);
}

void Lowering::map_fully_connected(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 2, 3);
  const tfl::Options* o =
      m_.options(k, tfl::builtin_options::FullyConnectedOptions, "FullyConnectedOptions", false);
  Layer L;
  L.op = OpKind::FullyConnected;
  L.activation = m_.fused_act(k, o ? o->i8(0, 0) : 0);
  if (o && o->i8(1, 0) != 0)
    m_.op_fail(k, "shuffled weights format is not supported (only DEFAULT)");
  const int x = in[0], w = in[1], b = in.size() > 2 ? in[2] : -1, y = out[0];
  int p = act_input(k, x, "input");
  Shape is = m_.hwc(k, x, "input");
  const auto& ws = m_.tensor(w).shape;
  if (ws.size() != 2)
    m_.op_fail(k,
               fmt::format("weights {} must be [O, I], have shape {}", m_.tname(w), shape_str(ws)));
  if (int64_t(ws[1]) != is.elements())
    m_.op_fail(k, fmt::format("weights {} expect {} inputs but the input {} has {} elements "
                              "(batch must be 1)",
                              m_.tname(w), ws[1], m_.tname(x), is.elements()));
  if (m_.tensor(y).elements() != ws[0])
    m_.op_fail(k, fmt::format("output {} has shape {}, expected {} elements", m_.tname(y),
                              shape_str(m_.tensor(y).shape), ws[0]));
  load_weights(k, L, w, b, x, ws[0], 0);
  add_layer(std::move(L), {p}, y, k);
  pending_.back().layer.out_shape = Shape{1, 1, ws[0]};
}

void Lowering::map_pool(int k, OpKind kind) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 1, 1);
  const tfl::Options* o = m_.options(k, tfl::builtin_options::Pool2DOptions, "Pool2DOptions", true);
  Layer L;
  L.op = kind;
  L.padding = m_.padding_of(k, o->i8(0, 0));
  L.stride_w = o->i32(1, 0);
  L.stride_h = o->i32(2, 0);
  L.kernel_w = o->i32(3, 0);
  L.kernel_h = o->i32(4, 0);
  L.activation = m_.fused_act(k, o->i8(5, 0));
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = m_.hwc4(k, x, "input"), os = m_.hwc4(k, y, "output");
  if (is.c != os.c) m_.op_fail(k, fmt::format("input has {} channels, output {}", is.c, os.c));
  m_.check_out_size(k, "height", is.h, L.kernel_h, L.stride_h, L.padding, os.h);
  m_.check_out_size(k, "width", is.w, L.kernel_w, L.stride_w, L.padding, os.w);
  m_.same_quant(k, x, y);
  add_layer(std::move(L), {p}, y, k);
}

void Lowering::map_mean(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 2, 2);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = m_.hwc4(k, x, "input");
  std::set<int64_t> axes;
  for (int64_t a : m_.const_ints(k, in[1], "axes")) axes.insert(a < 0 ? a + 4 : a);
  if (axes != std::set<int64_t>{1, 2})
    unsupported(k, fmt::format("MEAN is only supported over axes (1, 2) of an NHWC tensor; "
                               "this one reduces axes {}",
                               fmt::join(m_.const_ints(k, in[1], "axes"), ", ")));
  if (m_.tensor(y).elements() != is.c)
    m_.op_fail(k, fmt::format("output {} has shape {}, expected {} elements", m_.tname(y),
                              shape_str(m_.tensor(y).shape), is.c));
  Layer L;
  L.op = OpKind::Mean;
  add_layer(std::move(L), {p}, y, k);
  pending_.back().layer.out_shape = Shape{1, 1, is.c};
}

void Lowering::map_add(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 2, 2);
  const tfl::Options* o = m_.options(k, tfl::builtin_options::AddOptions, "AddOptions", false);
  Layer L;
  L.op = OpKind::Add;
  L.activation = m_.fused_act(k, o ? o->i8(0, 0) : 0);
  const int a = in[0], b = in[1], y = out[0];
  int pa = act_input(k, a, "first input");
  int pb = act_input(k, b, "second input");
  const auto &sa = m_.tensor(a).shape, &sb = m_.tensor(b).shape, &sy = m_.tensor(y).shape;
  if (sa != sb || sa != sy)
    m_.op_fail(k, fmt::format("input shapes {} and {} (output {}) differ; broadcasting ADD is not "
                              "supported",
                              shape_str(sa), shape_str(sb), shape_str(sy)));
  m_.hwc(k, a, "first input");
  m_.act_quant(k, a, "first input");
  m_.act_quant(k, b, "second input");
  add_layer(std::move(L), {pa, pb}, y, k);
}

// CONCATENATION along the channels (axis 3 / -1 of NHWC). TFLite's int8 kernel requires every
// input to have the output's scale and zero point (its Prepare refuses otherwise); its uint8
// kernel requantizes an input quantized otherwise (golden::tflite_concat_table; in hardware
// rtlgen_remap before the join).
void Lowering::map_concat(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  if (in.size() < 2) m_.op_fail(k, fmt::format("expected 2 or more inputs, found {}", in.size()));
  m_.expect_io(k, in, out, in.size(), in.size());
  const tfl::Options* o =
      m_.options(k, tfl::builtin_options::ConcatenationOptions, "ConcatenationOptions", true);
  const int y = out[0];
  const auto& sy = m_.tensor(y).shape;
  const int32_t axis = o->i32(0, 0);
  if (axis != int32_t(sy.size()) - 1 && axis != -1)
    unsupported(k, fmt::format("CONCATENATION along axis {} of a rank-{} tensor: rtlgen "
                               "concatenates the channels only (the last axis)",
                               axis, sy.size()));
  if (o->i8(1, 0) != tfl::activation::NONE)
    m_.op_fail(k, "a fused activation on CONCATENATION is refused (TFLite's kernel does too)");
  Layer L;
  L.op = OpKind::Concat;
  std::vector<int> producers;
  const TensorQuant qy = m_.act_quant(k, y, "output");
  for (size_t j = 0; j < in.size(); ++j) {
    const std::string role = fmt::format("input {}", j);
    producers.push_back(act_input(k, in[j], role.c_str()));
    m_.hwc(k, in[j], role.c_str());
    const TensorQuant q = m_.act_quant(k, in[j], role.c_str());
    const bool same = q.scale == qy.scale && q.zero_point == qy.zero_point;
    if (q.dtype != qy.dtype || (!same && qy.dtype != DType::UInt8))
      m_.op_fail(k,
                 fmt::format("input {} {} (scale {:.9g}, zero point {}) and the output (scale "
                             "{:.9g}, zero point {}) are quantized differently; TFLite's int8 "
                             "CONCATENATION requires them equal (its kernel refuses the model), "
                             "only the uint8 one requantizes",
                             j, m_.tname(in[j]), q.scale, q.zero_point, qy.scale, qy.zero_point));
  }
  add_layer(std::move(L), producers, y, k);
}

void Lowering::map_pad(int k, bool v2) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 2, v2 ? 3 : 2);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = m_.hwc4(k, x, "input"), os = m_.hwc4(k, y, "output");
  std::vector<int64_t> pads = m_.const_ints(k, in[1], "paddings");
  if (pads.size() != 8)
    m_.op_fail(k, fmt::format("paddings {} must be [4, 2] for a rank-4 input, has shape {}",
                              m_.tname(in[1]), shape_str(m_.tensor(in[1]).shape)));
  for (int64_t v : pads)
    if (v < 0 || v > 65536) m_.op_fail(k, fmt::format("padding amount {} is not supported", v));
  if (pads[0] || pads[1] || pads[6] || pads[7])
    unsupported(k, fmt::format("only H/W padding is supported; this pads batch by [{}, {}] and "
                               "channels by [{}, {}]",
                               pads[0], pads[1], pads[6], pads[7]));
  m_.same_quant(k, x, y);
  if (v2 && in.size() > 2 && in[2] >= 0) {
    const TensorInfo& C = m_.tensor(in[2]);
    TensorQuant q = m_.act_quant(k, y, "output");
    if (!C.is_const() || C.data_size != 1 ||
        C.type != (q.dtype == DType::UInt8 ? tfl::tensor_type::UINT8 : tfl::tensor_type::INT8))
      m_.op_fail(k, fmt::format("constant_values {} must be a single {} constant", m_.tname(in[2]),
                                to_string(q.dtype)));
    int32_t cv = q.dtype == DType::UInt8 ? int32_t(C.data[0]) : int32_t(int8_t(C.data[0]));
    if (cv != q.zero_point)
      unsupported(k, fmt::format("PADV2 pads with {}, but rtlgen pads only with the output "
                                 "zero point {}",
                                 cv, q.zero_point));
  }
  Layer L;
  L.op = OpKind::Pad;
  L.pads.top = int(pads[2]);
  L.pads.bottom = int(pads[3]);
  L.pads.left = int(pads[4]);
  L.pads.right = int(pads[5]);
  if (os.h != int64_t(is.h) + L.pads.top + L.pads.bottom ||
      os.w != int64_t(is.w) + L.pads.left + L.pads.right || os.c != is.c)
    m_.op_fail(k, fmt::format("output shape {} does not match input {} plus paddings", os.str(),
                              is.str()));
  add_layer(std::move(L), {p}, y, k);
}

void Lowering::map_reshape(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 1, 2);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = m_.hwc(k, x, "input"), os = m_.hwc(k, y, "output");
  if (is.elements() != os.elements())
    m_.op_fail(k, fmt::format("input has {} elements, output {}", is.elements(), os.elements()));
  m_.same_quant(k, x, y);
  Layer L;
  L.op = OpKind::Reshape;
  L.reshape_to = os;
  add_layer(std::move(L), {p}, y, k);
}

void Lowering::map_softmax(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 1, 1);
  const tfl::Options* o =
      m_.options(k, tfl::builtin_options::SoftmaxOptions, "SoftmaxOptions", false);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  Shape is = m_.hwc(k, x, "input"), os = m_.hwc(k, y, "output");
  if (is != os) m_.op_fail(k, fmt::format("input shape {} != output shape {}", is.str(), os.str()));
  TensorQuant q = m_.act_quant(k, y, "output");
  const int32_t want_zp = q.dtype == DType::UInt8 ? 0 : -128;
  if (q.scale != 1.0f / 256.0f || q.zero_point != want_zp)
    m_.op_fail(k, fmt::format("output quantization must be scale 1/256 zero point {} for {}, is "
                              "scale {:.9g} zero point {}",
                              want_zp, to_string(q.dtype), q.scale, q.zero_point));
  Layer L;
  L.op = OpKind::Softmax;
  L.softmax_beta = o ? o->f32(0, 0.0f) : 0.0f;  // schema default when absent
  if (!std::isfinite(L.softmax_beta) || !(L.softmax_beta > 0.0f))
    m_.op_fail(k, fmt::format("softmax beta {} must be positive and finite", L.softmax_beta));
  add_layer(std::move(L), {p}, y, k);
}

// Standalone RELU / RELU6 / RELU_N1_TO_1: folded into the producing layer's fused activation.
void Lowering::map_relu(int k, Activation a) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 1, 1);
  const int x = in[0], y = out[0];
  int p = act_input(k, x, "input");
  auto refuse = [&](const std::string& why) {
    unsupported(k,
                "a standalone activation is supported only when it can be fused into the "
                "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD or pool that produces its "
                "input, with identical quantization and no other consumer; " +
                    why);
  };
  if (p < 0) refuse("here the input is the network input");
  Pending& P = pending_[size_t(p)];
  const OpKind pk = P.layer.op;
  if (!(has_weights(pk) || pk == OpKind::Add || pk == OpKind::AveragePool2D ||
        pk == OpKind::MaxPool2D))
    refuse(fmt::format("here the producer is a {} layer", to_string(pk)));
  if (m_.consumers(x) != 1)
    refuse(fmt::format("here {} has {} consumers", m_.tname(x), m_.consumers(x)));
  TensorQuant qi = m_.act_quant(k, x, "input"), qo = m_.act_quant(k, y, "output");
  if (qi.dtype != qo.dtype || qi.scale != qo.scale || qi.zero_point != qo.zero_point)
    refuse(fmt::format("here the quantization changes (scale {:.9g} zp {} -> scale {:.9g} zp {})",
                       qi.scale, qi.zero_point, qo.scale, qo.zero_point));
  if (m_.tensor(x).shape != m_.tensor(y).shape) refuse("here the input and output shapes differ");
  // Compose the clamps: the result must again be one of the supported activations.
  Activation cur = P.layer.activation, res = cur;
  if (cur == Activation::None || cur == a)
    res = a;
  else if (a == Activation::None)
    res = cur;
  else if ((cur == Activation::Relu && a == Activation::Relu6) ||
           (cur == Activation::Relu6 && a == Activation::Relu))
    res = Activation::Relu6;
  else
    refuse(
        fmt::format("here the producer already applies {} and the combination is not a "
                    "supported activation",
                    to_string(cur)));
  note(fmt::format("operator #{} {}: folded into the fused activation of operator #{} ({} -> {})",
                   k, m_.op_name(k), P.op_index, to_string(cur), to_string(res)));
  P.layer.activation = res;
  check_arithmetic(k, P.layer, P.in_producers);
  P.layer.source = m_.tensor(y).name;
  P.out_tensor = y;
  producer_[size_t(x)] = kNoProducer;
  if (producer_[size_t(y)] != kNoProducer)
    m_.op_fail(k,
               fmt::format("output tensor {} is written by more than one operator", m_.tname(y)));
  producer_[size_t(y)] = p;
}

// QUANTIZE: only on the network input (float -> int8/uint8, or uint8 -> int8 with equal scale
// and zero points 128 apart); the network input becomes the quantized tensor.
void Lowering::map_quantize(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 1, 1);
  const int x = in[0], y = out[0];
  const std::string why =
      "QUANTIZE is supported only directly on the network input: float32 -> uint8/int8, or "
      "uint8 -> int8 with equal scale and zero points 128 apart";
  if (x != m_.graph_input() || input_tensor_ != m_.graph_input() || m_.consumers(x) != 1)
    unsupported(k, why);
  const TensorInfo& X = m_.tensor(x);
  TensorQuant qo = m_.act_quant(k, y, "output");
  if (X.type == tfl::tensor_type::FLOAT32) {
    note(
        fmt::format("operator #{} QUANTIZE: dropped; the network input is the quantized tensor "
                    "{} ({}, scale {:.9g}, zero point {}): feed quantized values "
                    "q = round(x / scale) + zero_point instead of float32 {}",
                    k, m_.tname(y), to_string(qo.dtype), qo.scale, qo.zero_point, m_.tname(x)));
  } else if (X.type == tfl::tensor_type::UINT8 && qo.dtype == DType::Int8) {
    TensorQuant qi = m_.act_quant(k, x, "input");
    if (qi.scale != qo.scale || qi.zero_point - 128 != qo.zero_point) unsupported(k, why);
    note(
        fmt::format("operator #{} QUANTIZE: uint8 -> int8 input conversion dropped; the network "
                    "input is the int8 tensor {}: convert uint8 pixels by subtracting 128",
                    k, m_.tname(y)));
  } else {
    unsupported(k, why);
  }
  if (producer_[size_t(y)] != kNoProducer)
    m_.op_fail(k,
               fmt::format("output tensor {} is written by more than one operator", m_.tname(y)));
  producer_[size_t(x)] = kNoProducer;
  producer_[size_t(y)] = kNetworkInput;
  input_tensor_ = y;
}

// DEQUANTIZE: only on the network output; the network output is its (quantized) input.
void Lowering::map_dequantize(int k) {
  auto in = m_.op_inputs(k), out = m_.op_outputs(k);
  m_.expect_io(k, in, out, 1, 1);
  const int x = in[0], y = out[0];
  if (y != m_.graph_output() || m_.consumers(y) != 1 || m_.consumers(x) != 1)
    unsupported(k, "DEQUANTIZE is supported only as the last operator, on the network output");
  int p = act_input(k, x, "input");
  m_.act_quant(k, x, "input");
  if (p < 0) unsupported(k, "the model has no layers between QUANTIZE and DEQUANTIZE");
  note(
      fmt::format("operator #{} DEQUANTIZE: dropped; the network output is the quantized "
                  "tensor {}",
                  k, m_.tname(x)));
  producer_[size_t(y)] = p;
  producer_[size_t(x)] = kNoProducer;
}

}  // namespace tflite
}  // namespace rtlgen
