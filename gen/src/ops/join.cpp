// The layers that join or re-label streams, lowered: ADD (its forks' skip FIFOs are sized later,
// by the skip-FIFO pass), PAD (merged into the convolution it feeds) and RESHAPE (no hardware).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "frontends/yaml/layer_keys.hpp"
#include "ops/op.hpp"
#include "plan/instance_params.hpp"
#include "plan/plan_builder.hpp"
#include "resources/resource_model_ecp5.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/fixed_point.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen {
namespace {

using namespace plan;

// PAD has no hardware of its own: its padding (with the input zero point, which is also
// TFLite's pad value) joins the padding of the one convolution it feeds, whose line buffer
// already produces out-of-image taps.
void lower_pad(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  const auto& cons = b.consumers_of(l.name);
  const Layer* c = cons.size() == 1 ? &b.net.layers[size_t(cons[0].first)] : nullptr;
  if (!c || (c->op != OpKind::Conv2D && c->op != OpKind::DepthwiseConv2D))
    fail(l,
         "PAD is implemented by merging it into the padding of the next layer, which must "
         "be its only consumer and a conv2d or depthwise_conv2d");
  const Pads sum{l.pads.top + c->pads.top, l.pads.bottom + c->pads.bottom,
                 l.pads.left + c->pads.left, l.pads.right + c->pads.right};
  if (sum.top >= c->kernel_h || sum.bottom >= c->kernel_h || sum.left >= c->kernel_w ||
      sum.right >= c->kernel_w)
    fail(l,
         fmt::format("padding {}/{}/{}/{} (top/bottom/left/right, with the next layer's own) "
                     "must stay below the {}x{} kernel of '{}' to be merged into it",
                     sum.top, sum.bottom, sum.left, sum.right, c->kernel_h, c->kernel_w, c->name));
  if (l.out_quant.zero_point != b.net.quant_of(l.inputs[0]).zero_point)
    fail(l, "PAD must keep the input's quantization to be merged into the next layer");
  b.merge_pad(c->name, l.pads);
  StreamInfo s = src;  // the unpadded stream goes on to the convolution
  s.tensor = l.name;
  b.set_stream(l.name, s);
  b.record_need(l.name, {{src.tensor, count_up(s.beats_per_frame())}});
}

// ADD: both inputs joined beat by beat (B width-converted to A's elements per beat when they
// differ), then rtlgen_add -> fifo. A fork feeding both inputs gets a skip FIFO.
void lower_add(PlanBuilder& b, const Layer& l) {
  const StreamInfo a = b.stream_of(l, 0), bs = b.stream_of(l, 1);
  HwLayer hw = b.start(l, a);
  hw.join_inputs = {l.inputs[1]};
  const int n = a.elems;
  const std::string pb = b.width_convert(hw, l, bs, n, "_wcb");
  const TensorQuant qa = b.net.quant_of(l.inputs[0]), qb = b.net.quant_of(l.inputs[1]);
  Instance u = instance("rtlgen_add", l.name + "_add");
  if (l.requant_mode == RequantMode::OnnxRuntimeFloat) {
    // ONNX Runtime's float32 QLinearAdd, exactly in integers (rtlgen_add_float)
    const golden::OnnxAddRule r =
        golden::onnxruntime_add_rule(qa, qb, l.out_quant, l.onnx_zero_point_offset);
    const golden::OnnxAddHw h = golden::onnxruntime_add_hw(r);
    if (!h.ok)
      fail(l, "ONNX Runtime's add has no exact integer form in rtlgen_add_float: " + h.why +
                  "; requantize the inputs or the output to closer scales");
    u.module = "rtlgen_add_float";
    u.params = {{"N", lit(n)},
                {"SIGNED", lit(signed_flag(l.out_quant.dtype))},
                {"OFFSET", lit(r.offset)},
                {"A_MANT", ParamValue::hex(h.a_mant, 24)},
                {"B_MANT", ParamValue::hex(h.b_mant, 24)},
                {"F_MANT", lit(h.f_mant)},
                {"SH_A", lit(h.sh_a)},
                {"SH_B", lit(h.sh_b)},
                {"SH_F", lit(h.sh_f)},
                {"SH_I", lit(h.sh_i)},
                {"K", lit(h.k)},
                {"W", lit(h.width)},
                {"RUN_MIN", lit(r.run_min)},
                {"RUN_MAX", lit(r.run_max)},
                {"ACT_MIN", lit(l.act_min)},
                {"ACT_MAX", lit(l.act_max)}};
  } else {
    u.params = {{"N", lit(n)},
                {"SIGNED", lit(signed_flag(l.out_quant.dtype))},
                {"A_ZP", lit(qa.zero_point)},
                {"B_ZP", lit(qb.zero_point)},
                {"OUT_ZP", lit(l.out_quant.zero_point)},
                {"LEFT_SHIFT", lit(l.add.left_shift)},
                {"A_MULT", lit(l.add.input1.multiplier)},
                {"A_SHIFT", lit(l.add.input1.shift)},
                {"B_MULT", lit(l.add.input2.multiplier)},
                {"B_SHIFT", lit(l.add.input2.shift)},
                {"OUT_MULT", lit(l.add.output.multiplier)},
                {"OUT_SHIFT", lit(l.add.output.shift)},
                {"ACT_MIN", lit(l.act_min)},
                {"ACT_MAX", lit(l.act_max)}};
  }
  u.ports.push_back({"s_a_axis_tdata", a.prefix + "_tdata"});
  u.ports.push_back({"s_a_axis_tvalid", a.prefix + "_tvalid"});
  u.ports.push_back({"s_a_axis_tready", a.prefix + "_tready"});
  u.ports.push_back({"s_b_axis_tdata", pb + "_tdata"});
  u.ports.push_back({"s_b_axis_tvalid", pb + "_tvalid"});
  u.ports.push_back({"s_b_axis_tready", pb + "_tready"});
  connect_out(u, l.name + "_sum");
  b.stream_wires(l.name + "_sum", n * 8);
  hw.instances.push_back(u);
  b.output_fifo(hw, l, l.name + "_sum", n);
  hw.pe = hw.simd = n;
  hw.est_cycles = a.beats_per_frame();
  // ADD beat j needs A beat j and the B beats holding its elements.
  const size_t beats = size_t(a.beats_per_frame());
  std::vector<int64_t> va(beats), vb(beats);
  for (size_t j = 0; j < beats; ++j) {
    va[j] = int64_t(j) + 1;
    vb[j] = (int64_t(j + 1) * n + bs.elems - 1) / bs.elems;
  }
  b.record_need(l.name, {{l.inputs[0], va}, {l.inputs[1], vb}});
  b.record_join(l, {va, vb});
  b.push_layer(hw);
}

void lower_reshape(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  StreamInfo s = src;  // same bytes in the same order: no hardware
  s.tensor = l.name;
  s.shape = l.out_shape;
  b.set_stream(l.name, s);
  b.record_need(l.name, {{src.tensor, count_up(s.beats_per_frame())}});
}

class AddOp : public OpDef {
 public:
  std::vector<const char*> yaml_keys() const override { return {"activation"}; }
  InputCount input_count() const override { return {2, 2}; }
  bool takes_requantization_mode() const override { return true; }
  bool takes_onnxruntime_u8() const override { return true; }  // rtlgen_add_float's offset
  // (the common scale of derive_quantization)
  std::string scale_problem(const Layer& /*l*/, const TensorQuant& in,
                            const TensorQuant& second_in) const override {
    if (std::isfinite(2.0f * std::max(in.scale, second_in.scale))) return "";
    return fmt::format(
        "ADD input scales {:.9g} and {:.9g}: twice the larger one is not a finite float32",
        in.scale, second_in.scale);
  }
  void check_quantization(const Network& net, const Layer& l) const override {
    if (net.quant_of(l.inputs[1]).dtype != net.quant_of(l.inputs[0]).dtype)
      fail(l, "both ADD inputs must have the same dtype");
  }
  // TFLite's integer ADD: both inputs to a common scale (twice the larger input scale) with
  // 20 bits of headroom, then to the output's; ONNX Runtime's float32 rule has no multipliers.
  void derive_quantization(const Network& net, Layer& l) const override {
    if (l.requant_mode == RequantMode::OnnxRuntimeFloat) return;
    const TensorQuant a_q = net.quant_of(l.inputs[0]), b_q = net.quant_of(l.inputs[1]);
    l.add.left_shift = 20;
    const double twice_max = 2.0f * std::max(a_q.scale, b_q.scale);
    const double r1 = double(a_q.scale) / twice_max;
    const double r2 = double(b_q.scale) / twice_max;
    const double ro = twice_max / double(float(1 << l.add.left_shift) * l.out_quant.scale);
    l.add.input1 = quantize_multiplier(r1);
    l.add.input2 = quantize_multiplier(r2);
    l.add.output = quantize_multiplier(ro);
    if (l.add.input1.shift > 0 || l.add.input2.shift > 0 || l.add.output.shift > 0)
      fail(l, "ADD rescale factors must be < 1 (output scale too small for the inputs)");
  }

