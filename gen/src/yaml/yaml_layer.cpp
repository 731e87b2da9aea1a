#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "ops/op.hpp"
#include "rtlgen/compile.hpp"
#include "rtlgen/device.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/names.hpp"
#include "rtlgen/npy.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/quant_checks.hpp"
#include "rtlgen/scale_shift.hpp"
#include "rtlgen/yaml_writer.hpp"
#include "yaml/yaml_parser.hpp"

namespace rtlgen::yaml {

const std::map<std::string, OpInfo>& op_table() {
  static const std::set<std::string> common = {"name", "op",     "inputs",        "output",
                                               "hw",   "source", "requantization"};
  auto with_keys = [&](const std::vector<const char*>& extra) {
    std::set<std::string> s = common;
    for (auto e : extra) s.insert(e);
    return s;
  };
  // softmax (software, no op-table entry); every other op's keys are in its entry
  static const std::map<std::string, OpInfo> table = {
      {"softmax", {OpKind::Softmax, with_keys({"beta"})}},
  };
  static const std::map<std::string, OpInfo> all = [&] {
    std::map<std::string, OpInfo> t = table;
    for (OpKind op : kOpKinds)  // the ops whose YAML keys are in the op table
      if (!t.count(to_string(op))) t[to_string(op)] = {op, with_keys(op_def(op)->yaml_keys())};
    return t;
  }();
  return all;
}

Activation NetworkParser::parse_activation(const YAML::Node& n, const std::string& ctx) {
  const auto s = r_.as<std::string>(n, "an activation", ctx);
  if (s == "none") return Activation::None;
  if (s == "relu") return Activation::Relu;
  if (s == "relu6") return Activation::Relu6;
  if (s == "relu_n1_to_1") return Activation::ReluN1To1;
  r_.fail(n,
          fmt::format("{}activation must be none, relu, relu6 or relu_n1_to_1, got '{}'", ctx, s));
}

Layer NetworkParser::parse_layer(const YAML::Node& ln, const Network& net,
                                 const std::string& previous) {
  if (!ln.IsMap()) r_.fail(ln, "each layer must be a mapping with at least 'name' and 'op'");
  Layer l;
  l.loc = r_.at(ln);
  const auto name_node = r_.require(ln, "name", "a unique layer name", "layer: ");
  l.name = r_.as<std::string>(name_node, "a layer name", "layer: ");
  check_identifier(name_node, l.name, "layer name");
  const std::string ctx = fmt::format("layer '{}': ", l.name);
  const auto op_node = r_.require(ln, "op", "the operation, e.g. conv2d", ctx);
  const auto op_name = r_.as<std::string>(op_node, "an op name", ctx);
  const auto it = op_table().find(op_name);
  if (it == op_table().end()) {
    std::string list;
    for (const auto& kv : op_table()) list += (list.empty() ? "" : ", ") + kv.first;
    r_.fail(op_node, fmt::format("{}unknown op '{}' (supported: {})", ctx, op_name, list));
  }
  l.op = it->second.op;
  r_.check_keys(ln, it->second.keys, ctx);
  if (ln["source"]) l.source = r_.as<std::string>(ln["source"], "a string", ctx);

  if (ln["inputs"]) {
    const auto in = ln["inputs"];
    if (in.IsScalar()) {
      l.inputs.push_back(in.as<std::string>());
    } else if (in.IsSequence()) {
      for (const auto& i : in) l.inputs.push_back(r_.as<std::string>(i, "a tensor name", ctx));
    } else {
      r_.fail(in, ctx + "inputs must be a tensor name or a list of names");
    }
    for (size_t i = 0; i < l.inputs.size(); ++i)
      if (l.inputs[i] != net.input.name && !net.find(l.inputs[i]))
        r_.fail(in.IsSequence() ? in[i] : in,
                fmt::format("{}input '{}' is not the network input or an earlier layer", ctx,
                            l.inputs[i]));
  } else {
    l.inputs.push_back(previous);
  }
  const InputCount want = op_input_count(l.op);
  if (l.inputs.size() < want.min || l.inputs.size() > want.max)
    r_.fail(
        ln["inputs"] ? ln["inputs"] : ln,
        fmt::format("{}{} takes {} input(s), got {}", ctx, op_name,
                    want.max == want.min           ? std::to_string(want.min)
                    : want.max == InputCount::kAny ? fmt::format("{} or more", want.min)
                                                   : fmt::format("{} to {}", want.min, want.max),
                    l.inputs.size()));

  const TensorQuant in_q = net.quant_of(l.inputs[0]);
  if (ln["activation"]) l.activation = parse_activation(ln["activation"], ctx);
  if (ln["requantization"]) {
    // docs/network-format.md: tflite (default), onnxruntime, onnxruntime_u8 (average pool of
    // an int8 QDQ graph that ONNX Runtime ran as uint8).
    const auto s = r_.as<std::string>(ln["requantization"], "a requantization", ctx);
    const auto rescaling = [](OpKind op) {
      const OpDef* d = op_def(op);
      return has_weights(op) || op == OpKind::AveragePool2D || op == OpKind::Mean ||
             (d && d->takes_requantization_mode());
    };
    const bool rescales = rescaling(l.op);
    const bool u8_run = l.op == OpKind::AveragePool2D || l.op == OpKind::Add;
    if (s == "onnxruntime" || (s == "onnxruntime_u8" && u8_run))
      l.requant_mode = RequantMode::OnnxRuntimeFloat;
    else if (s != "tflite")
      r_.fail(ln["requantization"],
              fmt::format("{}requantization must be tflite or onnxruntime (onnxruntime_u8: "
                          "average_pool2d and add only), got '{}'",
                          ctx, s));
    if (!rescales && s != "tflite") {
      std::vector<std::string> names;
      for (OpKind op : kOpKinds)
        if (rescaling(op)) names.push_back(to_string(op));
      const std::string last = names.back();
      names.pop_back();
      r_.fail(ln["requantization"], fmt::format("{}requantization applies to {} and {} only", ctx,
                                                fmt::join(names, ", "), last));
    }
    if (ln["requant"] && s != "tflite")
      r_.fail(ln["requantization"], ctx + "requantization: and requant: exclude each other");
    if (s == "onnxruntime_u8") l.onnx_zero_point_offset = 128;
  }
  if (ln["kernel"]) std::tie(l.kernel_h, l.kernel_w) = r_.pair(ln["kernel"], "kernel", ctx);
  if (ln["pool"]) std::tie(l.kernel_h, l.kernel_w) = r_.pair(ln["pool"], "pool", ctx);
  if (ln["stride"]) std::tie(l.stride_h, l.stride_w) = r_.pair(ln["stride"], "stride", ctx);
  if (ln["padding"]) {
    const auto p = r_.as<std::string>(ln["padding"], "same or valid", ctx);
    if (p == "same")
      l.padding = Padding::Same;
    else if (p == "valid")
      l.padding = Padding::Valid;
    else
      r_.fail(ln["padding"], fmt::format("{}padding must be same or valid, got '{}'", ctx, p));
  }
  if (l.op == OpKind::AveragePool2D || l.op == OpKind::MaxPool2D)
    r_.require(ln, "pool", "[KH, KW] pooling window", ctx);
  if (l.op == OpKind::Conv2D || l.op == OpKind::DepthwiseConv2D)
    r_.require(ln, "kernel", "[KH, KW]", ctx);
  if (ln["depth_multiplier"])
    l.depth_multiplier = r_.as_positive_int(ln["depth_multiplier"], "depth_multiplier", ctx);
  if (ln["requant"]) parse_scale_shift(ln["requant"], l, ctx + "requant: ");
  if (has_weights(l.op)) parse_weights(ln, l, ctx);
  if (ln["rounding"]) {
    const auto v = r_.as<std::string>(ln["rounding"], "tflite or half_even", ctx);
    if (v == "half_even")
      l.pool_half_even = true;
    else if (v != "tflite")
      r_.fail(ln["rounding"], fmt::format("{}rounding must be tflite (halves away from zero) or "
                                          "half_even, got '{}'",
                                          ctx, v));
  }
  if (l.op == OpKind::Pad) {
    const auto p = r_.require(ln, "pads", "[top, bottom, left, right]", ctx);
    if (!p.IsSequence() || p.size() != 4)
      r_.fail(p, ctx + "pads must be [top, bottom, left, right]");
    l.pads = {r_.as<int>(p[0], "an int", ctx), r_.as<int>(p[1], "an int", ctx),
              r_.as<int>(p[2], "an int", ctx), r_.as<int>(p[3], "an int", ctx)};
    for (int v : {l.pads.top, l.pads.bottom, l.pads.left, l.pads.right})
      if (v < 0 || v > 65536) r_.fail(p, ctx + "pads must be in 0..65536");
  }
  if (l.op == OpKind::Reshape && ln["shape"]) {
    const auto s = ln["shape"];
    if (!s.IsSequence() || s.size() != 3) r_.fail(s, ctx + "shape must be [h, w, c]");
    l.reshape_to = {r_.as_positive_int(s[0], "h", ctx), r_.as_positive_int(s[1], "w", ctx),
                    r_.as_positive_int(s[2], "c", ctx)};
  }
  if (l.op == OpKind::Softmax && ln["beta"]) {
    l.softmax_beta = r_.as<float>(ln["beta"], "a number", ctx);
    if (!(l.softmax_beta > 0) || !std::isfinite(l.softmax_beta))
      r_.fail(ln["beta"], ctx + "beta must be positive and finite");
  }

  const bool quant_passthrough = l.op == OpKind::AveragePool2D || l.op == OpKind::MaxPool2D ||
                                 l.op == OpKind::Pad || l.op == OpKind::Reshape;
  if (l.requant_mode == RequantMode::ScaleShift) {
    parse_scale_shift_output(ln["output"], l, ctx + "output: ");
  } else if (ln["output"]) {
    l.out_quant = parse_quant(r_, ln["output"], in_q.dtype, ctx + "output: ");
  } else if (quant_passthrough) {
    l.out_quant = in_q;
  } else {
    r_.fail(ln, fmt::format("{}missing key 'output' ({{dtype, scale, zero_point}} of the "
                            "layer's output tensor)",
                            ctx));
  }
  if (ln["hw"]) {
    const auto hw = ln["hw"];
    if (!hw.IsMap()) r_.fail(hw, ctx + "hw must be a mapping {pe, simd, share, mult, buffer}");
    r_.check_keys(hw, {"pe", "simd", "share", "mult", "buffer"}, ctx + "hw: ");
    if (hw["buffer"]) {
      const std::string b = r_.as<std::string>(hw["buffer"], "block or lut", ctx + "hw: buffer: ");
      if (b != "block" && b != "lut")
        r_.fail(hw["buffer"], ctx + fmt::format("hw: buffer: '{}' is not block or lut (where "
                                                "the layer's line buffer goes)",
                                                b));
      l.folding.lut_buffer = b == "lut";
    }
    if (hw["mult"]) {
      const std::string m = r_.as<std::string>(hw["mult"], "dsp or lut", ctx + "hw: mult: ");
      if (m != "dsp" && m != "lut")
        r_.fail(hw["mult"], ctx + fmt::format("hw: mult: '{}' is not dsp or lut (where the "
                                              "layer's multipliers go)",
                                              m));
      if (m == "lut" && l.op != OpKind::Conv2D && l.op != OpKind::FullyConnected)
        r_.fail(hw["mult"], ctx +
                                "hw: mult: lut is implemented for conv2d and "
                                "fully_connected layers only (use dsp or remove the key)");
      l.folding.lut_mult = m == "lut";
    }
    if (hw["pe"]) l.folding.pe = r_.as_positive_int(hw["pe"], "pe", ctx);
    if (hw["simd"]) l.folding.simd = r_.as_positive_int(hw["simd"], "simd", ctx);
    if (hw["share"]) {
      l.folding.share = r_.as<std::string>(hw["share"], "a unit name", ctx + "hw: share: ");
      if (l.op != OpKind::DepthwiseConv2D)
        r_.fail(hw["share"], ctx +
                                 "hw: share names a shared depthwise unit; only "
                                 "depthwise_conv2d layers can use one (remove the key)");
      check_identifier(hw["share"], l.folding.share, ctx + "hw: share");
    }
  }
  const TensorQuant second_q = l.inputs.size() > 1 ? net.quant_of(l.inputs[1]) : in_q;
  const std::string why = quantization_problem(l, in_q, second_q);
  if (!why.empty()) r_.fail(ln, ctx + why);
  return l;
}

}  // namespace rtlgen::yaml
