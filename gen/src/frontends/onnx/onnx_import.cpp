// ONNX importer, the lowering half: QDQ groups and QOperator nodes of the model the reader half
// parsed (onnx_model.cpp) onto rtlgen's IR. This file holds the layer building and the mappers
// shared by both styles and the pass over the graph; onnx_nodes.cpp recognises the nodes. See
// rtlgen/onnx_import.hpp for what is supported.
#include "rtlgen/onnx_import.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "frontends/onnx/onnx_importer.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"

namespace rtlgen {
namespace onnx {

const QAct& OnnxImporter::act(const OnnxNode& n, const std::string& name, const char* what) const {
  auto it = acts_.find(name);
  if (it == acts_.end())
    fail(n, fmt::format("{} '{}' is not an integer (quantized) tensor rtlgen has mapped; only "
                        "QDQ groups and QLinear* operators are supported, and a float tensor must "
                        "come from a DequantizeLinear",
                        what, name));
  return it->second;
}

void OnnxImporter::add_layer(Layer l, const OnnxNode& n, const std::string& out_name, const QAct& x,
                             std::vector<int64_t> out_shape) {
  l.name = names_.next(l.op);
  l.inputs = {x.rtl};
  // source: the ONNX integer tensor this layer's output equals (tools/onnx_compare.py matches
  // on it); a QDQ group's is set when its QuantizeLinear is reached.
  l.source = out_name;
  l.loc.file = file_;
  QAct out;
  out.rtl = l.name;
  out.quant = l.out_quant;
  out.nchw = std::move(out_shape);
  net_.layers.push_back(std::move(l));
  acts_[out_name] = out;
}

void OnnxImporter::set_geometry(const OnnxNode& n, Layer* l, const QAct& x, int kh, int kw,
                                std::vector<int64_t>* out_shape) {
  if (x.nchw.size() != 4) fail(n, "the input must be a (1, C, H, W) tensor");
  const int64_t H = x.nchw[2], W = x.nchw[3];
  auto strides = attr_ints(n, "strides");
  auto pads = attr_ints(n, "pads");
  auto dil = attr_ints(n, "dilations");
  const OnnxAttr* auto_pad = attr(n, "auto_pad");
  if (strides.empty()) strides = {1, 1};
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (strides.size() != 2 || pads.size() != 4) fail(n, "only 2-D windows are supported");
  for (int64_t d : dil)
    if (d != 1) fail(n, "dilation other than 1 is not supported");
  if (attr_int(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode 1 is not supported");
  if (strides[0] < 1 || strides[1] < 1 || strides[0] > 64 || strides[1] > 64)
    fail(n, "strides must be 1..64");
  l->kernel_h = kh;
  l->kernel_w = kw;
  l->stride_h = int(strides[0]);
  l->stride_w = int(strides[1]);
  const std::string ap = auto_pad ? auto_pad->s : "NOTSET";
  auto same_pads = [](int64_t in, int64_t k, int64_t s, int64_t* before, int64_t* after) {
    const int64_t out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + k - in);
    *before = total / 2;
    *after = total - total / 2;
  };
  int64_t st, sb, sl, sr;
  same_pads(H, kh, strides[0], &st, &sb);
  same_pads(W, kw, strides[1], &sl, &sr);
  if (ap == "SAME_UPPER") {
    pads = {st, sl, sb, sr};
  } else if (ap == "VALID") {
    pads = {0, 0, 0, 0};
  } else if (ap != "NOTSET" && !ap.empty()) {
    fail(n, fmt::format("auto_pad {} is not supported (use explicit pads or SAME_UPPER)", ap));
  }
  for (int64_t p : pads)
    if (p < 0 || p > 64) fail(n, "pads must be 0..64");
  if (pads == std::vector<int64_t>{0, 0, 0, 0}) {
    l->padding = Padding::Valid;
  } else if (pads == std::vector<int64_t>{st, sl, sb, sr}) {
    l->padding = Padding::Same;
  } else {
    fail(n, fmt::format("pads [{}] are neither zero nor TFLite-style SAME for this input; "
                        "rtlgen's conv/pool padding is SAME or VALID",
                        fmt::join(pads, ", ")));
  }
  if (H + pads[0] + pads[2] < kh || W + pads[1] + pads[3] < kw)
    fail(n, "the window is larger than the padded input");
  const int64_t oh = (H + pads[0] + pads[2] - kh) / strides[0] + 1;
  const int64_t ow = (W + pads[1] + pads[3] - kw) / strides[1] + 1;
  *out_shape = {1, 0, oh, ow};
}

std::vector<int32_t> OnnxImporter::bias_values(const OnnxNode& n, const std::string& name,
                                               const QAct& x, const QConst& w, int channels,
                                               bool dequantized) const {
  std::vector<int64_t> v;
  if (dequantized) {
    // QDQ: DequantizeLinear(int32 bias, scale = input scale x weight scale, zero point 0).
    auto it = dq_nodes_.find(name);
    if (it == dq_nodes_.end())
      fail(n, fmt::format("bias '{}' must be an int32 constant through DequantizeLinear (a float "
                          "bias cannot be fused into ONNX Runtime's integer kernels)",
                          name));
    const OnnxNode& dq = *it->second;
    const OnnxTensor& t = constant(dq, in(dq, 0, "bias"), "bias");
    if (t.data_type != kInt32) fail(n, fmt::format("bias '{}' must be int32", name));
    v = int_values(dq, t, "bias");
    const auto scales =
        float_values(dq, constant(dq, in(dq, 1, "bias scale"), "bias scale"), "bias scale");
    if (scales.size() != 1 && scales.size() != size_t(channels))
      fail(n, "bias scales must be one or one per output channel");
    for (size_t c = 0; c < size_t(channels); ++c) {
      const float expect = x.quant.scale * w.scales[w.scales.size() == 1 ? 0 : c];
      const float got = scales[scales.size() == 1 ? 0 : c];
      if (std::fabs(double(got) - double(expect)) > 1e-6 * double(expect))
        fail(n, fmt::format("bias scale of channel {} is {:.9g}, not input scale x weight scale "
                            "= {:.9g}; ONNX Runtime's integer kernels add the int32 bias as is",
                            c, got, expect));
    }
  } else {
    const OnnxTensor& t = constant(n, name, "bias");
    if (t.data_type != kInt32) fail(n, fmt::format("bias '{}' must be int32", name));
    v = int_values(n, t, "bias");
  }
  if (v.size() != size_t(channels))
    fail(n, fmt::format("bias has {} values for {} output channels", v.size(), channels));
  return std::vector<int32_t>(v.begin(), v.end());
}

// Weights common checks: int8 symmetric, or uint8 per tensor with uint8 input.
void check_weights(const OnnxNode& n, const QConst& w, int channels, const std::string& file) {
  auto bad = [&](const std::string& msg) {
    throw Error(fmt::format("{}: node {} '{}' ({}): {}", file, n.index, n.name, n.op_type, msg));
  };
  if (w.dtype != kInt8 && w.dtype != kUInt8) bad("weights must be int8 or uint8");
  if (w.scales.size() != 1 && w.scales.size() != size_t(channels))
    bad(
        fmt::format("{} weight scales for {} output channels (per-channel scales must be along "
                    "the output-channel axis)",
                    w.scales.size(), channels));
  for (int64_t z : w.zero_points)
    if (z != w.zero_points[0]) bad("per-channel weight zero points must all be equal");
  if (w.dtype == kInt8 && w.zero_points[0] != 0)
    bad("int8 weights must be symmetric (zero point 0)");
}

void OnnxImporter::map_conv(const OnnxNode& n, const QAct& x, const QConst& w,
                            const std::vector<int32_t>& bias, const TensorQuant& out_q,
                            const std::string& out_name) {
  if (w.dims.size() != 4) fail(n, "weights must be (O, I/group, KH, KW)");
  const int64_t O = w.dims[0], I = w.dims[1], KH = w.dims[2], KW = w.dims[3];
  if (x.nchw.size() != 4) fail(n, "the input must be a (1, C, H, W) tensor");
  const int64_t C = x.nchw[1];
  const int64_t group = attr_int(n, "group", 1);
  Layer l;
  if (group == 1) {
    if (I != C) fail(n, fmt::format("weights expect {} input channels, the input has {}", I, C));
    l.op = OpKind::Conv2D;
  } else if (group == C && I == 1 && O % C == 0) {
    l.op = OpKind::DepthwiseConv2D;
    l.depth_multiplier = int(O / C);
  } else {
    fail(n,
         fmt::format("group {} is not supported (1, or depthwise: group = input channels)", group));
  }
  if (w.axis != 0 && w.scales.size() > 1) fail(n, "per-channel weight scales must be on axis 0");
  check_weights(n, w, int(O), file_);
  std::vector<int64_t> out_shape;
  set_geometry(n, &l, x, int(KH), int(KW), &out_shape);
  out_shape[1] = O;
  l.weight_dtype = w.dtype == kInt8 ? DType::Int8 : DType::UInt8;
  l.weight_zero_point = int32_t(w.zero_points[0]);
  l.weight_scales = w.scales;
  if (l.op == OpKind::Conv2D) {  // OIHW -> OHWI
    l.weight_shape = {int32_t(O), int32_t(KH), int32_t(KW), int32_t(I)};
    l.weights.resize(w.values.size());
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < I; ++i)
        for (int64_t y = 0; y < KH; ++y)
          for (int64_t xx = 0; xx < KW; ++xx)
            l.weights[size_t(((o * KH + y) * KW + xx) * I + i)] =
                int32_t(w.values[size_t(((o * I + i) * KH + y) * KW + xx)]);
  } else {  // (C*DM, 1, KH, KW) -> [1][KH][KW][C*DM]
    l.weight_shape = {1, int32_t(KH), int32_t(KW), int32_t(O)};
    l.weights.resize(w.values.size());
    for (int64_t o = 0; o < O; ++o)
      for (int64_t y = 0; y < KH; ++y)
        for (int64_t xx = 0; xx < KW; ++xx)
          l.weights[size_t((y * KW + xx) * O + o)] =
              int32_t(w.values[size_t((o * KH + y) * KW + xx)]);
  }
  l.bias = bias.empty() ? std::vector<int32_t>(size_t(O), 0) : bias;
  l.out_quant = out_q;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  add_layer(std::move(l), n, out_name, x, out_shape);
}

void OnnxImporter::map_fc(const OnnxNode& n, const QAct& x, const QConst& w, bool w_is_out_in,
                          const std::vector<int32_t>& bias, const TensorQuant& out_q,
                          const std::string& out_name) {
  if (w.dims.size() != 2) fail(n, "weights must be a matrix");
  const int64_t O = w_is_out_in ? w.dims[0] : w.dims[1];
  const int64_t I = w_is_out_in ? w.dims[1] : w.dims[0];
  int64_t n_in = 1;
  for (size_t i = 1; i < x.nchw.size(); ++i) n_in *= x.nchw[i];
  if (x.nchw.size() != 2 && !(x.nchw.size() == 4 && x.nchw[2] == 1 && x.nchw[3] == 1))
    fail(n, "the input must be (1, N): flatten it first");
  if (I != n_in) fail(n, fmt::format("weights expect {} inputs, the input has {}", I, n_in));
  const int w_axis = w_is_out_in ? 0 : 1;
  if (w.scales.size() > 1 && w.axis != w_axis)
    fail(n, fmt::format("per-channel weight scales must be on the output axis {}", w_axis));
  check_weights(n, w, int(O), file_);
  Layer l;
  l.op = OpKind::FullyConnected;
  l.weight_dtype = w.dtype == kInt8 ? DType::Int8 : DType::UInt8;
  l.weight_zero_point = int32_t(w.zero_points[0]);
  l.weight_scales = w.scales;
  l.weight_shape = {int32_t(O), int32_t(I)};
  l.weights.resize(size_t(O * I));
  // Flatten of (1, C, H, W) in ONNX is channel-major; rtlgen's tensors are HWC: permute columns.
  const bool permute = !x.flat_from.empty();
  const int64_t C = permute ? x.flat_from[1] : 0, H = permute ? x.flat_from[2] : 0,
                W = permute ? x.flat_from[3] : 0;
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i) {
      const int64_t v = w_is_out_in ? w.values[size_t(o * I + i)] : w.values[size_t(i * O + o)];
      int64_t col = i;
      if (permute) {  // i = c*H*W + y*W + x  ->  (y*W + x)*C + c
        const int64_t c = i / (H * W), y = (i / W) % H, xx = i % W;
        col = (y * W + xx) * C + c;
      }
      l.weights[size_t(o * I + col)] = int32_t(v);
    }
  l.bias = bias.empty() ? std::vector<int32_t>(size_t(O), 0) : bias;
  l.out_quant = out_q;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  add_layer(std::move(l), n, out_name, x, {1, O});
}

void OnnxImporter::map_pool(const OnnxNode& n, OpKind op, const QAct& x, const TensorQuant& out_q,
                            const std::string& out_name) {
  const auto k = attr_ints(n, "kernel_shape");
  if (k.size() != 2 || k[0] < 1 || k[1] < 1 || k[0] > 64 || k[1] > 64)
    fail(n, "kernel_shape must be two values 1..64");
  Layer l;
  l.op = op;
  std::vector<int64_t> out_shape;
  set_geometry(n, &l, x, int(k[0]), int(k[1]), &out_shape);
  out_shape[1] = x.nchw[1];
  if (op == OpKind::AveragePool2D && attr_int(n, "count_include_pad", 0) != 0 &&
      l.padding != Padding::Valid)
    fail(n,
         "count_include_pad 1 with padding is not supported (rtlgen averages the in-image "
         "part of each window)");
  if (op == OpKind::MaxPool2D && attr_int(n, "storage_order", 0) != 0)
    fail(n, "storage_order 1 is not supported");
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) fail(n, "MaxPool indices are not supported");
  l.out_quant = out_q;
  if (op == OpKind::AveragePool2D) {
    l.requant_mode = RequantMode::OnnxRuntimeFloat;
  } else if (out_q.scale != x.quant.scale || out_q.zero_point != x.quant.zero_point ||
             out_q.dtype != x.quant.dtype) {
    fail(n,
         "input and output quantization differ; ONNX Runtime runs MaxPool on the integers "
         "only when they are equal");
  }
  add_layer(std::move(l), n, out_name, x, out_shape);
}

