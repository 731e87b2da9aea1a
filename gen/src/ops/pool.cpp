// Pooling: windows through a line buffer (rtlgen_pool; rtlgen_avgpool_shift for half-even or
// wide elements; rtlgen_avgpool_float for ONNX Runtime's float average) and the global mean
// (rtlgen_global_pool and a requantizer): their folding and their lowering.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

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

// A window pool's cycles per frame: every output pixel takes K_H*K_W cycles per SIMD channels,
// unless the input stream is slower.
int64_t pool_cycles(const Layer& l, int channels, int simd, int64_t in_beats) {
  const int64_t out_px = int64_t(l.out_shape.h) * l.out_shape.w;
  return std::max(out_px * (channels / simd) * l.kernel_h * l.kernel_w, in_beats);
}

void check_pool_simd(const Layer& l, int channels, int simd) {
  if (channels % simd != 0)
    fail(l, fmt::format("hw.simd = {} must divide the {} channels", simd, channels));
}

// The global mean: the frame streams through once, then the C/lanes sums leave.
int64_t mean_cycles(int64_t in_beats, int channels, int lanes) {
  return in_beats + channels / lanes;
}

// rtlgen_pool: max or average (TFLite's count of in-image taps, from tuser) of 8-bit elements.
Instance window_pool(PlanBuilder& b, const Layer& l, int simd, const StreamInfo& src) {
  Instance p = instance("rtlgen_pool", l.name + "_pool");
  p.params = {{"MODE", lit(l.op == OpKind::MaxPool2D ? 1 : 0)},
              {"CHANNELS", lit(src.shape.c)},
              {"SIMD", lit(simd)},
              {"K_H", lit(l.kernel_h)},
              {"K_W", lit(l.kernel_w)},
              {"IN_SIGNED", lit(signed_flag(src.dtype))},
              {"ACT_MIN", lit(l.act_min)},
              {"ACT_MAX", lit(l.act_max)}};
  connect_in(p, l.name + "_win");
  p.ports.push_back({"s_axis_tlast", l.name + "_win_tlast"});
  p.ports.push_back({"s_axis_tuser", l.name + "_win_tuser"});
  connect_out(p, l.name + "_pl");
  p.ports.push_back({"m_axis_tlast", ""});
  b.stream_wires(l.name + "_pl", simd * 8);
  return p;
}

// Half-even average pooling, or pooling of wide elements: rtlgen_avgpool_shift (a sum and a
// rounding shift) for windows of 2^m taps without padding.
void avgpool_shift(PlanBuilder& b, HwLayer& hw, const Layer& l, const StreamInfo& src) {
  const int taps = l.kernel_h * l.kernel_w;
  if (l.op != OpKind::AveragePool2D || !l.pool_half_even)
    fail(l, fmt::format("pooling of {}-bit elements is implemented as average_pool2d with "
                        "rounding: half_even only",
                        src.bits));
  if ((taps & (taps - 1)) != 0 || l.pads.top + l.pads.bottom + l.pads.left + l.pads.right > 0)
    fail(l, fmt::format("a half-even average pool needs a window of 2^m taps without padding "
                        "in hardware (got {}x{}, padding {})",
                        l.kernel_h, l.kernel_w, to_string(l.padding)));
  if (l.act_min > qmin(b.net.quant_of(l.inputs[0])) ||
      l.act_max < qmax(b.net.quant_of(l.inputs[0])))
    fail(l, "a clamp (activation) on a half-even average pool is not implemented in hardware");
  Instance p = instance("rtlgen_avgpool_shift", l.name + "_pool");
  p.params = {{"CHANNELS", lit(src.shape.c)},
              {"SIMD", lit(hw.simd)},
              {"K_H", lit(l.kernel_h)},
              {"K_W", lit(l.kernel_w)},
              {"ELEM_BITS", lit(src.bits)},
              {"IN_SIGNED", lit(signed_flag(src.dtype))},
              {"ROUNDING", lit(int(Rounding::HalfEven))}};
  connect_in(p, l.name + "_win");
  p.ports.push_back({"s_axis_tlast", l.name + "_win_tlast"});
  connect_out(p, l.name + "_pl");
  p.ports.push_back({"m_axis_tlast", ""});
  b.stream_wires(l.name + "_pl", hw.simd * src.bits);
  hw.instances.push_back(p);
}

