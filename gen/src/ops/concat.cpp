// CONCATENATION along the channels, the op-table entry: everything rtlgen knows of the op
// beyond its IR kind and its frontends' mappers (docs/adding_an_op.md) -- YAML keys and input
// count, the quantization check, the shape rule, the golden kernel with its requantization
// tables (TFLite's uint8 rule and ONNX Runtime's), the lowering (rtlgen_remap per requantized
// input, width converters, rtlgen_concat) and the resource and latency terms of rtlgen_concat
// and rtlgen_remap.
#include "rtlgen/ops/concat.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "ops/op.hpp"
#include "plan/instance_params.hpp"
#include "plan/plan_builder.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen {
namespace golden {

bool concat_input_requantized(const TensorQuant& in_q, const TensorQuant& out_q) {
  return in_q.scale != out_q.scale || in_q.zero_point != out_q.zero_point;
}

std::vector<int32_t> onnxruntime_concat_table(const TensorQuant& in_q, const TensorQuant& out_q) {
  const int32_t lo = qmin(out_q.dtype), hi = qmax(out_q.dtype);
  std::vector<int32_t> table;
  for (int32_t q = qmin(in_q.dtype); q <= qmax(in_q.dtype); ++q) {
    // QlinearBuildLookupTable: dequantize in float32, then MlasQuantizeLinear: x / scale,
    // round half to even, + zero point, saturate (clamped in float first: no int overflow)
    const float real = static_cast<float>(q - in_q.zero_point) * in_q.scale;
    const float v = std::min(std::max(real / out_q.scale, -1e9f), 1e9f);
    const int32_t y = static_cast<int32_t>(std::nearbyint(v)) + out_q.zero_point;
    table.push_back(std::min(std::max(y, lo), hi));
  }
  return table;
}

std::vector<int32_t> tflite_concat_table(const TensorQuant& in_q, const TensorQuant& out_q) {
  const int32_t lo = qmin(out_q.dtype), hi = qmax(out_q.dtype);
  const float inverse_out_scale = 1.0f / out_q.scale;
  const float scale = in_q.scale * inverse_out_scale;
  const float bias = -static_cast<float>(in_q.zero_point) * scale;
  std::vector<int32_t> table;
  for (int32_t q = qmin(in_q.dtype); q <= qmax(in_q.dtype); ++q) {
    // rounded to float32 before the bias is added: no fused multiply-add, which the compiler
    // may otherwise contract to (probed: with one, 302 of 76,800 values differ)
    const volatile float product = static_cast<float>(q) * scale;
    const float v = std::min(std::max(product + bias, -1e9f), 1e9f);
    const int32_t y = static_cast<int32_t>(std::round(v)) + out_q.zero_point;  // half away
    table.push_back(std::min(std::max(y, lo), hi));
  }
  return table;
}

std::vector<int32_t> concat_table(const Layer& l, const TensorQuant& in_q) {
  return l.requant_mode == RequantMode::OnnxRuntimeFloat
             ? onnxruntime_concat_table(in_q, l.out_quant)
             : tflite_concat_table(in_q, l.out_quant);
}

Tensor concat(const Layer& l, const std::vector<const Tensor*>& in,
              const std::vector<TensorQuant>& in_q) {
  Tensor out(l.out_shape, storage_dtype(l.out_quant));
  int first = 0;  // the output channel of this input's first channel
  for (size_t k = 0; k < in.size(); ++k) {
    const Tensor& t = *in[k];
    std::vector<int32_t> table;
    if (concat_input_requantized(in_q[k], l.out_quant)) table = concat_table(l, in_q[k]);
    const int32_t base = qmin(in_q[k].dtype);
    for (int y = 0; y < t.shape.h; ++y)
      for (int x = 0; x < t.shape.w; ++x)
        for (int c = 0; c < t.shape.c; ++c) {
          const int32_t v = t.at(y, x, c);
          out.at(y, x, first + c) = table.empty() ? v : table[size_t(v - base)];
        }
    first += t.shape.c;
  }
  return out;
}

}  // namespace golden