// ONNX Runtime's QLinearAdd (also what a uint8 QDQ Add is fused into): elementwise, same shapes,
// one quantization per tensor; the float32 rule is golden::onnxruntime_add.
void OnnxImporter::map_add(const OnnxNode& n, const QAct& a, const QAct& b,
                           const TensorQuant& out_q, const std::string& out_name, int32_t offset) {
  if (a.nchw != b.nchw)
    fail(n, "the two inputs have different shapes (broadcasting is not supported)");
  if (a.quant.dtype != b.quant.dtype) fail(n, "the two inputs have different data types");
  Layer l;
  l.op = OpKind::Add;
  l.out_quant = out_q;  // a QDQ group's comes with its QuantizeLinear, which must keep the type
  l.out_quant.dtype = a.quant.dtype;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  l.onnx_zero_point_offset = offset;
  add_layer(std::move(l), n, out_name, a, a.nchw);
  net_.layers.back().inputs.push_back(b.rtl);
}

// Concat along the channels (QLinearConcat, or a QDQ Concat, which ONNX Runtime computes the
// same way: probed, docs/onnx-runtime-arithmetic.md): inputs of one type and equal (H, W), or
// flattened (1, N) vectors; each input with another quantization is requantized by
// golden::onnxruntime_concat_table.
void OnnxImporter::map_concat(const OnnxNode& n, const std::vector<QAct>& xs,
                              const TensorQuant& out_q, const std::string& out_name) {
  const OnnxAttr* axis_attr = attr(n, "axis");
  if (!axis_attr) fail(n, "the axis attribute is missing");
  const QAct& x0 = xs.at(0);
  const int64_t rank = int64_t(x0.nchw.size());
  const int64_t axis = axis_attr->i < 0 ? axis_attr->i + rank : axis_attr->i;
  if (axis != 1)
    fail(n, fmt::format("axis {} of a rank-{} tensor is refused: rtlgen concatenates along the "
                        "channels only (axis 1 of (1, C, H, W) or of a flattened (1, N)); "
                        "concatenate the channels, or reorder the graph so that it does",
                        axis_attr->i, rank));
  if (xs.size() < 2) fail(n, "a concatenation needs two or more inputs");
  std::vector<int64_t> out_shape = x0.nchw;
  out_shape[1] = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    const QAct& x = xs[k];
    if (x.nchw.size() != x0.nchw.size() || (rank != 4 && rank != 2))
      fail(n, "the inputs must all be (1, C, H, W) or all (1, N) tensors");
    for (int64_t d = 0; d < rank; ++d)
      if (d != 1 && x.nchw[size_t(d)] != x0.nchw[size_t(d)])
        fail(n, fmt::format("input {} has shape ({}) but input 0 has ({}); only the channel "
                            "counts may differ",
                            k, fmt::join(x.nchw, ", "), fmt::join(x0.nchw, ", ")));
    if (!x.flat_from.empty())
      fail(n, fmt::format("input {} is a flattened (C, H, W) tensor with H*W > 1, which rtlgen "
                          "holds in HWC order; concatenate before the Flatten",
                          k));
    if (x.quant.dtype != x0.quant.dtype) fail(n, "the inputs have different data types");
    out_shape[1] += x.nchw[1];
  }
  Layer l;
  l.op = OpKind::Concat;
  l.out_quant = out_q;  // a QDQ group's comes with its QuantizeLinear, which must keep the type
  l.out_quant.dtype = x0.quant.dtype;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  add_layer(std::move(l), n, out_name, x0, out_shape);
  for (size_t k = 1; k < xs.size(); ++k) net_.layers.back().inputs.push_back(xs[k].rtl);
}