  Shape output_shape(const Network& net, Layer& l) const override {
    const Shape a = net.shape_of(l.inputs[0]), b = net.shape_of(l.inputs[1]);
    if (b != a)
      fail(l, fmt::format("inputs have different shapes {} and {} (broadcasting is not "
                          "supported)",
                          a.str(), b.str()));
    return a;
  }

  Tensor golden(const Network& net, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::add(l, *in[0], net.quant_of(l.inputs[0]), *in[1], net.quant_of(l.inputs[1]));
  }

  bool template_resources(const Instance& inst, const std::vector<MemFile>& /*mems*/,
                          ResourceCounts* c) const override {
    const int64_t n = param(inst, "N", 1);
    if (inst.module == "rtlgen_add") {
      // three 32x32 products per element; LUT and FF per element from Yosys 0.23 on zoo
      // resnet8 folded to the xc7z020 (N 4: 852 LUT, 1,888 FF; N 1: 216, 485; was 30 + 450 N
      // and 30 + 500 N, 2.1x the LUTs)
      c->dsp = 3 * mul_wide_dsp(32) * n;
      c->lut = 4 + 212 * n;
      c->ff = 17 + 468 * n;
      return true;
    }
    if (inst.module == "rtlgen_add_float") {
      // Not calibrated against Yosys yet. Per lane: two 11 x 25-bit products (2 hard
      // multipliers each), two W-bit adds, two float32 roundings (leading-sign detect, compare,
      // add) and the rounding / clamps; about 8 registers of W bits.
      const int64_t w = param(inst, "W", 48);
      c->dsp = n * 4;
      c->lut = 10 + n * (8 * w + 40);
      c->ff = 10 + n * (8 * w + 40);
      return true;
    }
    return false;
  }