namespace {

using namespace plan;

// CONCATENATION: inputs of the output's type; each keeps its values when it shares the output's
// quantization, else it is requantized (golden::concat_table): by ONNX Runtime's rule with
// requantization: onnxruntime, by TFLite's uint8 kernel's with the default (tflite). TFLite's
// int8 kernel refuses differing quantization (its Prepare), so an int8 one needs it equal; wide
// (scale-shift) tensors have no requantizing rule.
void check_concat_quant(const Network& net, const Layer& l) {
  if (l.inputs.size() < 2)
    fail(l, fmt::format("concat takes two or more inputs, got {}", l.inputs.size()));
  for (const auto& in : l.inputs) {
    const TensorQuant q = net.quant_of(in);
    if (q.dtype != l.out_quant.dtype || q.bits != l.out_quant.bits)
      fail(l, fmt::format("input '{}' is {} but the output is {}; a concatenation keeps the "
                          "element type",
                          in, type_name(q), type_name(l.out_quant)));
    if (q.scale == l.out_quant.scale && q.zero_point == l.out_quant.zero_point) continue;
    if (q.wide())
      fail(l, fmt::format("input '{}' of {} bits has another scale or zero point than the "
                          "output; wide tensors are concatenated only with equal quantization",
                          in, q.bits));
    const bool tflite_u8 =
        l.requant_mode == RequantMode::FromScales && l.out_quant.dtype == DType::UInt8;
    if (l.requant_mode != RequantMode::OnnxRuntimeFloat && !tflite_u8)
      fail(l, fmt::format("input '{}' (scale {:.9g}, zero point {}) differs from the output's "
                          "quantization (scale {:.9g}, zero point {}); TFLite's int8 "
                          "CONCATENATION requires them equal: give the input the output's "
                          "quantization, or set requantization: onnxruntime (ONNX Runtime's "
                          "QLinearConcat rule)",
                          in, q.scale, q.zero_point, l.out_quant.scale, l.out_quant.zero_point));
  }
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
  for (int32_t v : golden::concat_table(l, q)) {
    mem.words.emplace_back(8);
    mem.words.back().set(0, 8, uint64_t(v));
  }
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
    return ParamValue::fields(std::vector<int64_t>(v.begin(), v.end()), 32, false);
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

class ConcatOp : public OpDef {
 public:
  InputCount input_count() const override { return {2, InputCount::kAny}; }
  bool takes_requantization_mode() const override { return true; }
  void check_quantization(const Network& net, const Layer& l) const override {
    check_concat_quant(net, l);
  }

  Shape output_shape(const Network& net, Layer& l) const override {
    const Shape in = net.shape_of(l.inputs[0]);
    Shape out = in;
    for (size_t k = 1; k < l.inputs.size(); ++k) {
      const Shape b = net.shape_of(l.inputs[k]);
      if (b.h != in.h || b.w != in.w)
        fail(l, fmt::format("input '{}' is {} but '{}' is {}: a concatenation joins the "
                            "channels of inputs of equal height and width",
                            l.inputs[k], b.str(), l.inputs[0], in.str()));
      out.c += b.c;
    }
    return out;
  }

  Tensor golden(const Network& net, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    std::vector<TensorQuant> qs;
    for (const auto& t : l.inputs) qs.push_back(net.quant_of(t));
    return golden::concat(l, in, qs);
  }

  void lower(PlanBuilder& b, const Layer& l) const override { lower_concat(b, l); }

  bool template_resources(const Instance& inst, const std::vector<MemFile>& /*mems*/,
                          ResourceCounts* c) const override {
    if (inst.module == "rtlgen_concat") {
      // per output bit an AND-OR of the inputs that can place an element there (sum of the
      // inputs' IN_N over N elements: N_IN:1 when every input is N wide, none when whole pixels
      // sit side by side), a valid/ready term per input and, with more than one beat per
      // pixel, the beat counter and its compares (Yosys synth_xilinx: two inputs, N 4, 3 + 2
      // beats: 39 LUT, 3 FF, this model 44, 3; two and four inputs side by side, N 8 and 20: 3
      // and 5 LUT, no FF, this model the same)
      const int64_t n = param(inst, "N", 1), bits = param(inst, "ELEM_BITS", 8);
      const std::vector<int64_t> in_n = param_fields(inst, "IN_N"),
                                 in_beats = param_fields(inst, "IN_BEATS");
      int64_t lanes = 0, elems = 0;
      for (size_t k = 0; k < in_n.size() && k < in_beats.size(); ++k) {
        lanes += in_n[k];
        elems += in_n[k] * in_beats[k];
      }
      const int64_t beats = ceil_div(elems, std::max<int64_t>(n, 1));
      const int64_t cw = beats > 1 ? clog2(beats) : 0;
      c->lut = (beats > 1 ? 4 + 2 * cw : 1) + int64_t(in_n.size()) +
               bits * std::max<int64_t>(lanes - n, 0);
      c->ff = cw;
      return true;
    }
    if (inst.module == "rtlgen_remap") {
      // per lane a 256 x 8 ROM as logic: 4 LUT6 and the F7/F8 multiplexers per output bit
      // (Yosys synth_xilinx, N 4, a QLinearConcat table: 122 LUT + 84 MUXF7/F8, 33 FF; this
      // model: 130, 33)
      const int64_t n = param(inst, "N", 1);
      c->lut = 2 + n * 8 * 4;
      c->ff = 1 + n * 8;
      return true;
    }
    return false;
  }

  std::optional<int64_t> template_latency(const Instance& inst) const override {
    if (inst.module == "rtlgen_concat") return 0;  // combinational join
    if (inst.module == "rtlgen_remap") return 1;   // registered table read
    return std::nullopt;
  }
};

}  // namespace

const OpDef& concat_op() { return the_op<ConcatOp>(); }

}  // namespace rtlgen