void OnnxImporter::map_global_pool(const OnnxNode& n, const QAct& x, const TensorQuant& out_q,
                                   const std::string& out_name) {
  if (x.nchw.size() != 4) fail(n, "the input must be a (1, C, H, W) tensor");
  if (attr_int(n, "channels_last", 0) != 0) fail(n, "channels_last 1 is not supported");
  Layer l;
  l.op = OpKind::Mean;
  l.out_quant = out_q;
  l.requant_mode = RequantMode::OnnxRuntimeFloat;
  add_layer(std::move(l), n, out_name, x, {1, x.nchw[1], 1, 1});
}

void OnnxImporter::map_flatten(const OnnxNode& n, const QAct& x, const std::string& out_name) {
  int64_t total = 1;
  for (size_t i = 1; i < x.nchw.size(); ++i) total *= x.nchw[i];
  if (n.op_type == "Flatten") {
    if (attr_int(n, "axis", 1) != 1) fail(n, "only axis 1 (keep the batch) is supported");
  } else {  // Reshape to (1, N) or (-1, N) or (1, -1)
    const auto shape = int_values(n, constant(n, in(n, 1, "shape"), "shape"), "shape");
    const bool ok = shape.size() == 2 && (shape[0] == 1 || shape[0] == -1) &&
                    (shape[1] == total || shape[1] == -1) && !(shape[0] == -1 && shape[1] == -1);
    if (!ok) fail(n, fmt::format("only a reshape to (1, {}) (flatten) is supported", total));
  }
  QAct out = x;
  if (x.nchw.size() == 4 && x.nchw[2] * x.nchw[3] > 1 && x.nchw[1] > 1) out.flat_from = x.nchw;
  Layer l;
  l.op = OpKind::Reshape;
  l.out_quant = x.quant;
  add_layer(std::move(l), n, out_name, x, {1, total});
  acts_[out_name].flat_from = out.flat_from;
}