  std::optional<int64_t> template_latency(const Instance& inst) const override {
    if (inst.module == "rtlgen_add") return 16;
    if (inst.module == "rtlgen_add_float") return 8;
    return std::nullopt;
  }

  // ECP5 (resource_model_ecp5.cpp): rtlgen_add (rtlgen_add_float takes the 7-series estimate
  // converted)
  bool template_resources_ecp5(const Instance& inst, const std::vector<MemFile>& /*mems*/,
                               ResourceCounts* c) const override {
    if (inst.module == "rtlgen_add") {
      // per element three 32 x 32 products (four tiles each), adders and the rounding pipeline
      // (ResNet-8: 4 elements, 2,103 LUT4 sites, 3,115 FF)
      const int64_t n = param(inst, "N", 1);
      c->dsp = 3 * ecp5_mult_tiles(32, 32) * n;
      c->lut = 20 + 520 * n;
      c->ff = 30 + 770 * n;
      return true;
    }
    return false;
  }

  void lower(PlanBuilder& b, const Layer& l) const override { lower_add(b, l); }
};

class PadOp : public OpDef {
 public:
  std::vector<const char*> yaml_keys() const override { return {"pads"}; }
  void read_yaml(const yaml::LayerKeysIn& in, Layer& l) const override {
    in.require("pads", "[top, bottom, left, right]");
    const std::vector<int> p = in.ints("pads", 4, "pads must be [top, bottom, left, right]");
    l.pads = {p[0], p[1], p[2], p[3]};
    for (int v : p)
      if (v < 0 || v > 65536) in.fail("pads", "pads must be in 0..65536");
  }
  void write_yaml(yaml::LayerKeysOut& out, const Layer& l) const override {
    out.ints("pads", {l.pads.top, l.pads.bottom, l.pads.left, l.pads.right});
  }
  bool passes_values_through() const override { return true; }  // and the zero point
  bool adds_zero_points() const override { return true; }
  Shape output_shape(const Network& net, Layer& l) const override {
    const Shape in = net.shape_of(l.inputs[0]);
    return {in.h + l.pads.top + l.pads.bottom, in.w + l.pads.left + l.pads.right, in.c};
  }
  Tensor golden(const Network& /*net*/, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::pad(l, *in[0]);
  }
  void lower(PlanBuilder& b, const Layer& l) const override { lower_pad(b, l, b.stream_of(l)); }
};

class ReshapeOp : public OpDef {
 public:
  std::vector<const char*> yaml_keys() const override { return {"shape"}; }
  // shape: [h, w, c]; without it, a vector of every element (flatten)
  void read_yaml(const yaml::LayerKeysIn& in, Layer& l) const override {
    if (!in.has("shape")) return;
    const std::vector<int> s =
        in.positive_ints("shape", {"h", "w", "c"}, "shape must be [h, w, c]");
    l.reshape_to = {s[0], s[1], s[2]};
  }
  void write_yaml(yaml::LayerKeysOut& out, const Layer& l) const override {
    if (l.reshape_to.c > 0) out.ints("shape", {l.reshape_to.h, l.reshape_to.w, l.reshape_to.c});
  }
  bool passes_values_through() const override { return true; }  // reordered
  Shape output_shape(const Network& net, Layer& l) const override {
    const Shape in = net.shape_of(l.inputs[0]);
    const Shape out = l.reshape_to.c == 0 ? Shape{1, 1, int(in.elements())} : l.reshape_to;
    if (out.elements() != in.elements())
      fail(l, fmt::format("cannot reshape {} ({} elements) to {} ({} elements)", in.str(),
                          in.elements(), out.str(), out.elements()));
    return out;
  }
  Tensor golden(const Network& /*net*/, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::reshape(l, *in[0]);
  }
  void lower(PlanBuilder& b, const Layer& l) const override { lower_reshape(b, l, b.stream_of(l)); }
};

}  // namespace

const OpDef& add_op() { return the_op<AddOp>(); }
const OpDef& pad_op() { return the_op<PadOp>(); }
const OpDef& reshape_op() { return the_op<ReshapeOp>(); }

}  // namespace rtlgen
