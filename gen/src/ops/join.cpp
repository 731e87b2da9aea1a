// The layers that join or re-label streams, lowered: ADD and CONCATENATION (their forks'
// skip FIFOs are sized later, by the skip-FIFO pass), PAD (merged into the convolution it feeds)
// and RESHAPE (no hardware).
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <numeric>

#include "ops/op.hpp"
#include "plan/plan_builder.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/golden.hpp"

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
                {"A_MANT", fmt::format("24'h{:06x}", h.a_mant)},
                {"B_MANT", fmt::format("24'h{:06x}", h.b_mant)},
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

// Input k of a concatenation, through rtlgen_remap when its quantization differs from the
// output's (the table: golden::concat_table, so hardware = golden model).
StreamInfo remap_input(PlanBuilder& b, HwLayer& hw, const Layer& l, int k, StreamInfo s) {
  const TensorQuant q = b.net.quant_of(l.inputs[size_t(k)]);
  if (!golden::concat_input_requantized(q, l.out_quant)) return s;
  if (s.bits != 8)
    fail(l, fmt::format("input '{}' of {} bits would need requantizing; only 8-bit inputs "
                        "have a hardware requantizer (rtlgen_remap)",
                        l.inputs[size_t(k)], s.bits));
  const std::string tag = fmt::format("_remap{}", k);
  const std::string tfile = l.name + tag + ".mem";
  Instance r = instance("rtlgen_remap", l.name + tag);
  r.params = {
      {"N", lit(s.elems)}, {"SIGNED", lit(signed_flag(q.dtype))}, {"TABLE_FILE", str_lit(tfile)}};
  connect_in(r, s.prefix);
  connect_out(r, l.name + tag);
  b.stream_wires(l.name + tag, s.elems * 8);
  hw.instances.push_back(r);
  MemFile mem{tfile, {}, 8};
  for (int32_t v : golden::concat_table(l, q))
    mem.lines.push_back(fmt::format("{:02x}", uint32_t(v) & 0xffu));
  hw.mems.push_back(mem);
  hw.rom_bits += 256 * 8 * int64_t(s.elems);
  s.prefix = l.name + tag;
  return s;
}

