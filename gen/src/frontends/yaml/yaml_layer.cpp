#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "frontends/yaml/layer_keys.hpp"
#include "frontends/yaml/yaml_parser.hpp"
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

namespace rtlgen::yaml {

const std::map<std::string, OpInfo>& op_table() {
  static const std::set<std::string> common = {"name", "op",     "inputs",        "output",
                                               "hw",   "source", "requantization"};
  auto with_keys = [&](const std::vector<const char*>& extra) {
    std::set<std::string> s = common;
    for (auto e : extra) s.insert(e);
    return s;
  };
  static const std::map<std::string, OpInfo> all = [&] {
    std::map<std::string, OpInfo> t;
    for (OpKind op : kOpKinds)  // every op's own keys are in its op-table entry
      t[to_string(op)] = {op, with_keys(op_def(op).yaml_keys())};
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
  const OpDef& def = op_def(l.op);
  const auto has = [&def](bool (OpDef::*property)() const) { return (def.*property)(); };
  if (ln["requantization"]) {
    // docs/network-format.md: tflite (default), onnxruntime, onnxruntime_u8 (an op of an int8
    // QDQ graph that ONNX Runtime ran as uint8).
    const auto s = r_.as<std::string>(ln["requantization"], "a requantization", ctx);
    if (s == "onnxruntime" || (s == "onnxruntime_u8" && has(&OpDef::takes_onnxruntime_u8)))
      l.requant_mode = RequantMode::OnnxRuntimeFloat;
    else if (s != "tflite")
      r_.fail(ln["requantization"],
              fmt::format("{}requantization must be tflite or onnxruntime (onnxruntime_u8: "
                          "{} only), got '{}'",
                          ctx, op_names_where(&OpDef::takes_onnxruntime_u8), s));
    if (!has(&OpDef::takes_requantization_mode) && s != "tflite")
      r_.fail(ln["requantization"], fmt::format("{}requantization applies to {} only", ctx,
                                                op_names_where(&OpDef::takes_requantization_mode)));
    if (ln["requant"] && s != "tflite")
      r_.fail(ln["requantization"], ctx + "requantization: and requant: exclude each other");
    if (s == "onnxruntime_u8") l.onnx_zero_point_offset = 128;
  }
  def.read_yaml(LayerKeysIn(r_, ln, ctx), l);  // the op's own keys
  if (ln["requant"]) parse_scale_shift(ln["requant"], l, ctx + "requant: ");
  if (has_weights(l.op)) parse_weights(ln, l, ctx);

  if (l.requant_mode == RequantMode::ScaleShift) {
    parse_scale_shift_output(ln["output"], l, ctx + "output: ");
  } else if (ln["output"]) {
    l.out_quant = parse_quant(r_, ln["output"], in_q.dtype, ctx + "output: ");
  } else if (has(&OpDef::passes_values_through)) {
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
      if (m == "lut" && !has(&OpDef::takes_lut_multipliers))
        r_.fail(hw["mult"], fmt::format("{}hw: mult: lut is implemented for {} layers only (use "
                                        "dsp or remove the key)",
                                        ctx, op_names_where(&OpDef::takes_lut_multipliers)));
      l.folding.lut_mult = m == "lut";
    }
    if (hw["pe"]) l.folding.pe = r_.as_positive_int(hw["pe"], "pe", ctx);
    if (hw["simd"]) l.folding.simd = r_.as_positive_int(hw["simd"], "simd", ctx);
    if (hw["share"]) {
      l.folding.share = r_.as<std::string>(hw["share"], "a unit name", ctx + "hw: share: ");
      if (!has(&OpDef::takes_shared_unit))
        r_.fail(hw["share"], fmt::format("{}hw: share names a shared depthwise unit; only {} "
                                         "layers can use one (remove the key)",
                                         ctx, op_names_where(&OpDef::takes_shared_unit)));
      check_identifier(hw["share"], l.folding.share, ctx + "hw: share");
    }
  }
  const TensorQuant second_q = l.inputs.size() > 1 ? net.quant_of(l.inputs[1]) : in_q;
  const std::string why = quantization_problem(l, in_q, second_q);
  if (!why.empty()) r_.fail(ln, ctx + why);
  return l;
}

}  // namespace rtlgen::yaml
