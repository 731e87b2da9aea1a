// ONNX importer, the lowering half (see onnx_importer.hpp): which nodes make which layers. A QDQ
// group (DequantizeLinear inputs, a float op, a QuantizeLinear) or a QOperator node
// (QLinearConv, QLinearMatMul, ...) goes to the shared mappers in onnx_import.cpp.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <map>
#include <set>

#include "frontends/onnx/onnx_importer.hpp"

namespace rtlgen {
namespace onnx {

namespace {

// MatMulInteger / ConvInteger: int32 outputs rescaled by float ops. ONNX Runtime's
// quantize_dynamic writes them behind DynamicQuantizeLinear, whose activation scale and zero
// point come from each input's min and max at run time: no fixed integer hardware computes that.
constexpr const char* kIntegerOpRefusal =
    "dynamic quantization is refused: quantize_dynamic's DynamicQuantizeLinear -> "
    "MatMulInteger/ConvInteger -> Cast -> Mul rescales with an activation scale computed from "
    "each input at run time, which fixed integer hardware cannot reproduce (a static "
    "MatMulInteger/ConvInteger with constant zero points and float rescaling is not mapped "
    "either); quantize with quantize_static (QDQ or QOperator), which rtlgen maps";

}  // namespace

// QDQ ops: a float op whose inputs are DequantizeLinear outputs; its float output must reach
// a QuantizeLinear (which completes the layer) possibly through Relu/Clip.
void OnnxImporter::node_qdq(const OnnxNode& n) {
  const std::string& op = n.op_type;
  auto dq_input = [&](size_t i, const char* what) -> const QAct& {
    const std::string& name = in(n, i, what);
    auto it = dq_act_.find(name);
    if (it == dq_act_.end())
      fail(n, fmt::format("{} '{}' does not come from a DequantizeLinear of a mapped integer "
                          "tensor (float sub-graphs are not supported: quantize the model with "
                          "QDQ around every op)",
                          what, name));
    return act(n, it->second, what);
  };
  auto dq_weights = [&](size_t i, int axis_default) -> QConst {
    const std::string& name = in(n, i, "weights");
    auto it = dq_nodes_.find(name);
    if (it == dq_nodes_.end() || dq_act_.count(name))
      fail(n, fmt::format("weights '{}' must be an int8/uint8 constant through DequantizeLinear",
                          name));
    const OnnxNode& dq = *it->second;
    return weight_const(dq, in(dq, 0, "weights"), in(dq, 1, "weight scale"),
                        has_in(dq, 2) ? dq.inputs[2] : "", int(attr_int(dq, "axis", axis_default)),
                        "weights");
  };
  const std::string& out_name = n.outputs.empty() ? "" : n.outputs[0];
  if (out_name.empty()) fail(n, "has no output");
  TensorQuant unknown;  // completed by the QuantizeLinear
  if (op == "Conv") {
    const QAct& x = dq_input(0, "input");
    const QConst w = dq_weights(1, 1);
    const int64_t O = w.dims.empty() ? 0 : w.dims[0];
    const auto bias =
        has_in(n, 2) ? bias_values(n, n.inputs[2], x, w, int(O), true) : std::vector<int32_t>{};
    map_conv(n, x, w, bias, unknown, out_name);
  } else if (op == "Gemm" || op == "MatMul") {
    const QAct& x = dq_input(0, "input");
    bool trans_b = false;
    if (op == "Gemm") {
      if (attr_int(n, "transA", 0) != 0) fail(n, "transA 1 is not supported");
      const OnnxAttr* alpha = attr(n, "alpha");
      const OnnxAttr* beta = attr(n, "beta");
      if ((alpha && alpha->f != 1.0f) || (beta && beta->f != 1.0f))
        fail(n, "alpha and beta must be 1");
      trans_b = attr_int(n, "transB", 0) != 0;
    }
    const QConst w = dq_weights(1, 1);
    if (w.dims.size() != 2) fail(n, "weights must be a matrix");
    const int64_t O = trans_b ? w.dims[0] : w.dims[1];
    const auto bias = op == "Gemm" && has_in(n, 2) ? bias_values(n, n.inputs[2], x, w, int(O), true)
                                                   : std::vector<int32_t>{};
    map_fc(n, x, w, trans_b, bias, unknown, out_name);
  } else if (op == "AveragePool") {
    const QAct& x = dq_input(0, "input");
    map_pool(n, OpKind::AveragePool2D, x, x.quant, out_name);
    // ONNX Runtime's QDQ path on x86 runs int8 activations as uint8 (QDQS8ToU8: zero points
    // + 128), which the pool's float zero-point add sees (docs/onnx-runtime-arithmetic.md).
    if (x.quant.dtype == DType::Int8) net_.layers.back().onnx_zero_point_offset = 128;
  } else if (op == "GlobalAveragePool") {
    map_global_pool(n, dq_input(0, "input"), unknown, out_name);
  } else if (op == "Add") {
    // Measured with onnxruntime 1.31.1 (docs/onnx-runtime-arithmetic.md): a uint8 QDQ Add is
    // fused into QLinearAdd (its float32 rule, rtlgen_add_float). With int8 activations ONNX
    // Runtime fuses no QDQ group of a graph that holds an Add (not even its Convs, which run
    // as dequantize, float Conv, quantize): not the integer rules rtlgen reproduces.
    const QAct& a = dq_input(0, "A");
    const QAct& b = dq_input(1, "B");
    if (a.quant.dtype == DType::Int8)
      fail(n,
           "an int8 QDQ Add is refused: ONNX Runtime 1.31.1 fuses no QDQ group of an int8 "
           "graph that contains an Add (the Add and the Convs run as dequantize, float op, "
           "quantize), which rtlgen does not reproduce bit-exactly; quantize with uint8 "
           "activations (quantize_static activation_type=QUInt8: the Add becomes "
           "QLinearAdd, which rtlgen maps) or export com.microsoft QLinearAdd (QOperator)");
    map_add(n, a, b, unknown, out_name, 0);
  } else if (op == "Concat") {
    std::vector<QAct> xs;
    for (size_t i = 0; i < n.inputs.size(); ++i) xs.push_back(dq_input(i, "input"));
    map_concat(n, xs, unknown, out_name);  // axis and shapes checked first
    // Measured with onnxruntime 1.31.1: a uint8 QDQ Concat is fused into QLinearConcat; an int8
    // one is not, and the QDQ Convs that feed it stay unfused too (float Conv), whose results
    // rtlgen's integer rule does not reproduce.
    if (xs[0].quant.dtype == DType::Int8)
      fail(n,
           "an int8 QDQ Concat is refused: ONNX Runtime 1.31.1 leaves it unfused and with it "
           "the Convs that feed it (dequantize, float Conv, quantize), which rtlgen does not "
           "reproduce bit-exactly; quantize with uint8 activations (quantize_static "
           "activation_type=QUInt8: QLinearConv and QLinearConcat, which rtlgen maps) or "
           "export com.microsoft QLinearConcat (QOperator)");
  } else if (op == "MaxPool" || op == "Flatten" || op == "Reshape") {
    // Order-only ops run on the integers (ONNX Runtime drops their Q/DQ when the quantization
    // is unchanged): the float output stays a dequantized view of the new integer tensor.
    const QAct x = dq_input(0, "input");
    const std::string int_name = "\x01int:" + out_name;
    if (op == "MaxPool")
      map_pool(n, OpKind::MaxPool2D, x, x.quant, int_name);
    else
      map_flatten(n, x, int_name);
    dq_act_[out_name] = int_name;
    return;
  } else {
    fail(n, "unreachable");
  }
  // The layer's float output waits for its QuantizeLinear.
  QAct produced = acts_.at(out_name);
  acts_.erase(out_name);
  pending_[out_name] = net_.layers.size() - 1;
  pending_shape_[net_.layers.size() - 1] = produced.nchw;
  acts_["\x01pending:" + out_name] = produced;
}

void OnnxImporter::node(const OnnxNode& n) {
  const std::string& op = n.op_type;
  const bool ms = n.domain == "com.microsoft";
  if (!n.domain.empty() && n.domain != "ai.onnx" && !ms)
    fail(n, fmt::format("operator domain '{}' is not supported", n.domain));
  if (n.outputs.empty() || n.outputs[0].empty()) fail(n, "has no output");
  const std::string& out_name = n.outputs[0];

  if (op == "Constant") {
    const OnnxAttr* v = attr(n, "value");
    if (!v || !v->has_t) fail(n, "only a Constant with a tensor 'value' is supported");
    OnnxTensor t = v->t;
    t.name = out_name;
    g_.initializers[out_name] = t;
    return;
  }
  if (op == "Identity") {
    const std::string& src = in(n, 0, "input");
    if (acts_.count(src))
      acts_[out_name] = acts_.at(src);
    else if (dq_act_.count(src))
      dq_act_[out_name] = dq_act_.at(src);
    else if (g_.initializers.count(src))
      g_.initializers[out_name] = g_.initializers.at(src);
    else
      fail(n, "the input is not a mapped tensor");
    return;
  }
  if (op == "QuantizeLinear") {
    const std::string& src = in(n, 0, "input");
    if (!has_in(n, 2))
      fail(n, "the zero point input is missing (rtlgen needs an int8/uint8 output)");
    const TensorQuant q = act_quant(n, in(n, 1, "scale"), n.inputs[2], "output quantization");
    if (attr_int(n, "saturate", 1) != 1) fail(n, "saturate 0 is not supported");
    bool is_input = false;
    for (const auto& gi : g_.inputs) is_input = is_input || gi.name == src;
    if (is_input) {
      if (input_bound_) fail(n, "the network input is quantized twice");
      const ValueInfo* vi = nullptr;
      for (const auto& gi : g_.inputs)
        if (gi.name == src) vi = &gi;
      if (vi->elem_type != kFloat) fail(n, "QuantizeLinear of a non-float input");
      net_.input.quant = q;
      input_bound_ = true;
      QAct a;
      a.rtl = net_.input.name;
      a.quant = q;
      a.nchw = vi->dims;
      acts_[out_name] = a;
      if (notes_)
        notes_->lines.push_back(
            fmt::format("the float input '{}' -> QuantizeLinear (scale {:.9g}, "
                        "zero point {}) is dropped: feed quantized {} values",
                        src, q.scale, q.zero_point, to_string(q.dtype)));
      return;
    }
    auto it = pending_.find(src);
    if (it == pending_.end()) {
      if (dq_act_.count(src)) {  // DQ -> (order-only ops) -> Q: must keep the quantization
        const QAct& a = acts_.at(dq_act_.at(src));
        if (q.scale != a.quant.scale || q.zero_point != a.quant.zero_point ||
            q.dtype != a.quant.dtype)
          fail(n, fmt::format("requantizes '{}' without an op (scale {:.9g} -> {:.9g}, zero point "
                              "{} -> {}); not supported",
                              src, a.quant.scale, q.scale, a.quant.zero_point, q.zero_point));
        acts_[out_name] = a;
        for (Layer& l : net_.layers)  // an order-only op's integer tensor gets the Q's name
          if (l.name == a.rtl && l.source.rfind("\x01", 0) == 0) l.source = out_name;
        return;
      }
      fail(n, fmt::format("its input '{}' is not the output of a QDQ group rtlgen mapped", src));
    }
    Layer& l = net_.layers[it->second];
    QAct a = acts_.at("\x01pending:" + src);
    if (q.dtype != a.quant.dtype && l.op != OpKind::Mean && l.op != OpKind::AveragePool2D &&
        !has_weights(l.op))
      fail(n, "changes the data type");
    l.out_quant = q;
    l.source = out_name;
    a.quant = q;
    acts_[out_name] = a;
    acts_.erase("\x01pending:" + src);
    pending_.erase(it);
    return;
  }
  if (op == "DequantizeLinear") {
    const std::string& src = in(n, 0, "input");
    dq_nodes_[out_name] = &n;
    if (acts_.count(src)) {
      const QAct& a = acts_.at(src);
      const TensorQuant q =
          act_quant(n, in(n, 1, "scale"), has_in(n, 2) ? n.inputs[2] : "", "dequantization");
      if (q.scale != a.quant.scale || q.zero_point != a.quant.zero_point ||
          q.dtype != a.quant.dtype)
        fail(n, "dequantizes with parameters different from the tensor's quantization");
      dq_act_[out_name] = src;
    } else if (!g_.initializers.count(src)) {
      fail(n, fmt::format("input '{}' is neither a mapped integer tensor nor a constant", src));
    }
    return;
  }
  if (op == "Relu" || op == "Clip") {
    const std::string& src = in(n, 0, "input");
    auto it = pending_.find(src);
    if (it == pending_.end())
      fail(n, "only a Relu/Clip between a QDQ group's op and its QuantizeLinear is supported");
    Layer& l = net_.layers[it->second];
    if (!has_weights(l.op)) fail(n, "Relu/Clip is supported after Conv/Gemm/MatMul only");
    if (l.activation != Activation::None) fail(n, "two activations in a row");
    Activation act_kind = Activation::Relu;
    if (op == "Clip") {
      float lo = -INFINITY, hi = INFINITY;
      if (has_in(n, 1)) lo = float_values(n, constant(n, n.inputs[1], "min"), "min").at(0);
      if (has_in(n, 2)) hi = float_values(n, constant(n, n.inputs[2], "max"), "max").at(0);
      if (const OnnxAttr* a = attr(n, "min")) lo = a->f;
      if (const OnnxAttr* a = attr(n, "max")) hi = a->f;
      if (lo == 0.0f && hi == 6.0f)
        act_kind = Activation::Relu6;
      else if (lo == -1.0f && hi == 1.0f)
        act_kind = Activation::ReluN1To1;
      else if (lo == 0.0f && std::isinf(hi))
        act_kind = Activation::Relu;
      else
        fail(n, fmt::format("Clip({}, {}) is not supported (0..inf, 0..6, -1..1)", lo, hi));
    }
    l.activation = act_kind;
    const size_t idx = it->second;
    QAct a = acts_.at("\x01pending:" + src);
    acts_.erase("\x01pending:" + src);
    pending_.erase(it);
    pending_[out_name] = idx;
    acts_["\x01pending:" + out_name] = a;
    return;
  }
  if (op == "Conv" || op == "Gemm" || op == "MatMul" || op == "AveragePool" || op == "MaxPool" ||
      op == "GlobalAveragePool" || op == "Flatten" || op == "Reshape" || op == "Add" ||
      op == "Concat") {
    const std::string& src = in(n, 0, "input");
    if (dq_act_.count(src)) return node_qdq(n);
    // Integer tensors directly (QOperator graphs): MaxPool, Flatten, Reshape.
    if (acts_.count(src) && (op == "MaxPool" || op == "Flatten" || op == "Reshape")) {
      const QAct& x = acts_.at(src);
      if (op == "MaxPool")
        map_pool(n, OpKind::MaxPool2D, x, x.quant, out_name);
      else
        map_flatten(n, x, out_name);
      return;
    }
    fail(n, fmt::format("input '{}' is a float tensor that is not a DequantizeLinear output; "
                        "rtlgen maps quantized (QDQ or QOperator) graphs only",
                        src));
  }
  if (op == "QLinearConv") {
    const QAct& x = act(n, in(n, 0, "x"), "x");
    const TensorQuant xq = act_quant(n, in(n, 1, "x_scale"), in(n, 2, "x_zero_point"), "x");
    if (xq.scale != x.quant.scale || xq.zero_point != x.quant.zero_point)
      fail(n, "x_scale/x_zero_point differ from the input tensor's quantization");
    const QConst w =
        weight_const(n, in(n, 3, "w"), in(n, 4, "w_scale"), in(n, 5, "w_zero_point"), 0, "weights");
    const TensorQuant yq = act_quant(n, in(n, 6, "y_scale"), in(n, 7, "y_zero_point"), "y");
    const int64_t O = w.dims.empty() ? 0 : w.dims[0];
    const auto bias =
        has_in(n, 8) ? bias_values(n, n.inputs[8], x, w, int(O), false) : std::vector<int32_t>{};
    return map_conv(n, x, w, bias, yq, out_name);
  }
  if (op == "QLinearMatMul" || (ms && op == "QGemm")) {
    const QAct& x = act(n, in(n, 0, "a"), "a");
    const TensorQuant xq = act_quant(n, in(n, 1, "a_scale"), in(n, 2, "a_zero_point"), "a");
    if (xq.scale != x.quant.scale || xq.zero_point != x.quant.zero_point)
      fail(n, "a_scale/a_zero_point differ from the input tensor's quantization");
    bool trans_b = false;
    std::vector<int32_t> bias;
    TensorQuant yq;
    QConst w;
    if (op == "QGemm") {
      if (attr_int(n, "transA", 0) != 0) fail(n, "transA 1 is not supported");
      if (const OnnxAttr* a = attr(n, "alpha"); a && a->f != 1.0f) fail(n, "alpha must be 1");
      trans_b = attr_int(n, "transB", 0) != 0;
      w = weight_const(n, in(n, 3, "B"), in(n, 4, "b_scale"), in(n, 5, "b_zero_point"),
                       trans_b ? 0 : 1, "weights");
      if (!has_in(n, 7)) fail(n, "QGemm with a float output (no y_scale) is not supported");
      yq = act_quant(n, n.inputs[7], in(n, 8, "y_zero_point"), "y");
      const int64_t O = w.dims.size() == 2 ? (trans_b ? w.dims[0] : w.dims[1]) : 0;
      if (has_in(n, 6)) bias = bias_values(n, n.inputs[6], x, w, int(O), false);
    } else {
      w = weight_const(n, in(n, 3, "b"), in(n, 4, "b_scale"), in(n, 5, "b_zero_point"), 1,
                       "weights");
      yq = act_quant(n, in(n, 6, "y_scale"), in(n, 7, "y_zero_point"), "y");
    }
    return map_fc(n, x, w, trans_b, bias, yq, out_name);
  }
  if (ms && (op == "QLinearAveragePool" || op == "QLinearGlobalAveragePool")) {
    const QAct& x = act(n, in(n, 0, "X"), "X");
    const TensorQuant xq = act_quant(n, in(n, 1, "x_scale"), in(n, 2, "x_zero_point"), "x");
    if (xq.scale != x.quant.scale || xq.zero_point != x.quant.zero_point)
      fail(n, "x_scale/x_zero_point differ from the input tensor's quantization");
    const TensorQuant yq = act_quant(n, in(n, 3, "y_scale"), in(n, 4, "y_zero_point"), "y");
    if (attr_int(n, "channels_last", 0) != 0) fail(n, "channels_last 1 is not supported");
    if (op == "QLinearAveragePool") return map_pool(n, OpKind::AveragePool2D, x, yq, out_name);
    return map_global_pool(n, x, yq, out_name);
  }
  if (ms && op == "QLinearAdd") {
    const QAct& a = act(n, in(n, 0, "A"), "A");
    const TensorQuant aq = act_quant(n, in(n, 1, "A_scale"), in(n, 2, "A_zero_point"), "A");
    const QAct& b = act(n, in(n, 3, "B"), "B");
    const TensorQuant bq = act_quant(n, in(n, 4, "B_scale"), in(n, 5, "B_zero_point"), "B");
    if (aq.scale != a.quant.scale || aq.zero_point != a.quant.zero_point ||
        bq.scale != b.quant.scale || bq.zero_point != b.quant.zero_point)
      fail(n, "A/B scale or zero point differ from the input tensors' quantization");
    const TensorQuant cq = act_quant(n, in(n, 6, "C_scale"), in(n, 7, "C_zero_point"), "C");
    return map_add(n, a, b, cq, out_name, 0);
  }
  if (ms && op == "QLinearConcat") {  // Y_scale, Y_zero_point, then (X, X_scale, X_zp) each
    const TensorQuant yq = act_quant(n, in(n, 0, "Y_scale"), in(n, 1, "Y_zero_point"), "Y");
    if (n.inputs.size() < 5 || (n.inputs.size() - 2) % 3 != 0)
      fail(n, fmt::format("has {} inputs; QLinearConcat takes Y_scale, Y_zero_point and a "
                          "(tensor, scale, zero point) triple per input",
                          n.inputs.size()));
    std::vector<QAct> xs;
    for (size_t i = 2; i < n.inputs.size(); i += 3) {
      const QAct& x = act(n, in(n, i, "input"), "input");
      const TensorQuant xq =
          act_quant(n, in(n, i + 1, "input scale"), in(n, i + 2, "input zero point"), "input");
      if (xq.scale != x.quant.scale || xq.zero_point != x.quant.zero_point)
        fail(n, fmt::format("the scale or zero point of input '{}' differ from the tensor's "
                            "quantization",
                            n.inputs[i]));
      xs.push_back(x);
    }
    if (yq.dtype != xs[0].quant.dtype) fail(n, "Y has another data type than the inputs");
    return map_concat(n, xs, yq, out_name);
  }
  static const std::map<std::string, std::string> kRefused = {
      {"Add", "an Add of float tensors: quantize it (QDQ around it) or use QLinearAdd"},
      {"Concat", "a Concat of float tensors: quantize it (QDQ around it) or use QLinearConcat"},
      {"MatMulInteger", kIntegerOpRefusal},
      {"ConvInteger", kIntegerOpRefusal},
      {"DynamicQuantizeLinear", kIntegerOpRefusal},
      {"Pad", "a standalone Pad is not mapped yet (use the Conv's pads)"},
      {"Softmax", "float Softmax is not mapped; drop it (the hardware outputs the logits)"},
  };
  auto it = kRefused.find(op);
  fail(n, it != kRefused.end() ? it->second
                               : std::string("this operator is not supported by rtlgen's ONNX "
                                             "importer (README: ONNX import lists what is)"));
}

}  // namespace onnx
}  // namespace rtlgen