// CONCATENATION of N inputs along the channels: an input quantized otherwise than the output
// passes rtlgen_remap (its requantization as a table of the golden model), each is
// width-converted to its beat of the layout, then rtlgen_concat -> fifo. The layout: every
// input at one width n, the widest that divides every input's channels and joins each input's
// beats (per pixel input 0's channels / n beats, then input 1's, ...); when that takes more
// beats per frame than the slowest stage planned before it takes cycles, the inputs' whole
// pixels side by side, one output beat per pixel, so that the join keeps the pipeline's rate.
// Forks feeding several inputs get skip FIFOs, sized from the beats each output beat needs.
void lower_concat(PlanBuilder& b, const Layer& l) {
  std::vector<StreamInfo> in;
  for (size_t k = 0; k < l.inputs.size(); ++k) in.push_back(b.stream_of(l, int(k)));
  HwLayer hw = b.start(l, in[0]);
  hw.join_inputs.assign(l.inputs.begin() + 1, l.inputs.end());
  const int bits = l.out_quant.bits;
  // a width converter makes beats of d elements from each input's beats (one divides the other)
  const auto joins_all = [&](const std::function<int(const StreamInfo&)>& d) {
    return std::all_of(in.begin(), in.end(), [&](const StreamInfo& s) {
      return s.elems % d(s) == 0 || d(s) % s.elems == 0;
    });
  };
  int channels_gcd = 0;
  for (const StreamInfo& s : in) channels_gcd = std::gcd(channels_gcd, s.shape.c);
  int n = 1;
  for (int d = 1; d <= channels_gcd; ++d)
    if (channels_gcd % d == 0 && joins_all([d](const StreamInfo&) { return d; })) n = d;
  const int64_t pixels = int64_t(l.out_shape.h) * l.out_shape.w;
  int64_t slowest = b.plan.input.beats_per_frame();
  for (const HwLayer& p : b.plan.layers) slowest = std::max(slowest, p.est_cycles);
  const bool whole = pixels * (l.out_shape.c / n) > slowest &&
                     joins_all([](const StreamInfo& s) { return s.shape.c; });
  const int out_n = whole ? l.out_shape.c : n;
  std::vector<int> width, beats;
  std::vector<std::string> data, valid, ready;
  for (size_t k = 0; k < in.size(); ++k) {
    width.push_back(whole ? in[k].shape.c : n);
    beats.push_back(in[k].shape.c / width.back());
    const std::string from = b.width_convert(hw, l, remap_input(b, hw, l, int(k), in[k]),
                                             width.back(), fmt::format("_wc{}", k));
    data.push_back(from + "_tdata");
    valid.push_back(from + "_tvalid");
    ready.push_back(from + "_tready");
  }
  const auto fields = [](const std::vector<int>& v) {
    std::vector<std::string> f;
    for (int x : v) f.push_back(fmt::format("32'd{}", x));
    return concat_items(f);
  };
  Instance u = instance("rtlgen_concat", l.name + "_cat");
  u.params = {{"N_IN", lit(int64_t(in.size()))},
              {"N", lit(out_n)},
              {"ELEM_BITS", lit(bits)},
              {"IN_N", fields(width)},
              {"IN_BEATS", fields(beats)}};
  u.ports.push_back({"s_axis_tdata", concat_items(data)});
  u.ports.push_back({"s_axis_tvalid", concat_items(valid)});
  u.ports.push_back({"s_axis_tready", concat_items(ready)});
  connect_out(u, l.name + "_cat");
  b.stream_wires(l.name + "_cat", out_n * bits);
  hw.instances.push_back(u);
  b.output_fifo(hw, l, l.name + "_cat", out_n);
  hw.pe = hw.simd = out_n;
  hw.est_cycles = hw.out.beats_per_frame();
  for (const StreamInfo& s : in) hw.est_cycles = std::max(hw.est_cycles, s.beats_per_frame());
  // Output beat r of pixel p needs all of every input's pixel p - 1 and, of input k's pixel p,
  // the channels of its beats up to r: none before its first output beat (rtlgen_concat's
  // FIRST(k): the output beats of the inputs before it), at most its channels.
  const int64_t per_px = l.out_shape.c / out_n;
  const size_t out_beats = size_t(hw.out.beats_per_frame());
  std::vector<std::vector<int64_t>> need_in(in.size(), std::vector<int64_t>(out_beats));
  int64_t first = 0, fill = 0;  // rtlgen_concat's layout walk
  for (size_t k = 0; k < in.size(); ++k) {
    const int64_t c = in[k].shape.c;
    for (size_t j = 0; j < out_beats; ++j) {
      const int64_t p = int64_t(j) / per_px, r = int64_t(j) % per_px;
      const int64_t part = std::clamp<int64_t>((r - first + 1) * width[k], 0, c);
      need_in[k][j] = (p * c + part + in[k].elems - 1) / in[k].elems;
    }
    fill += int64_t(width[k]) * beats[k];
    first += fill / out_n;
    fill %= out_n;
  }
  StageNeed stage;
  for (size_t k = 0; k < in.size(); ++k) stage.push_back({l.inputs[k], need_in[k]});
  b.record_need(l.name, stage);
  b.record_join(l, need_in);
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
  void lower(PlanBuilder& b, const Layer& l) const override { lower_add(b, l); }
};

class ConcatOp : public OpDef {
 public:
  void lower(PlanBuilder& b, const Layer& l) const override { lower_concat(b, l); }
};

class PadOp : public OpDef {
 public:
  void lower(PlanBuilder& b, const Layer& l) const override { lower_pad(b, l, b.stream_of(l)); }
};

class ReshapeOp : public OpDef {
 public:
  void lower(PlanBuilder& b, const Layer& l) const override { lower_reshape(b, l, b.stream_of(l)); }
};

}  // namespace

const OpDef& add_op() { return the_op<AddOp>(); }
const OpDef& concat_op() { return the_op<ConcatOp>(); }
const OpDef& pad_op() { return the_op<PadOp>(); }
const OpDef& reshape_op() { return the_op<ReshapeOp>(); }

}  // namespace rtlgen