// ONNX Runtime's float32 average pool (QLinearAveragePool): rtlgen_avgpool_float, the float
// sum in integers and a threshold search that the golden model's own code computes here.
// Its count is K_H*K_W, so every window must lie in the image (no padding).
void avgpool_float(PlanBuilder& b, HwLayer& hw, const Layer& l, const StreamInfo& src) {
  const TensorQuant in_q = b.net.quant_of(l.inputs[0]);
  const int taps = l.kernel_h * l.kernel_w;
  const bool inside = l.pads.top + l.pads.bottom + l.pads.left + l.pads.right == 0 &&
                      (l.out_shape.h - 1) * l.stride_h + l.kernel_h <= src.shape.h &&
                      (l.out_shape.w - 1) * l.stride_w + l.kernel_w <= src.shape.w;
  if (!inside || taps > 64)
    fail(l, fmt::format("ONNX Runtime's float average pool is implemented in hardware for "
                        "windows of at most 64 taps that all lie in the image (got {}x{}, "
                        "padding {}): ONNX Runtime divides by the count of in-image taps, "
                        "which rtlgen_avgpool_float takes as K_H*K_W; remove the padding "
                        "(pads 0, ceil_mode 0)",
                        l.kernel_h, l.kernel_w, to_string(l.padding)));
  if (src.bits != 8)
    fail(l, fmt::format("ONNX Runtime's float average pool needs 8-bit input elements (got {})",
                        src.bits));
  if (!(in_q.scale >= std::ldexp(1.0f, -100) && in_q.scale <= std::ldexp(1.0f, 100)))
    fail(l, fmt::format("input scale {} lies outside [2^-100, 2^100]: rtlgen_avgpool_float's "
                        "integer sum assumes no subnormal or infinite float32 sums; rescale "
                        "the input tensor's quantization",
                        in_q.scale));
  const golden::OnnxPoolThresholds t = golden::onnxruntime_pool_thresholds(
      in_q.scale, taps, l.out_quant.scale, l.out_quant.zero_point, l.onnx_zero_point_offset,
      l.act_min, l.act_max);
  const std::string tfile = l.name + "_pool_thresholds.mem";
  Instance p = instance("rtlgen_avgpool_float", l.name + "_pool");
  p.params = {{"CHANNELS", lit(src.shape.c)},
              {"SIMD", lit(hw.simd)},
              {"K_H", lit(l.kernel_h)},
              {"K_W", lit(l.kernel_w)},
              {"IN_SIGNED", lit(signed_flag(src.dtype))},
              {"IN_ZP", lit(in_q.zero_point)},
              {"IN_MANT", ParamValue::hex(t.in_mant, 24)},
              {"ACT_MIN", lit(l.act_min)},
              {"THRESH_FILE", str_lit(tfile)}};
  connect_in(p, l.name + "_win");
  p.ports.push_back({"s_axis_tlast", l.name + "_win_tlast"});
  connect_out(p, l.name + "_pl");
  p.ports.push_back({"m_axis_tlast", ""});
  b.stream_wires(l.name + "_pl", hw.simd * 8);
  hw.instances.push_back(p);
  // 256 thresholds of sum_bits + 1 bits, two's complement
  const int word_bits = t.sum_bits + 1;
  MemFile mem{tfile, {}, word_bits};
  for (int64_t v : t.thresholds) {
    mem.words.emplace_back(word_bits);
    mem.words.back().set(0, word_bits, uint64_t(v));
  }
  hw.mems.push_back(mem);
  hw.rom_bits += 256 * int64_t(word_bits);
}