Network OnnxImporter::run(ImportNotes* notes) {
  notes_ = notes;
  net_.source = file_;
  net_.name = sanitize_identifier(std::filesystem::path(file_).stem().string(), "model");
  net_.input.loc.file = file_;
  // The graph input: inputs that are initializers are constants (old exporters list them).
  std::vector<const ValueInfo*> real_inputs;
  for (const auto& gi : g_.inputs)
    if (!g_.initializers.count(gi.name)) real_inputs.push_back(&gi);
  if (real_inputs.size() != 1)
    fail(fmt::format("the graph has {} inputs; rtlgen needs exactly one", real_inputs.size()));
  const ValueInfo& gi = *real_inputs[0];
  if (gi.dims.size() != 4 || gi.dims[0] > 1 || gi.dims[1] < 1 || gi.dims[2] < 1 || gi.dims[3] < 1 ||
      gi.dims[1] > 65536 || gi.dims[2] > 65536 || gi.dims[3] > 65536)
    fail(fmt::format("the graph input '{}' must have a fixed shape (1, C, H, W)", gi.name));
  net_.input.name = sanitize_identifier(gi.name, "input");
  names_.reserve(net_.input.name);
  net_.input.shape = {int(gi.dims[2]), int(gi.dims[3]), int(gi.dims[1])};
  if (gi.elem_type == kInt8 || gi.elem_type == kUInt8) {
    // QOperator with an integer input: its quantization comes from the first consumer's x_scale.
    QAct a;
    a.rtl = net_.input.name;
    a.nchw = {1, gi.dims[1], gi.dims[2], gi.dims[3]};
    a.quant.dtype = gi.elem_type == kInt8 ? DType::Int8 : DType::UInt8;
    bool found = false;
    for (const auto& n : g_.nodes)
      if (!found && n.inputs.size() > 2 && n.inputs[0] == gi.name &&
          n.op_type.rfind("QLinear", 0) == 0) {
        a.quant = act_quant(n, n.inputs[1], n.inputs[2], "network input");
        found = true;
      }
    if (!found) fail("an integer graph input must feed a QLinear* operator (to know its scale)");
    net_.input.quant = a.quant;
    input_bound_ = true;
    acts_[gi.name] = a;
  } else if (gi.elem_type != kFloat) {
    fail(fmt::format("the graph input '{}' is {}", gi.name, dtype_name(gi.elem_type)));
  } else {
    // The QuantizeLinear will set the shape; keep the ONNX dims for it.
    g_.inputs = {gi};
    g_.inputs[0].dims = {1, gi.dims[1], gi.dims[2], gi.dims[3]};
  }
  for (const OnnxNode& n : g_.nodes) node(n);
  if (!input_bound_) fail("the float graph input is never quantized (QuantizeLinear)");
  if (!pending_.empty())
    fail(fmt::format("the output '{}' of node '{}' is never quantized by a QuantizeLinear",
                     pending_.begin()->first, net_.layers[pending_.begin()->second].source));
  if (net_.layers.empty()) fail("the graph has no operator rtlgen maps");
  if (g_.outputs.size() != 1)
    fail(fmt::format("the graph has {} outputs; rtlgen needs exactly one", g_.outputs.size()));
  std::string out = g_.outputs[0].name;
  if (dq_act_.count(out)) {
    if (notes)
      notes->lines.push_back(
          fmt::format("the output DequantizeLinear to '{}' is dropped: "
                      "the network outputs the quantized tensor",
                      out));
    out = dq_act_.at(out);
  }
  if (!acts_.count(out))
    fail(fmt::format("the graph output '{}' is not a quantized tensor rtlgen mapped", out));
  for (Layer& l : net_.layers)
    if (l.source.rfind("\x01int:", 0) == 0) l.source = l.source.substr(5);
  if (acts_.at(out).rtl != net_.layers.back().name)
    fail(fmt::format("the graph output '{}' is not the last mapped layer", out));
  return net_;
}

}  // namespace onnx

Network import_onnx_bytes(const std::string& bytes, const std::string& name, ImportNotes* notes) {
  onnx::OnnxImporter imp(bytes, name);
  return imp.run(notes);
}

Network import_onnx(const std::string& path, ImportNotes* notes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(fmt::format("{}: is a directory, expected a .onnx file", path));
  return import_onnx_bytes(read_file_bytes(path), path, notes);
}

}  // namespace rtlgen
