// The layers an MVU computes: convolutions (through a line buffer), pointwise convolutions and
// fully connected layers (a vector per pixel or per frame): their folding rule and candidates,
// and their lowering, with the weight ROM packed for the folding and the requantizer behind the
// MVU.
#include <fmt/format.h>

#include <algorithm>
#include <functional>

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

const OpDef& conv_op();  // this file's entries, defined at its end
const OpDef& fully_connected_op();

namespace {

using namespace plan;

// Cycles per frame of an MVU stage: `vectors` input vectors (output pixels; 1 for a fully
// connected layer) of MH/PE x MW/SIMD cycles each, unless the input stream is slower.
int64_t mvu_cycles(int64_t vectors, int mh, int mw, int pe, int simd, int64_t in_beats) {
  return std::max(vectors * (mh / pe) * (mw / simd), in_beats);
}

// A convolution's SIMD: a divisor of the input channels `c`, or a multiple of them that divides
// `kkc` = K_H*K_W*C (several taps per beat, first layers).
bool conv_simd_fits(int c, int kkc, int simd) {
  return c % simd == 0 || (simd % c == 0 && kkc % simd == 0);
}

// Every (PE, SIMD) for an MVU of `mh` x `mw` whose SIMD `simd_fits`.
std::vector<FoldChoice> mvu_candidates(const Network& net, const Layer& l, int in_elems,
                                       int64_t vectors, const std::function<bool(int)>& simd_fits) {
  const int mh = output_channels(l), mw = vector_length(net, l);
  const int64_t in_beats = stream_shape(net, l.inputs[0]).elements() / std::max(in_elems, 1);
  std::vector<FoldChoice> out;
  std::vector<int> simds;
  for (int d : divisors(mw))
    if (simd_fits(d)) simds.push_back(d);
  for (int pe : divisors(mh))
    for (int simd : simds) {
      FoldChoice c;
      c.pe = pe;
      c.simd = simd;
      c.multipliers = pe * simd;
      c.cycles = mvu_cycles(vectors, mh, mw, pe, simd, in_beats);
      c.out_elems = pe;
      out.push_back(c);
    }
  return out;
}

// A pointwise or fully connected layer reads its vectors straight from the stream: a width
// converter joins the stream's beats to SIMD, so one must divide the other.
bool joins_stream(int in_elems, int simd) { return simd % in_elems == 0 || in_elems % simd == 0; }

// MVU + requantizer for a weighted layer reading `from` (SIMD elements per beat).
void mvu_requant(PlanBuilder& b, HwLayer& hw, const Layer& l, const std::string& from, int mw,
                 int mh) {
  const TensorQuant in_q = b.net.quant_of(l.inputs[0]);
  const int acc_bits = std::max(l.acc_bits, 2);
  Instance m = instance("rtlgen_mvu", l.name + "_mvu");
  const std::string wfile = l.name + "_weights.mem";
  m.params = {{"MW", lit(mw)}, {"MH", lit(mh)}, {"PE", lit(hw.pe)}, {"SIMD", lit(hw.simd)}};
  for (auto& p : weight_params(in_q, l, acc_bits, wfile)) m.params.push_back(std::move(p));
  if (in_q.bits != 8) m.params.push_back({"IN_BITS", lit(in_q.bits)});
  if (l.folding.lut_mult) m.params.push_back({"MULT_STYLE", lit(1)});
  connect_in(m, from);
  connect_out(m, l.name + "_acc");
  b.stream_wires(l.name + "_acc", hw.pe * acc_bits);
  hw.instances.push_back(m);
  hw.mems.push_back(
      {wfile, pack_weight_words({mh, mw, l.weights}, hw.pe, hw.simd), hw.pe * hw.simd * 8});
  if (l.requant_mode == RequantMode::ScaleShift)
    requant_shift(b, hw, l, l.name + "_acc", hw.pe, mh, acc_bits);
  else
    requant(b, hw, l, l.name + "_acc", hw.pe, mh, acc_bits, l.bias, l.requant, hw.sf);
  hw.rom_bits += int64_t(mh) * mw * 8;
}

// An MVU stage at the layer's folding: `vectors` vectors of MW elements per frame, MH outputs
// each (the op's check_folding has passed).
HwLayer mvu_stage(PlanBuilder& b, const Layer& l, const StreamInfo& src, int mw, int mh,
                  int64_t vectors) {
  HwLayer hw = b.start(l, src);
  hw.pe = l.folding.pe;
  hw.simd = l.folding.simd;
  hw.sf = mw / hw.simd;
  hw.nf = mh / hw.pe;
  hw.multipliers = hw.pe * hw.simd;
  hw.est_cycles = mvu_cycles(vectors, mh, mw, hw.pe, hw.simd, src.beats_per_frame());
  hw.ideal_cycles = (l.macs + hw.multipliers - 1) / hw.multipliers;
  return hw;
}

void lower_conv(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  const int kkc = l.kernel_h * l.kernel_w * src.shape.c;
  conv_op().check_folding(b.net, l);
  HwLayer hw = mvu_stage(b, l, src, kkc, l.out_shape.c, int64_t(l.out_shape.h) * l.out_shape.w);
  hw.instances.push_back(sliding_window(b, l, src, hw.simd, 0, l.name + "_win"));
  mvu_requant(b, hw, l, l.name + "_win", kkc, l.out_shape.c);
  b.record_window_need(l, src, hw.out.elems);
  b.push_layer(hw);
}

void lower_fully_connected(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  const int mw = int(src.shape.elements()), mh = l.out_shape.c;
  fully_connected_op().check_folding(b.net, l);
  HwLayer hw = mvu_stage(b, l, src, mw, mh, 1);
  mvu_requant(b, hw, l, b.width_convert(hw, l, src, hw.simd), mw, mh);
  b.record_whole_frame_need(l, src, hw.out);
  b.push_layer(hw);
}

// 1x1 stride-1 convolution: every pixel is one MVU vector of C elements (no line buffer).
void lower_pointwise(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  const int mw = src.shape.c, mh = l.out_shape.c;
  conv_op().check_folding(b.net, l);
  HwLayer hw = mvu_stage(b, l, src, mw, mh, int64_t(l.out_shape.h) * l.out_shape.w);
  mvu_requant(b, hw, l, b.width_convert(hw, l, src, hw.simd), mw, mh);
  {  // output pixel p needs input pixel p
    std::vector<int64_t> v(size_t(hw.out.beats_per_frame()));
    const int64_t per_px_out = l.out_shape.c / hw.out.elems, per_px_in = mw / src.elems;
    for (size_t j = 0; j < v.size(); ++j) v[j] = (int64_t(j) / per_px_out + 1) * per_px_in;
    b.record_need(l.name, {{src.tensor, v}});
  }
  b.push_layer(hw);
}

// What conv and fully connected share: their template, rtlgen_mvu.
class MvuOp : public WeightedOp {
 public:
  bool takes_lut_multipliers() const override { return true; }  // MULT_STYLE 1
  bool takes_scale_shift() const override { return true; }      // rtlgen_requant's scheme
  // Yosys synth_xilinx (resource_model.cpp: the calibration designs):
  //   DSP = PE*SIMD (one DSP48E1 per 9x9 product); MULT_STYLE 1 (hw: {mult: lut}): no DSP, +202
  //   LUT and +4 FF per product (Yosys, PE 2 x SIMD 4: 1,903 LUT vs 283, 357 FF vs 324)
  //   LUT = 72 + 10.3 PE*SIMD + 1.8 PE*ACC_BITS with DSP products (adder trees, accumulators),
  //   90 + 222.5 PE*SIMD + 2.1 PE*ACC_BITS with LUT products; PE 1 with DSP products:
  //   81 + 10.9 SIMD (MLPerf Tiny)
  //   FF = 20 + 19 SIMD + 16.6 PE*SIMD (63 with LUT products) + 2 PE*ACC_BITS (activation
  //   operands per SIMD lane; weight operand, product and tree registers per product), for
  //   PE > 1 with DSP products 3 + 54.2 SIMD + 4.7 PE*SIMD + 2 PE*ACC_BITS. The PE > 1
  //   DSP-product terms refitted on main's templates (after bd8aa62's adder tree: LeNet's PE
  //   3-16 MVUs, 7 instances, LUT within 127, FF within 74; the old terms said up to 2x); the
  //   PE-1 terms still hold (38 MVUs of LeNet, the seed MobileNet and VWW at xc7z020 fill 1.0:
  //   FF within 38)
  //   ROM NF*SF x PE*SIMD*8 (block), input buffer 2*SF x SIMD*9 (LUT RAM or BRAM); 2 SRLs
  bool template_resources(const Instance& inst, const std::vector<MemFile>& mems,
                          ResourceCounts* c) const override {
    if (inst.module != "rtlgen_mvu") return false;
    const int64_t mw = param(inst, "MW"), pe = param(inst, "PE", 1), simd = param(inst, "SIMD", 1),
                  acc = param(inst, "ACC_BITS", 24);
    const int64_t sf = ceil_div(mw, simd), mults = pe * simd;
    const bool lut_mult = param(inst, "MULT_STYLE") == 1;
    c->dsp = lut_mult ? 0 : mults;
    // (PE 1 on DSPs: one adder tree, no per-row accumulator copies; Yosys on the 31 such MVUs
    // of the MLPerf Tiny designs at xc7z020, SIMD 1-32: 81 + 10.9 SIMD within 25 LUT, where the
    // PE-row formula said ~70-370 more)
    // LUT products: ~222.5 LUT and 63 FF each; a weight ROM of at most two words gives each
    // weight bit one address bit to follow, and Yosys folds the partial products: 102 LUT and
    // 33 FF each (LeNet conv1 at the xc7z020, PE 3 x SIMD 25 of a 2-word ROM: 8,182 LUT, 3,714
    // FF, where the general terms said 17,204 and 5,340; the 18- to 72-word ROMs of zoo
    // resnet8's three LUT-product MVUs stay within 4% of the general terms)
    const auto [words, bits] = memory_shape(inst, mems);
    const bool folded_weights = lut_mult && words <= 2;
    c->lut = lut_mult  ? round_count(90 + (folded_weights ? 102.0 : 222.5) * double(mults) +
                                     2.1 * double(pe * acc))
             : pe == 1 ? round_count(81 + 10.9 * double(simd))
                       : round_count(72 + 10.3 * double(mults) + 1.8 * double(pe * acc));
    // activation operand registers per SIMD lane (shared by the PE rows), weight operand,
    // product and adder-tree registers per product (in the DSP48E1 for DSP products)
    const double ff_per_product = !lut_mult ? 16.6 : folded_weights ? 33.0 : 63.0;
    c->ff =
        lut_mult || pe == 1
            ? round_count(20 + 19 * double(simd) + ff_per_product * double(mults) +
                          2.0 * double(pe * acc))
            : round_count(3 + 54.2 * double(simd) + 4.7 * double(mults) + 2.0 * double(pe * acc));
    c->add(rom_resources(inst, words, bits));
    c->add(ram_auto(2 * sf, simd * 9));  // ping-pong input buffer
    c->srl = 2;
    return true;
  }
  // (+1: the word-select stage of a weight ROM deeper than one block RAM in the open ECP5 flow,
  // counted for every target so that skip FIFOs suit both forms: one cycle early elsewhere)
  std::optional<int64_t> template_latency(const Instance& inst) const override {
    if (inst.module != "rtlgen_mvu") return std::nullopt;
    return 5 + clog2(std::max<int64_t>(param(inst, "SIMD", 1), 1)) +
           (mvu_rom_in_banks(inst) ? 1 : 0);
  }
  // ECP5 (resource_model_ecp5.cpp), rtlgen_mvu: products on MULT18X18D (their operand and product
  // registers in the block) or in LUTs (MULT_STYLE 1), the adder tree and accumulators in CCU2C,
  // the weight ROM (in banks past one block), the ping-pong input buffer (Yosys' choice).
  bool template_resources_ecp5(const Instance& inst, const std::vector<MemFile>& mems,
                               ResourceCounts* c) const override {
    if (inst.module != "rtlgen_mvu") return false;
    const int64_t mw = param(inst, "MW"), pe = param(inst, "PE", 1), simd = param(inst, "SIMD", 1),
                  acc = param(inst, "ACC_BITS", 24), xd = param(inst, "IN_BITS", 8) + 1;
    const int64_t sf = ceil_div(mw, simd), mults = pe * simd;
    const bool lut_mult = param(inst, "MULT_STYLE") == 1 || xd > 18;
    c->dsp = lut_mult ? 0 : mults;
    const auto [words, bits] = memory_shape(inst, mems);
    const int64_t bank_words = param(inst, "ROM_BANK_WORDS");
    const int64_t banks = param(inst, "MEM_STYLE") != 1 && bank_words > 0 && words > bank_words
                              ? ceil_div(words, bank_words)
                              : 0;
    // the weight ROM: banks of one bank-deep memory each (their outputs registered, in the
    // DP16KD after `rtlgen pnr`'s output-register pass, in flip-flops in Yosys' count, and the
    // bank select a stage of its own), or one memory
    const ResourceCounts weights =
        banks > 0 ? block_ram_ecp5(bank_words, bits, 1) : ecp5_rom(inst, words, bits, mults * 8);
    // the ping-pong input buffer, declared 1024 deep when wider than 18 bits (as the ROMs)
    const ResourceCounts ibuf =
        ecp5_ram_auto(ecp5_declared_rom_words(2 * sf, simd * xd), simd * xd);
    // LUT4 sites and FF: least squares over the 16 MVUs (PE 1-16, SIMD 1-32, DSP and LUT
    // products, LUT / block / banked ROMs), each within 13% (LUT4) and 25% (FF)
    const double dsp_mults = lut_mult ? 0.0 : double(mults),
                 lut_mults = lut_mult ? double(mults) : 0.0;
    c->lut = round_count(71.8 + 4.0 * double(simd) + 14.7 * dsp_mults + 269.3 * lut_mults +
                         3.65 * double(pe * acc) + 1.18 * double(weights.lut) +
                         0.31 * double(ibuf.lut) + 1.1 * double(banks * bits));
    c->ff = round_count(78.8 + 11.0 * double(simd) + 27.3 * dsp_mults + 56.6 * lut_mults +
                        1.17 * double(pe * acc) + 0.84 * double(weights.ff + ibuf.ff) +
                        double(banks > 0 ? (banks + 1) * bits : 0));
    c->lutram = weights.lutram * std::max<int64_t>(banks, 1) + ibuf.lutram;
    c->ramb18 = weights.ramb18 * std::max<int64_t>(banks, 1) + ibuf.ramb18;
    return true;
  }
};

class ConvOp : public MvuOp {
 public:
  std::vector<const char*> yaml_keys() const override {
    return {"kernel",  "stride",     "padding",       "activation",
            "weights", "bias",       "weight_scales", "weight_zero_point",
            "requant", "bias_float", "bias_gain"};
  }
  void read_yaml(const yaml::LayerKeysIn& in, Layer& l) const override {
    in.window(l, "kernel", "[KH, KW]");
  }
  void write_yaml(yaml::LayerKeysOut& out, const Layer& l) const override {
    out.window(l, "kernel");
  }
  const char* weight_layout() const override { return "[O, KH, KW, I]"; }
  // (checked before the bias: HWIO weights would otherwise be reported as a bias of the wrong
  // length)
  std::string weight_shape_problem(const Layer& l) const override {
    const auto& ws = l.weight_shape;
    if (ws[1] == l.kernel_h && ws[2] == l.kernel_w) return "";
    return fmt::format(
        "weights have shape ({}) but a {}x{} convolution needs [O, {}, {}, I] "
        "(OHWI, TFLite's layout){}",
        fmt::join(ws, ", "), l.kernel_h, l.kernel_w, l.kernel_h, l.kernel_w,
        ws[0] == l.kernel_h && ws[1] == l.kernel_w
            ? "; these look like HWIO [KH, KW, I, O] (Keras): transpose them "
              "with np.transpose(w, (3, 0, 1, 2))"
            : "");
  }
  Shape output_shape(const Network& net, Layer& l) const override {
    const Shape in = net.shape_of(l.inputs[0]);
    const auto& ws = l.weight_shape;  // [O, KH, KW, I]
    if (ws[1] != l.kernel_h || ws[2] != l.kernel_w)
      fail(l, fmt::format("kernel [{}, {}] does not match the weights' shape [{}, {}, {}, {}]",
                          l.kernel_h, l.kernel_w, ws[0], ws[1], ws[2], ws[3]));
    if (ws[3] != in.c)
      fail(l, fmt::format("weights expect {} input channels ([O, KH, KW, I] = [{}, {}, {}, "
                          "{}]) but the input '{}' has {}",
                          ws[3], ws[0], ws[1], ws[2], ws[3], l.inputs[0], in.c));
    const Shape out = window_output_shape(l, in, ws[0]);
    l.macs = out.elements() * l.kernel_h * l.kernel_w * in.c;
    return out;
  }
  Tensor golden(const Network& net, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::conv2d(l, *in[0], net.quant_of(l.inputs[0]));
  }
  void check_folding(const Network& net, const Layer& l) const override {
    const int c = net.shape_of(l.inputs[0]).c, kkc = l.kernel_h * l.kernel_w * c;
    check_pe_divides(l, output_channels(l));
    if (!conv_simd_fits(c, kkc, l.folding.simd))
      fail(l, fmt::format("hw.simd = {} must divide the {} input channels, or be a multiple of "
                          "them that divides {} (kernel {}x{} x {})",
                          l.folding.simd, c, kkc, l.kernel_h, l.kernel_w, c));
  }
  std::vector<FoldChoice> fold_candidates(const Network& net, const Layer& l,
                                          int in_elems) const override {
    const int c = net.shape_of(l.inputs[0]).c, kkc = vector_length(net, l);
    const bool direct = is_pointwise(l);
    return mvu_candidates(net, l, in_elems, int64_t(l.out_shape.h) * l.out_shape.w, [&](int d) {
      return conv_simd_fits(c, kkc, d) && (!direct || joins_stream(in_elems, d));
    });
  }
  bool takes_wide_input() const override { return true; }
  // 1x1 stride 1 without a merged PAD: no line buffer.
  void lower(PlanBuilder& b, const Layer& l) const override {
    const StreamInfo src = b.stream_of(l);
    if (is_pointwise(l) && !b.has_merged_pad(l.name))
      lower_pointwise(b, l, src);
    else
      lower_conv(b, l, src);
  }
};

class FullyConnectedOp : public MvuOp {
 public:
  const char* weight_layout() const override { return "[O, I]"; }
  std::vector<const char*> yaml_keys() const override {
    return {"activation",        "weights", "bias",       "weight_scales",
            "weight_zero_point", "requant", "bias_float", "bias_gain"};
  }
  Shape output_shape(const Network& net, Layer& l) const override {
    const Shape in = net.shape_of(l.inputs[0]);
    const auto& ws = l.weight_shape;  // [O, I]
    if (ws[1] != in.elements())
      fail(l, fmt::format("weights [{}, {}] expect {} inputs but '{}' has {} ({} flattened)", ws[0],
                          ws[1], ws[1], l.inputs[0], in.str(), in.elements()));
    l.macs = int64_t(ws[0]) * ws[1];
    return {1, 1, ws[0]};
  }
  Tensor golden(const Network& net, const Layer& l,
                const std::vector<const Tensor*>& in) const override {
    return golden::fully_connected(l, *in[0], net.quant_of(l.inputs[0]));
  }
  void check_folding(const Network& net, const Layer& l) const override {
    const int mw = vector_length(net, l);
    check_pe_divides(l, output_channels(l));
    if (mw % l.folding.simd != 0)
      fail(l, fmt::format("hw.simd = {} must divide the vector length {} (the input's elements)",
                          l.folding.simd, mw));
  }
  std::vector<FoldChoice> fold_candidates(const Network& net, const Layer& l,
                                          int in_elems) const override {
    return mvu_candidates(net, l, in_elems, 1, [&](int d) { return joins_stream(in_elems, d); });
  }
  bool takes_wide_input() const override { return true; }
  void lower(PlanBuilder& b, const Layer& l) const override {
    lower_fully_connected(b, l, b.stream_of(l));
  }
};

}  // namespace

const OpDef& conv_op() { return the_op<ConvOp>(); }
const OpDef& fully_connected_op() { return the_op<FullyConnectedOp>(); }

}  // namespace rtlgen