void lower_pool(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  HwLayer hw = b.start(l, src);
  const int c = src.shape.c;
  hw.simd = l.folding.simd > 0 ? l.folding.simd : src.elems;
  check_pool_simd(l, c, hw.simd);
  hw.pe = hw.simd;
  hw.est_cycles = pool_cycles(l, c, hw.simd, src.beats_per_frame());
  if (l.op == OpKind::AveragePool2D && l.requant_mode == RequantMode::OnnxRuntimeFloat) {
    hw.instances.push_back(sliding_window(b, l, src, hw.simd, 1, l.name + "_win", true, false));
    avgpool_float(b, hw, l, src);
  } else if (l.pool_half_even || src.bits != 8) {  // every tap is in the image: no tuser
    hw.instances.push_back(sliding_window(b, l, src, hw.simd, 1, l.name + "_win", true, false));
    avgpool_shift(b, hw, l, src);
  } else {
    hw.instances.push_back(sliding_window(b, l, src, hw.simd, 1, l.name + "_win"));
    hw.instances.push_back(window_pool(b, l, hw.simd, src));
  }
  b.output_fifo(hw, l, l.name + "_pl", hw.simd);
  b.record_window_need(l, src, hw.out.elems);
  b.push_layer(hw);
}

void lower_mean(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  HwLayer hw = b.start(l, src);
  const int c = src.shape.c, lanes = src.elems;
  hw.pe = hw.simd = lanes;
  hw.est_cycles = mean_cycles(src.beats_per_frame(), c, lanes);
  // rtlgen_global_pool sizes its sums for any 8-bit input: 9 + ceil(log2(H*W)) bits.
  int px_bits = 0;
  while ((int64_t(1) << px_bits) < int64_t(src.shape.h) * src.shape.w) ++px_bits;
  const int acc_bits = std::max(l.acc_bits, 9 + px_bits);
  Instance g = instance("rtlgen_global_pool", l.name + "_gp");
  g.params = {{"H", lit(src.shape.h)},
              {"W", lit(src.shape.w)},
              {"CHANNELS", lit(c)},
              {"IN_N", lit(lanes)},
              {"IN_SIGNED", lit(signed_flag(src.dtype))},
              {"ACC_BITS", lit(acc_bits)}};
  connect_in(g, src.prefix);
  connect_out(g, l.name + "_sum");
  g.ports.push_back({"m_axis_tlast", ""});
  b.stream_wires(l.name + "_sum", lanes * acc_bits);
  hw.instances.push_back(g);
  requant(b, hw, l, l.name + "_sum", lanes, c, acc_bits, std::vector<int32_t>(c, l.mean_bias),
          l.requant);
  b.record_whole_frame_need(l, src, hw.out);
  b.push_layer(hw);
}

