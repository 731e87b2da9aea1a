#include "rtlgen/ir.hpp"

#include <fmt/format.h>

#include "rtlgen/error.hpp"

namespace rtlgen {

std::string SourceLoc::str() const {
  if (file.empty()) return "<input>";
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Shape::str() const { return fmt::format("{}x{}x{}", h, w, c); }

const Layer* Network::find(const std::string& name_) const {
  for (const auto& l : layers)
    if (l.name == name_) return &l;
  return nullptr;
}

Shape Network::shape_of(const std::string& tensor) const {
  if (tensor == input.name) return input.shape;
  if (const Layer* l = find(tensor)) return l->out_shape;
  throw Error(fmt::format("{}: unknown tensor '{}'", source, tensor));
}

TensorQuant Network::quant_of(const std::string& tensor) const {
  if (tensor == input.name) return input.quant;
  if (const Layer* l = find(tensor)) return l->out_quant;
  throw Error(fmt::format("{}: unknown tensor '{}'", source, tensor));
}

int output_channels(const Layer& l) {
  return l.op == OpKind::DepthwiseConv2D ? l.weight_shape.at(3) : l.weight_shape.at(0);
}

int vector_length(const Network& net, const Layer& l) {
  switch (l.op) {
    case OpKind::Conv2D: return l.kernel_h * l.kernel_w * net.shape_of(l.inputs[0]).c;
    case OpKind::DepthwiseConv2D: return l.kernel_h * l.kernel_w;
    case OpKind::FullyConnected: return static_cast<int>(net.shape_of(l.inputs[0]).elements());
    default: return 0;
  }
}

bool is_pointwise(const Layer& l) {
  return l.op == OpKind::Conv2D && l.kernel_h == 1 && l.kernel_w == 1 && l.stride_h == 1 &&
         l.stride_w == 1 && l.pads.top == 0 && l.pads.bottom == 0 && l.pads.left == 0 &&
         l.pads.right == 0;
}

Shape stream_shape(const Network& net, const std::string& tensor) {
  const Layer* p = net.find(tensor);
  if (p && p->op == OpKind::Pad && !p->inputs.empty()) return stream_shape(net, p->inputs[0]);
  return net.shape_of(tensor);
}

std::vector<int> divisors(int n) {
  std::vector<int> d;
  for (int i = 1; i <= n; ++i)
    if (n % i == 0) d.push_back(i);
  return d;
}

void fail(const Layer& l, const std::string& msg) {
  throw Error(l.loc, fmt::format("layer '{}' ({}): {}", l.name, to_string(l.op), msg));
}

const char* to_string(OpKind op) {
  switch (op) {
    case OpKind::Conv2D: return "conv2d";
    case OpKind::DepthwiseConv2D: return "depthwise_conv2d";
    case OpKind::FullyConnected: return "fully_connected";
    case OpKind::AveragePool2D: return "average_pool2d";
    case OpKind::MaxPool2D: return "max_pool2d";
    case OpKind::Mean: return "mean";
    case OpKind::Add: return "add";
    case OpKind::Concat: return "concat";
    case OpKind::Pad: return "pad";
    case OpKind::Reshape: return "reshape";
    case OpKind::Softmax: return "softmax";
  }
  return "?";
}

const char* to_string(DType t) {
  switch (t) {
    case DType::UInt8: return "uint8";
    case DType::Int8: return "int8";
    case DType::Int32: return "int32";
  }
  return "?";
}

const char* to_string(Activation a) {
  switch (a) {
    case Activation::None: return "none";
    case Activation::Relu: return "relu";
    case Activation::Relu6: return "relu6";
    case Activation::ReluN1To1: return "relu_n1_to_1";
  }
  return "?";
}

const char* to_string(Padding p) { return p == Padding::Same ? "same" : "valid"; }
const char* to_string(RequantMode m) {
  switch (m) {
    case RequantMode::FromScales: return "tflite";
    case RequantMode::ScaleShift: return "scale_shift";
    case RequantMode::OnnxRuntimeFloat: return "onnxruntime";
  }
  return "?";
}

int qmin(DType t) { return t == DType::UInt8 ? 0 : t == DType::Int8 ? -128 : INT32_MIN; }
int qmax(DType t) { return t == DType::UInt8 ? 255 : t == DType::Int8 ? 127 : INT32_MAX; }

int64_t qmin(const TensorQuant& q) {
  if (!q.wide()) return qmin(q.dtype);
  return q.dtype == DType::UInt8 ? 0 : -(int64_t(1) << (q.bits - 1));
}

int64_t qmax(const TensorQuant& q) {
  if (!q.wide()) return qmax(q.dtype);
  return q.dtype == DType::UInt8 ? (int64_t(1) << q.bits) - 1 : (int64_t(1) << (q.bits - 1)) - 1;
}

std::string type_name(const TensorQuant& q) {
  if (!q.wide()) return to_string(q.dtype);
  return fmt::format("{}{}", q.dtype == DType::UInt8 ? "uint" : "int", q.bits);
}

const char* to_string(Rounding r) {
  switch (r) {
    case Rounding::Floor: return "floor";
    case Rounding::HalfUp: return "half_up";
    case Rounding::HalfEven: return "half_even";
  }
  return "?";
}

bool has_weights(OpKind op) {
  return op == OpKind::Conv2D || op == OpKind::DepthwiseConv2D || op == OpKind::FullyConnected;
}

}  // namespace rtlgen
