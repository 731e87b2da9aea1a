// Depthwise convolutions: their folding (PE channels in parallel, one tap per cycle) and their
// lowering: a line buffer and a depthwise unit (rtlgen_dwu) per layer, or layers sharing one
// unit (rtlgen_dwu_shared), with its requantizer for all of them when they agree on the epilogue.
#include <fmt/format.h>

#include <algorithm>

#include "frontends/yaml/layer_keys.hpp"
#include "ops/op.hpp"
#include "plan/instance_params.hpp"
#include "plan/plan_builder.hpp"
#include "resources/resource_model_ecp5.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/resource_model.hpp"
#include "rtlgen/weight_packing.hpp"

namespace rtlgen {

const OpDef& depthwise_op();  // this file's entry, defined at its end

int64_t depthwise_busy_cycles(const Layer& l, int pe) {
  return int64_t(l.out_shape.h) * l.out_shape.w * (l.out_shape.c / pe) * l.kernel_h * l.kernel_w;
}

namespace {

using namespace plan;

void require_depth_multiplier_1(const Layer& l) {
  if (l.depth_multiplier != 1)
    fail(l, fmt::format("depth multiplier {} has no RTL yet (only 1)", l.depth_multiplier));
}

// Weights [KH][KW][C] -> w[c][t].
std::vector<int32_t> depthwise_weights_ct(const Layer& l) {
  const int c = l.out_shape.c, taps = l.kernel_h * l.kernel_w;
  std::vector<int32_t> w_ct(size_t(c) * taps);
  for (int t = 0; t < taps; ++t)
    for (int ch = 0; ch < c; ++ch) w_ct[size_t(ch) * taps + t] = l.weights[size_t(t) * c + ch];
  return w_ct;
}

// The members of shared depthwise unit `name`, in stream order.
std::vector<const Layer*> shared_members(const Network& net, const std::string& name) {
  std::vector<const Layer*> m;
  for (const Layer& x : net.layers)
    if (x.op == OpKind::DepthwiseConv2D && x.folding.share == name) m.push_back(&x);
  return m;
}

// rtlgen_dwu_shared OUT_DEPTH: the fewest result slots (a power of two) with which one input
// alone keeps the unit busy, (OUT_DEPTH - 1) * TAPS >= LATENCY.
int unit_out_depth(int taps, int latency) {
  int out_depth = 2;
  while ((out_depth - 1) * taps < latency) out_depth *= 2;
  return out_depth;
}

// One requantizer inside a shared depthwise unit for all its members (rtlgen_dwu_shared
// REQUANT 1): the unit yields one chunk of PE accumulators every TAPS cycles at most, whichever
// member it belongs to, so one requantizer at that rate serves them all. Taken for TFLite's
// integer epilogue when the members agree on what the template fixes for all of them (output
// type, rounding) and the result buffers can cover the longer latency; else (float or
// scale-shift epilogues) every member keeps its own requantizer behind the unit.
struct UnitRequant {
  bool on = false;
  int mul_bits = 0;
  RequantSharing share;
  int latency = 6;  // rtlgen_dwu_shared LATENCY: last tap to output beat
};
UnitRequant unit_requant(const std::vector<const Layer*>& members, int pe, int taps, int acc_bits) {
  UnitRequant u;
  const Layer& first = *members[0];
  if (acc_bits > 32) return u;
  int mul_bits = 2;
  for (const Layer* m : members) {
    if (m->requant_mode != RequantMode::FromScales || m->out_quant.bits != 8 ||
        m->out_quant.dtype != first.out_quant.dtype || m->single_rounding != first.single_rounding)
      return u;
    mul_bits =
        std::max(mul_bits, requant_mul_bits(acc_bits, m->bias, m->requant, m->single_rounding));
  }
  u.share = requant_sharing(pe, taps, mul_bits);
  const int split = pe / u.share.lanes;
  u.latency = split == 1 ? 19 : 20 + (split - 1) * u.share.mul_cycles;
  if (unit_out_depth(taps, u.latency) > 16) return u;
  u.on = true;
  u.mul_bits = mul_bits;
  return u;
}

// A member of a shared depthwise unit: its own line buffer, and its own requantizer unless the
// unit has one for all (unit_requant); the unit (rtlgen_dwu_shared) is instantiated with its
// last member, when every member's streams exist.
void shared_depthwise(PlanBuilder& b, HwLayer& hw, const Layer& l, const StreamInfo& src) {
  const std::vector<const Layer*> members = shared_members(b.net, l.folding.share);
  const int taps = l.kernel_h * l.kernel_w, c = src.shape.c;
  const TensorQuant in_q = b.net.quant_of(l.inputs[0]);
  int acc_bits = 2;
  int64_t busy = 0, macs = 0;
  for (const Layer* m : members) {
    const auto where = [&](const std::string& what) {
      fail(*m, fmt::format("shares depthwise unit '{}' with '{}' but has {}; members of a "
                           "unit need the same hw.pe, kernel size and element types (or "
                           "give it another hw.share)",
                           l.folding.share, members[0]->name, what));
    };
    if (m->folding.pe != members[0]->folding.pe)
      where(fmt::format("hw.pe = {} (not {})", m->folding.pe, members[0]->folding.pe));
    if (m->kernel_h * m->kernel_w != members[0]->kernel_h * members[0]->kernel_w)
      where(fmt::format("a {}x{} kernel", m->kernel_h, m->kernel_w));
    if (b.net.quant_of(m->inputs[0]).dtype != b.net.quant_of(members[0]->inputs[0]).dtype ||
        m->weight_dtype != members[0]->weight_dtype)
      where("other input or weight types");
    require_depth_multiplier_1(*m);
    depthwise_op().check_folding(b.net, *m);
    acc_bits = std::max(acc_bits, m->acc_bits);
    busy += depthwise_busy_cycles(*m, hw.pe);
    macs += m->macs;
  }
  if (b.net.find(l.folding.share) || l.folding.share == b.net.input.name)
    fail(l, fmt::format("hw.share '{}' is also the name of a tensor; the unit's instance and "
                        "weight file would collide with that layer's: rename the unit",
                        l.folding.share));
  if (int(members.size()) > 32)
    fail(l, fmt::format("shared depthwise unit '{}' has {} members; at most 32", l.folding.share,
                        members.size()));
  // The unit is one stage for every member: a frame takes it `busy` cycles.
  hw.est_cycles = std::max(busy, src.beats_per_frame());
  hw.ideal_cycles = (macs + hw.pe - 1) / hw.pe;
  hw.shared_unit = l.folding.share;
  const bool last = members.back() == &l;
  hw.multipliers = last ? hw.pe : 0;
  hw.instances.push_back(sliding_window(b, l, src, hw.pe, 1, l.name + "_win", false));
  const UnitRequant urq = unit_requant(members, hw.pe, taps, acc_bits);
  // the unit's output for this member: its activations (urq.on) or its accumulators
  const std::string res = l.name + (urq.on ? "_rq" : "_acc");
  b.stream_wires(res, hw.pe * (urq.on ? 8 : acc_bits));
  hw.rom_bits += int64_t(c) * taps * 8;
  if (last) {
    Instance d = instance("rtlgen_dwu_shared", l.folding.share + "_dwu");
    std::vector<int64_t> chans, in_zp, w_zp, out_zp, act_min, act_max;
    std::vector<std::string> win_d, win_v, win_r, acc_d, acc_v, acc_r;
    MemFile mem{l.folding.share + "_weights.mem", {}, hw.pe * 8};
    MemFile prm{l.folding.share + "_requant.mem", {}, urq.share.lanes * 72};
    const auto field = [](int64_t v) { return v; };
    for (const Layer* m : members) {
      const TensorQuant q = b.net.quant_of(m->inputs[0]);
      const std::string r = m->name + (urq.on ? "_rq" : "_acc");
      chans.push_back(m->out_shape.c);
      // zero points and bounds as 32-bit two's complement fields
      in_zp.push_back(field(q.zero_point));
      w_zp.push_back(field(m->weight_zero_point));
      out_zp.push_back(field(m->out_quant.zero_point));
      act_min.push_back(field(m->act_min));
      act_max.push_back(field(m->act_max));
      win_d.push_back(m->name + "_win_tdata");
      win_v.push_back(m->name + "_win_tvalid");
      win_r.push_back(m->name + "_win_tready");
      acc_d.push_back(r + "_tdata");
      acc_v.push_back(r + "_tvalid");
      acc_r.push_back(r + "_tready");
      for (auto& word :
           pack_depthwise_weight_words(depthwise_weights_ct(*m), m->out_shape.c, taps, hw.pe))
        mem.words.push_back(std::move(word));
      if (urq.on) append_requant_words(prm, m->bias, m->requant, m->out_shape.c, urq.share.lanes);
    }
    const int out_depth = unit_out_depth(taps, urq.latency);
    d.params = {{"N", lit(int64_t(members.size()))},
                {"PE", lit(hw.pe)},
                {"TAPS", lit(taps)},
                {"CHANNELS", ParamValue::fields(chans, 32, false)},
                {"IN_SIGNED", lit(signed_flag(in_q.dtype))},
                {"IN_ZP", ParamValue::fields(in_zp, 32, true)},
                {"W_SIGNED", lit(signed_flag(l.weight_dtype))},
                {"W_ZP", ParamValue::fields(w_zp, 32, true)},
                {"ACC_BITS", lit(acc_bits)},
                {"OUT_DEPTH", lit(out_depth)},
                {"WEIGHT_FILE", str_lit(mem.name)}};
    if (urq.on) {
      const Layer& m0 = *members[0];
      d.params.insert(d.params.end(), {{"REQUANT", lit(1)},
                                       {"RQ_PE", lit(urq.share.lanes)},
                                       {"MUL_BITS", lit(urq.mul_bits)},
                                       {"MUL_CYCLES", lit(urq.share.mul_cycles)},
                                       {"PARAM_FILE", str_lit(prm.name)},
                                       {"OUT_ZP", ParamValue::fields(out_zp, 32, true)},
                                       {"ACT_MIN", ParamValue::fields(act_min, 32, true)},
                                       {"ACT_MAX", ParamValue::fields(act_max, 32, true)},
                                       {"OUT_SIGNED", lit(signed_flag(m0.out_quant.dtype))},
                                       {"ROUNDING", lit(m0.single_rounding ? 1 : 0)}});
    }
    d.ports.push_back({"s_axis_tdata", concat_items(win_d)});
    d.ports.push_back({"s_axis_tvalid", concat_items(win_v)});
    d.ports.push_back({"s_axis_tready", concat_items(win_r)});
    d.ports.push_back({"m_axis_tdata", concat_items(acc_d)});
    d.ports.push_back({"m_axis_tvalid", concat_items(acc_v)});
    d.ports.push_back({"m_axis_tready", concat_items(acc_r)});
    hw.instances.push_back(d);
    hw.mems.push_back(mem);
    if (urq.on) hw.mems.push_back(prm);
  }
  if (urq.on) {
    hw.rom_bits += int64_t(c) * 72;  // its words in the unit's requantizer ROM
    b.output_fifo(hw, l, res, hw.pe);
  } else {
    requant(b, hw, l, res, hw.pe, c, acc_bits, l.bias, l.requant, taps);
  }
  b.record_window_need(l, src, hw.out.elems);
  b.push_layer(hw);
}

// Depthwise (depth multiplier 1): swg(ORDER 1, PE channels per beat) -> dwu -> requant.
void lower_depthwise(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  HwLayer hw = b.start(l, src);
  const int c = src.shape.c, taps = l.kernel_h * l.kernel_w;
  require_depth_multiplier_1(l);
  depthwise_op().check_folding(b.net, l);
  hw.pe = l.folding.pe;
  hw.simd = 1;
  hw.sf = taps;
  hw.nf = c / hw.pe;
  hw.multipliers = hw.pe;
  hw.est_cycles = std::max(depthwise_busy_cycles(l, hw.pe), src.beats_per_frame());
  hw.ideal_cycles = (l.macs + hw.multipliers - 1) / hw.multipliers;
  if (!l.folding.share.empty()) {
    shared_depthwise(b, hw, l, src);
    return;
  }
  hw.instances.push_back(sliding_window(b, l, src, hw.pe, 1, l.name + "_win"));
  const TensorQuant in_q = b.net.quant_of(l.inputs[0]);
  const int acc_bits = std::max(l.acc_bits, 2);
  Instance d = instance("rtlgen_dwu", l.name + "_dwu");
  const std::string wfile = l.name + "_weights.mem";
  d.params = {{"CHANNELS", lit(c)}, {"PE", lit(hw.pe)}, {"TAPS", lit(taps)}};
  for (auto& p : weight_params(in_q, l, acc_bits, wfile)) d.params.push_back(std::move(p));
  connect_in(d, l.name + "_win");
  d.ports.push_back({"s_axis_tlast", l.name + "_win_tlast"});
  d.ports.push_back({"s_axis_tuser", l.name + "_win_tuser"});
  connect_out(d, l.name + "_acc");
  d.ports.push_back({"m_axis_tlast", ""});
  b.stream_wires(l.name + "_acc", hw.pe * acc_bits);
  hw.instances.push_back(d);
  hw.mems.push_back(
      {wfile, pack_depthwise_weight_words(depthwise_weights_ct(l), c, taps, hw.pe), hw.pe * 8});
  hw.rom_bits += int64_t(c) * taps * 8;
  requant(b, hw, l, l.name + "_acc", hw.pe, c, acc_bits, l.bias, l.requant, taps);
  b.record_window_need(l, src, hw.out.elems);
  b.push_layer(hw);
}

class DepthwiseOp : public WeightedOp {
 public:
  // rtlgen_dwu: DSP = PE, LUT = 60 + PE*(ACC_BITS+20), FF = 40 + PE*(26+ACC_BITS+18)
  // (structural; Yosys reports the dwu LUTs in the top level, 1,819 LUT for 13 dwu + argmax in
  // MobileNet at 406 multipliers, which this matches within 30%), its weight ROM; 3 SRLs.
  // rtlgen_dwu_shared: rtlgen_dwu's DSP/LUT/FF + per input: ceil((N-1)/3) x (PE*8 + address)
  // multiplexer LUTs / N, 12 LUT + (address + 8) FF of control, OUT_DEPTH x PE*ACC_BITS LUT RAM
  // of results (structural, not yet fitted to Yosys); REQUANT 1: + one rtlgen_requant (RQ_PE
  // lanes, every layer's words in its ROM), the results PE*8 bits, the lane split and gather
  // registers; 5 SRLs.
  bool template_resources(const Instance& inst, const std::vector<MemFile>& mems,
                          ResourceCounts* c) const override {
    if (inst.module == "rtlgen_dwu") {
      const int64_t pe = param(inst, "PE", 1), acc = param(inst, "ACC_BITS", 24);
      c->dsp = pe;
      c->lut = 60 + pe * (acc + 20);
      c->ff = 40 + pe * (26 + acc + 18);
      const auto [words, bits] = memory_shape(inst, mems);
      c->add(rom_resources(inst, words, bits));
      c->srl = 3;
      return true;
    }
    if (inst.module != "rtlgen_dwu_shared") return false;
    // rtlgen_dwu's datapath, plus per input: an N:1 share of the input multiplexer (LUT6 = 4:1
    // per bit), the ROM address counter and the result buffer (OUT_DEPTH words, LUT RAM).
    const int64_t n = param(inst, "N", 1), pe = param(inst, "PE", 1),
                  acc = param(inst, "ACC_BITS", 24), depth = param(inst, "OUT_DEPTH", 2);
    auto [words, bits] = rom_shape(mems, param_str(inst, "WEIGHT_FILE"));
    const int aw = clog2(std::max<int64_t>(words, 2));
    c->dsp = pe;
    c->lut = 60 + pe * (acc + 20) + ceil_div(n - 1, 3) * (pe * 8 + aw) + n * 12;
    // + pe * 17: the second copy of the input (9 bits) and the ROM output register (8 bits)
    c->ff = 40 + pe * (26 + acc + 18 + 17) + n * (aw + 8);
    const bool requant = param(inst, "REQUANT") == 1;
    c->lutram = n * lutram_units(depth, pe * (requant ? 8 : acc));
    if (words > 1 && bits > 0) c->add(block_ram(words, bits, 1));
    if (requant) {
      // one rtlgen_requant (RQ_PE lanes) for every layer; PE/RQ_PE > 1: the split register
      // (load or shift: a LUT per bit) and its counter; the gather register
      c->add(estimate_instance(unit_requantizer(inst), mems));
      const int64_t split = pe / std::max<int64_t>(param(inst, "RQ_PE", pe), 1);
      if (split > 1) {
        c->lut += pe * acc + 4;
        c->ff += pe * acc + 8;
      }
      c->ff += pe * 8 + 8;
    }
    c->srl = 5;
    return true;
  }
  std::optional<int64_t> template_latency(const Instance& inst) const override {
    if (inst.module == "rtlgen_dwu") return 5;
    if (inst.module != "rtlgen_dwu_shared") return std::nullopt;
    // rtlgen_dwu_shared LATENCY (REQUANT 1: the requantizer for every layer inside)
    if (param(inst, "REQUANT") != 1) return 6;
    const int64_t split = param(inst, "PE", 1) / std::max<int64_t>(param(inst, "RQ_PE", 1), 1);
    return split == 1 ? 19 : 20 + (split - 1) * param(inst, "MUL_CYCLES", 1);
  }
  // ECP5 (resource_model_ecp5.cpp)
  bool template_resources_ecp5(const Instance& inst, const std::vector<MemFile>& mems,
                               ResourceCounts* c) const override {
    if (inst.module == "rtlgen_dwu") {
      const int64_t pe = param(inst, "PE", 1);
      c->dsp = pe;
      c->lut = round_count(29 + 38.5 * double(pe));
      c->ff = 40 + 40 * pe;
      const auto [words, bits] = memory_shape(inst, mems);
      c->add(ecp5_rom(inst, words, bits, pe * 8));
      return true;
    }
    if (inst.module == "rtlgen_dwu_shared") {
      // the 7-series datapath converted (not measured on ECP5 alone), its weight ROM, the result
      // buffers in LUT RAM and the one requantizer of every layer (rtlgen_requant's ECP5 terms)
      Instance datapath = inst;
      for (auto& [k, v] : datapath.params)
        if (k == "REQUANT") v = ParamValue::integer(0);
      *c = ecp5_from_xilinx7(datapath, mems);
      const bool requant = param(inst, "REQUANT") == 1;
      const int64_t n = param(inst, "N", 1), pe = param(inst, "PE", 1),
                    acc = param(inst, "ACC_BITS", 24);
      const auto [words, bits] = rom_shape(mems, param_str(inst, "WEIGHT_FILE"));
      c->ramb18 = words > 1 && bits > 0
                      ? block_ram_ecp5(ecp5_declared_rom_words(words, pe * 8), bits, 1).ramb18
                      : 0;
      c->lutram = n * ecp5_dpr_cells(param(inst, "OUT_DEPTH", 2), pe * (requant ? 8 : acc));
      if (requant) {
        c->add(estimate_instance_ecp5(unit_requantizer(inst), mems));
        // the lane split register and counter (PE / RQ_PE > 1), the gather register
        if (pe > param(inst, "RQ_PE", pe)) {
          c->lut += pe * acc + 4;
          c->ff += pe * acc + 8;
        }
        c->ff += pe * 8 + 8;
      }
      return true;
    }
    return false;
  }
  std::vector<const char*> yaml_keys() const override {
    return {"kernel", "stride",        "padding",           "activation",      "weights",
            "bias",   "weight_scales", "weight_zero_point", "depth_multiplier"};
  }
  void read_yaml(const yaml::LayerKeysIn& in, Layer& l) const override {
    in.window(l, "kernel", "[KH, KW]");
    if (in.has("depth_multiplier")) l.depth_multiplier = in.positive_int("depth_multiplier");
  }
  void write_yaml(yaml::LayerKeysOut& out, const Layer& l) const override {
    out.window(l, "kernel");
    out.integer("depth_multiplier", l.depth_multiplier);
  }
  bool takes_shared_unit() const override { return true; }  // rtlgen_dwu_shared
  const char* weight_layout() const override { return "[1, KH, KW, C*DM]"; }
  bool weights_channel_last() const override { return true; }
  Shape output_shape(const Network& net, Layer& l) const override {
    const Shape in = net.shape_of(l.inputs[0]);
    const auto& ws = l.weight_shape;  // [1, KH, KW, C*DM]
    if (ws[0] != 1 || ws[1] != l.kernel_h || ws[2] != l.kernel_w)
      fail(l, fmt::format("depthwise weights must be [1, {}, {}, C*DM], got [{}, {}, {}, {}]",
                          l.kernel_h, l.kernel_w, ws[0], ws[1], ws[2], ws[3]));
    if (ws[3] != in.c * l.depth_multiplier)
      fail(l, fmt::format("depthwise weights have {} channels, expected input channels {} x "
                          "depth_multiplier {} = {}",
                          ws[3], in.c, l.depth_multiplier, in.c * l.depth_multiplier));
    const Shape out = window_output_shape(l, in, ws[3]);
    l.macs = out.elements() * l.kernel_h * l.kernel_w;
    return out;
  }
  Tensor golden(const Network& net, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::depthwise_conv2d(l, *in[0], net.quant_of(l.inputs[0]));
  }
  void check_folding(const Network& net, const Layer& l) const override {
    const int c = net.shape_of(l.inputs[0]).c;
    if (l.folding.simd > 1)  // the unit's only SIMD
      fail(l, fmt::format("hw.simd = {}: a depthwise layer takes hw.simd = 1 (one kernel tap per "
                          "cycle); use hw.pe (channels in parallel, a divisor of {}) instead",
                          l.folding.simd, c));
    check_pe_divides(l, c);
  }
  std::vector<FoldChoice> fold_candidates(const Network& net, const Layer& l,
                                          int in_elems) const override {
    std::vector<FoldChoice> out;
    if (l.depth_multiplier != 1) return out;  // no RTL: the planner reports it
    const int64_t in_beats = stream_shape(net, l.inputs[0]).elements() / std::max(in_elems, 1);
    for (int pe : divisors(net.shape_of(l.inputs[0]).c)) {
      FoldChoice c;
      c.pe = pe;
      c.simd = 1;
      c.multipliers = pe;
      c.cycles = std::max(depthwise_busy_cycles(l, pe), in_beats);
      c.out_elems = pe;
      out.push_back(c);
    }
    return out;
  }
  bool takes_wide_input() const override { return true; }
  void lower(PlanBuilder& b, const Layer& l) const override {
    lower_depthwise(b, l, b.stream_of(l));
  }
};

}  // namespace

const OpDef& depthwise_op() { return the_op<DepthwiseOp>(); }

}  // namespace rtlgen