// A window pool of either kind; the kinds differ in their YAML keys and golden kernels.
class PoolOp : public OpDef {
 public:
  void read_yaml(const yaml::LayerKeysIn& in, Layer& l) const override {
    in.window(l, "pool", "[KH, KW] pooling window");
  }
  void write_yaml(yaml::LayerKeysOut& out, const Layer& l) const override { out.window(l, "pool"); }
  bool passes_values_through() const override { return true; }  // picked or averaged
  // the sum of a window (average pooling; max pooling's is sized alike)
  int64_t accumulator_bound(const Network& net, const Layer& l) const override {
    const TensorQuant in_q = net.quant_of(l.inputs[0]);
    return int64_t(l.kernel_h) * l.kernel_w * std::max(std::abs(qmin(in_q)), qmax(in_q));
  }
  Shape output_shape(const Network& net, Layer& l) const override {
    const Shape in = net.shape_of(l.inputs[0]);
    return window_output_shape(l, in, in.c);
  }
  // hw.simd 0: as wide as the input stream (the planner's choice)
  void check_folding(const Network& net, const Layer& l) const override {
    if (l.folding.simd > 0) check_pool_simd(l, net.shape_of(l.inputs[0]).c, l.folding.simd);
  }
  std::vector<FoldChoice> fold_candidates(const Network& net, const Layer& l,
                                          int in_elems) const override {
    std::vector<FoldChoice> out;
    const int c = net.shape_of(l.inputs[0]).c;
    const int64_t in_beats = stream_shape(net, l.inputs[0]).elements() / std::max(in_elems, 1);
    for (int simd : divisors(c)) {
      FoldChoice f;
      f.pe = f.simd = simd;
      f.multipliers = 0;
      f.cycles = pool_cycles(l, c, simd, in_beats);
      f.out_elems = simd;
      out.push_back(f);
    }
    return out;
  }
  // rtlgen_pool: average: DSP = SIMD (division by the tap count), LUT = 14 + 69 SIMD,
  // FF = 18 + 44 SIMD; max: no DSP, LUT = 14 + 20 SIMD, FF = 18 + 20 SIMD; 2 SRLs.
  bool template_resources(const Instance& inst, const std::vector<MemFile>& /*mems*/,
                          ResourceCounts* c) const override {
    const int64_t simd = param(inst, "SIMD", 1);
    if (inst.module == "rtlgen_pool") {
      if (param(inst, "MODE") == 0) {
        c->dsp = simd;
        c->lut = 14 + 69 * simd;
        c->ff = 18 + 44 * simd;
      } else {
        c->lut = 14 + 20 * simd;
        c->ff = 18 + 20 * simd;
      }
      c->srl = 2;
      return true;
    }
    if (inst.module == "rtlgen_avgpool_shift") {
      const int64_t eb = param(inst, "ELEM_BITS", 8);
      c->lut = 10 + simd * 2 * (eb + 3);
      c->ff = 10 + simd * 3 * (eb + 3);
      return true;
    }
    if (inst.module == "rtlgen_avgpool_float") {
      // Not calibrated against Yosys yet. Per lane: a 10 x 25-bit product (2 hard multipliers),
      // two float32 roundings of ~36 bits (leading-sign detect, compare, add), 8 search stages
      // (a 37-bit compare and a lookup in 2^(k-1) constant thresholds each: about 256 words of
      // 37 bits as LUT logic in all) and the 36-bit sum carried through them.
      c->dsp = simd * 2;
      c->lut = 10 + simd * (2 * 3 * 36 + 8 * 37 + 256 * 37 / 6);
      c->ff = 10 + simd * (10 + 3 * 36 + 8 * (36 + 8) + 8);
      return true;
    }
    return false;
  }
  std::optional<int64_t> template_latency(const Instance& inst) const override {
    if (inst.module == "rtlgen_pool") return 6;
    if (inst.module == "rtlgen_avgpool_shift") return 2;
    if (inst.module == "rtlgen_avgpool_float") return 12;
    return std::nullopt;
  }
  // ECP5 (resource_model_ecp5.cpp): the average pool's rtlgen_pool (max pooling and the
  // average-pool requantizers take the 7-series estimate converted)
  bool template_resources_ecp5(const Instance& inst, const std::vector<MemFile>& /*mems*/,
                               ResourceCounts* c) const override {
    if (inst.module == "rtlgen_pool" && param(inst, "MODE") == 0) {
      // average: per lane the tap sum and the multiply by the reciprocal of the tap count
      const int64_t simd = param(inst, "SIMD", 1),
                    nt = param(inst, "K_H", 1) * param(inst, "K_W", 1);
      const int64_t umax = (param(inst, "IN_SIGNED", 1) != 0 ? 128 : 255) * nt + nt / 2;
      const int64_t uw = clog2(umax + 1), rcw = clog2(umax * nt) + 1;
      c->dsp = simd * ecp5_mult_tiles(uw, rcw);
      c->lut = round_count(10 + 5.0 * double(simd * (uw + rcw)));
      c->ff = round_count(26 + 2.5 * double(simd * (uw + rcw)));
      return true;
    }
    return false;
  }
  bool takes_wide_input() const override { return true; }
  void lower(PlanBuilder& b, const Layer& l) const override { lower_pool(b, l, b.stream_of(l)); }
};

class AveragePoolOp : public PoolOp {
 public:
  std::vector<const char*> yaml_keys() const override {
    return {"pool", "stride", "padding", "activation", "rounding"};
  }
  void read_yaml(const yaml::LayerKeysIn& in, Layer& l) const override {
    PoolOp::read_yaml(in, l);
    if (!in.has("rounding")) return;
    const std::string v = in.text("rounding", "tflite or half_even");
    if (v == "half_even")
      l.pool_half_even = true;
    else if (v != "tflite")
      in.fail("rounding", fmt::format("rounding must be tflite (halves away from zero) or "
                                      "half_even, got '{}'",
                                      v));
  }
  void write_yaml(yaml::LayerKeysOut& out, const Layer& l) const override {
    PoolOp::write_yaml(out, l);
    if (l.pool_half_even) out.text("rounding", "half_even");
  }
  // ONNX Runtime's float rescaling (rtlgen_avgpool_float), also of a uint8 run of an int8 graph
  bool takes_requantization_mode() const override { return true; }
  bool takes_onnxruntime_u8() const override { return true; }
  Tensor golden(const Network& net, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::average_pool2d(l, *in[0], net.quant_of(l.inputs[0]));
  }
};

class MaxPoolOp : public PoolOp {
 public:
  std::vector<const char*> yaml_keys() const override {
    return {"pool", "stride", "padding", "activation"};
  }
  Tensor golden(const Network& /*net*/, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::max_pool2d(l, *in[0]);
  }
};

// One lane per element of the input stream: nothing to choose.
class MeanOp : public OpDef {
 public:
  bool takes_requantization_mode() const override { return true; }
  std::string scale_problem(const Layer& l, const TensorQuant& in,
                            const TensorQuant& /*second_in*/) const override {
    if (double(in.scale) / double(l.out_quant.scale) < kTwoTo31) return "";
    return fmt::format(
        "requantization multiplier (input scale {:.9g} / output scale {:.9g}) is 2^31 or more: "
        "no int32 result is representable; check the scales",
        in.scale, l.out_quant.scale);
  }
  // TFLite reference integer MEAN over H, W: sum(q - zp_in) scaled by s_in / (N * s_out), where
  // 1/N is folded into the multiplier with a bounded extra shift.
  void derive_quantization(const Network& net, Layer& l) const override {
    const TensorQuant in_q = net.quant_of(l.inputs[0]);
    const Shape in = net.shape_of(l.inputs[0]);
    const int64_t n = int64_t(in.h) * in.w;
    QuantizedMultiplier qm = quantize_multiplier(double(in_q.scale) / double(l.out_quant.scale));
    int shift = 0;
    for (int64_t v = n; v > 1; v >>= 1) ++shift;  // floor(log2(n))
    shift = std::min(shift, 32);
    shift = std::min(shift, 31 + qm.shift);
    qm.multiplier = static_cast<int32_t>((static_cast<int64_t>(qm.multiplier) << shift) / n);
    qm.shift -= shift;
    l.requant.push_back(qm);
    l.mean_bias = static_cast<int32_t>(-int64_t(in_q.zero_point) * n);
    // ONNX Runtime (MLAS QLinearGlobalAveragePool): x_scale / float(N) / y_scale in float32.
    l.float_scale.clear();
    if (l.requant_mode == RequantMode::OnnxRuntimeFloat)
      l.float_scale.push_back(in_q.scale / static_cast<float>(n) / l.out_quant.scale);
  }
  // the sum over H x W (and, centred on the zero point, times the multiplier's left shift)
  int64_t accumulator_bound(const Network& net, const Layer& l) const override {
    const TensorQuant in_q = net.quant_of(l.inputs[0]);
    const int64_t max_x = std::max(in_q.zero_point - qmin(in_q), qmax(in_q) - in_q.zero_point);
    const Shape in = net.shape_of(l.inputs[0]);
    const int64_t worst =
        int64_t(in.h) * in.w * std::max(std::abs(qmin(in_q.dtype)), qmax(in_q.dtype));
    const int64_t centred = int64_t(in.h) * in.w * max_x;
    const bool no_shift = l.requant_mode == RequantMode::OnnxRuntimeFloat;  // float scale
    const int left = no_shift ? 0 : std::max(0, l.requant[0].shift);
    if (worst > INT32_MAX || (centred << left) > INT32_MAX)
      fail(l, "the sum over H x W could overflow int32");
    return worst;
  }
  Shape output_shape(const Network& net, Layer& l) const override {
    return {1, 1, net.shape_of(l.inputs[0]).c};
  }
  Tensor golden(const Network& /*net*/, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::mean(l, *in[0]);
  }
  std::vector<FoldChoice> fold_candidates(const Network& net, const Layer& l,
                                          int in_elems) const override {
    FoldChoice f;
    f.pe = f.simd = in_elems;
    f.cycles = mean_cycles(stream_shape(net, l.inputs[0]).elements() / std::max(in_elems, 1),
                           net.shape_of(l.inputs[0]).c, in_elems);
    f.out_elems = in_elems;
    return {f};
  }
  // rtlgen_global_pool: IN_N sums of ACC_BITS (adders and registers), their CHANNELS/IN_N
  // words in LUT RAM (the output FIFO), and the ring of the running sums, a shift register of
  // CHANNELS/IN_N words that Yosys puts in SRLC32E: IN_N*ACC_BITS per 32 words (zoo resnet8 at
  // the xc7z020, 32 channels of 15 bits: 15 SRL).
  bool template_resources(const Instance& inst, const std::vector<MemFile>& /*mems*/,
                          ResourceCounts* c) const override {
    if (inst.module != "rtlgen_global_pool") return false;
    const int64_t n = param(inst, "IN_N", 1), ch = param(inst, "CHANNELS", 1),
                  acc = param(inst, "ACC_BITS", 24);
    const int64_t cb = ceil_div(ch, n);
    c->lut = 40 + n * acc * 2;
    c->ff = 40 + n * acc * 2;
    c->lutram = cb > 1 ? lutram_units(cb, n * acc) : 0;
    c->srl = cb > 2 ? n * acc * ceil_div(cb, 32) : 0;
    return true;
  }
  std::optional<int64_t> template_latency(const Instance& inst) const override {
    if (inst.module == "rtlgen_global_pool") return 2;
    return std::nullopt;
  }
  // ECP5 (resource_model_ecp5.cpp)
  bool template_resources_ecp5(const Instance& inst, const std::vector<MemFile>& /*mems*/,
                               ResourceCounts* c) const override {
    if (inst.module == "rtlgen_global_pool") {
      // the channel sums' ring (CHANNELS / IN_N words of IN_N x ACC_BITS) in flip-flops (no shift
      // register primitive), the output FIFO in LUT RAM (mobilenet96: 1,976 FF, 32 DPR16X4)
      const int64_t n = param(inst, "IN_N", 1), lw = n * param(inst, "ACC_BITS", 24);
      const int64_t cb = ceil_div(param(inst, "CHANNELS", 1), n);
      c->lut = 150 + 4 * lw;
      c->ff = 56 + cb * lw;
      c->lutram = ecp5_dpr_cells(cb, lw);
      return true;
    }
    return false;
  }
  void lower(PlanBuilder& b, const Layer& l) const override { lower_mean(b, l, b.stream_of(l)); }
};

}  // namespace

const OpDef& average_pool_op() { return the_op<AveragePoolOp>(); }
const OpDef& max_pool_op() { return the_op<MaxPoolOp>(); }
const OpDef& mean_op() { return the_op<MeanOp>(); }

}  // namespace rtlgen
