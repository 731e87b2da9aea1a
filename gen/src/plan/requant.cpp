// Requantizers behind an accumulating stage: TFLite's integer epilogue (rtlgen_requant, its lanes
// shared when the stage's rate allows), ONNX Runtime's float32 one (rtlgen_requant_float) and the
// scale-shift scheme's (rtlgen_requant_shift), each with its parameter ROM.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "plan/plan_builder.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/resource_model.hpp"
#include "rtlgen/weight_packing.hpp"

namespace rtlgen::plan {

// ONNX Runtime's float32 requantization (rtlgen_requant_float): exact in integer logic when
// float32(acc + bias) is acc + bias, i.e. |acc + bias| < 2^24, which is checked here from the
// worst case (acc_bits includes the bias for weighted layers; a mean adds its bias to a sum
// of acc_bits); otherwise the layer is refused.
static void requant_float(PlanBuilder& b, HwLayer& hw, const Layer& l, const std::string& from,
                          int lanes, int channels, int acc_bits, const std::vector<int32_t>& bias) {
  int64_t worst = (int64_t(1) << (acc_bits - 1));
  if (!has_weights(l.op)) {
    int64_t max_bias = 0;
    for (int32_t v : bias) max_bias = std::max<int64_t>(max_bias, std::abs(int64_t(v)));
    worst += max_bias;
  }
  if (worst >= (int64_t(1) << 24))
    fail(l, fmt::format("accumulator + bias up to {} is 2^24 or more: ONNX Runtime's float32 "
                        "conversion would round it, which rtlgen_requant_float does not "
                        "reproduce; reduce the layer's weight range or vector length",
                        worst));
  Instance r = instance("rtlgen_requant_float", l.name + "_rq");
  const std::string pfile = l.name + "_requant.mem";
  r.params = {{"PE", lit(lanes)},
              {"CHANNELS", lit(channels)},
              {"ACC_BITS", lit(acc_bits)},
              {"PARAM_FILE", str_lit(pfile)},
              {"OUT_ZP", lit(l.out_quant.zero_point)},
              {"ACT_MIN", lit(l.act_min)},
              {"ACT_MAX", lit(l.act_max)},
              {"OUT_SIGNED", lit(signed_flag(l.out_quant.dtype))}};
  connect_in(r, from);
  connect_out(r, l.name + "_rq");
  b.stream_wires(l.name + "_rq", lanes * 8);
  hw.instances.push_back(r);
  // One word per group of `lanes` channels, lane p in bits [p*64 +: 64].
  MemFile mem{pfile, {}, lanes * 64};
  for (int g = 0; g < channels / lanes; ++g) {
    RomWord word(lanes * 64);
    for (int p = 0; p < lanes; ++p) {
      const int c = g * lanes + p;
      const float s = l.float_scale[l.float_scale.size() == 1 ? 0 : size_t(c)];
      RomWord w;
      if (!float_requant_word(bias[size_t(c)], s, &w))
        fail(l, fmt::format("float32 scale {:.9g} of channel {} is 2^24 or more, negative or "
                            "not finite: no rtlgen_requant_float encoding",
                            s, c));
      word.place(p * 64, w);
    }
    mem.words.push_back(std::move(word));
  }
  hw.mems.push_back(mem);
  hw.rom_bits += int64_t(channels) * 64;
  b.output_fifo(hw, l, l.name + "_rq", lanes);
}

// `vector_cycles`: the fewest cycles between two `lanes`-wide input vectors (an MVU's SF, a
// depthwise unit's taps): rtlgen_requant serves the lanes with fewer requantizer lanes, in
// turn, when that many cycles allow (requant_sharing), behind width converters that keep the
// stream `lanes` wide on both sides.
void requant(PlanBuilder& b, HwLayer& hw, const Layer& l, const std::string& from, int lanes,
             int channels, int acc_bits, const std::vector<int32_t>& bias,
             const std::vector<QuantizedMultiplier>& qm, int64_t vector_cycles) {
  if (l.requant_mode == RequantMode::OnnxRuntimeFloat)
    return requant_float(b, hw, l, from, lanes, channels, acc_bits, bias);
  const int mul_bits = requant_mul_bits(acc_bits, bias, qm, l.single_rounding);
  const RequantSharing share = requant_sharing(lanes, vector_cycles, mul_bits);
  std::string in = from;
  if (share.lanes != lanes) {
    StreamInfo acc;
    acc.prefix = from;
    acc.elems = lanes;
    acc.bits = acc_bits;
    in = b.width_convert(hw, l, acc, share.lanes, "_rq_split");
  }
  const std::string out = share.lanes != lanes ? l.name + "_rqn" : l.name + "_rq";
  Instance r = instance("rtlgen_requant", l.name + "_rq");
  const std::string pfile = l.name + "_requant.mem";
  r.params = {{"PE", lit(share.lanes)},
              {"CHANNELS", lit(channels)},
              {"ACC_BITS", lit(acc_bits)},
              {"MUL_BITS", lit(mul_bits)},
              {"MUL_CYCLES", lit(share.mul_cycles)},
              {"PARAM_FILE", str_lit(pfile)},
              {"OUT_ZP", lit(l.out_quant.zero_point)},
              {"ACT_MIN", lit(l.act_min)},
              {"ACT_MAX", lit(l.act_max)},
              {"OUT_SIGNED", lit(signed_flag(l.out_quant.dtype))},
              {"ROUNDING", lit(l.single_rounding ? 1 : 0)}};
  connect_in(r, in);
  r.ports.push_back({"s_axis_tuser", "1'b0"});  // one layer (LAYERS 1)
  connect_out(r, out);
  r.ports.push_back({"m_axis_tuser", ""});
  b.stream_wires(out, share.lanes * 8);
  hw.instances.push_back(r);
  if (share.lanes != lanes) {
    Instance w = instance("rtlgen_width_converter", l.name + "_rq_merge");
    w.params = {{"IN_N", lit(share.lanes)}, {"OUT_N", lit(lanes)}, {"ELEM_BITS", lit(8)}};
    connect_in(w, out);
    w.ports.push_back({"s_axis_tlast", "1'b0"});
    connect_out(w, l.name + "_rq");
    w.ports.push_back({"m_axis_tlast", ""});
    b.stream_wires(l.name + "_rq", lanes * 8);
    hw.instances.push_back(w);
  }
  MemFile mem{pfile, {}, share.lanes * 72};
  append_requant_words(mem, bias, qm, channels, share.lanes);
  hw.mems.push_back(mem);
  hw.rom_bits += int64_t(channels) * 72;
  b.output_fifo(hw, l, l.name + "_rq", lanes);
}

// rtlgen_requant's parameter words of one layer: one word per group of `lanes` channels,
// lane p (channel g*lanes + p) in [p*72 +: 72].
void append_requant_words(MemFile& mem, const std::vector<int32_t>& bias,
                          const std::vector<QuantizedMultiplier>& qm, int channels, int lanes) {
  for (int g = 0; g < channels / lanes; ++g) {
    RomWord word(lanes * 72);
    for (int p = 0; p < lanes; ++p) {
      const int c = g * lanes + p;
      word.place(p * 72, requant_word(bias[c], qm[qm.size() == 1 ? 0 : c]));
    }
    mem.words.push_back(std::move(word));
  }
}

// The requantizer lanes and multiplier rate for `lanes` stream lanes whose vectors come at most
// every `vector_cycles` cycles: the fewest DSP48E1s (rtlgen_mul_wide: 2 per lane at full rate,
// 1 at half rate when MUL_BITS <= 25), then the fewest lanes, such that the lanes take a
// vector in (lanes / requantizer lanes) x MUL_CYCLES <= vector_cycles cycles: the stream's
// rate, and so the cycles per frame, do not change.
RequantSharing requant_sharing(int lanes, int64_t vector_cycles, int mul_bits) {
  RequantSharing best{lanes, 1};
  int64_t best_dsp = int64_t(lanes) * mul_wide_dsp(mul_bits, 1);
  for (int cycles : {1, 2}) {
    if (cycles == 2 && mul_bits > 25) break;
    for (int rq = 1; rq <= lanes; ++rq) {
      if (lanes % rq != 0 || int64_t(lanes / rq) * cycles > vector_cycles) continue;
      const int64_t dsp = int64_t(rq) * mul_wide_dsp(mul_bits, cycles);
      if (dsp < best_dsp || (dsp == best_dsp && rq < best.lanes)) {
        best = {rq, cycles};
        best_dsp = dsp;
      }
      break;  // more lanes at this rate cost more
    }
  }
  return best;
}

// rtlgen_requant's MUL_BITS: the signed width of a = (acc + bias) << max(shift, 0) over every
// value an ACC_BITS input can carry and every channel (single rounding multiplies x itself),
// so the template's narrowed multiply is exact; 32 (the template's general 32-bit wrapping
// arithmetic) when a bound reaches 2^31.
int requant_mul_bits(int acc_bits, const std::vector<int32_t>& bias,
                     const std::vector<QuantizedMultiplier>& qm, bool single) {
  int bits = 2;
  for (size_t c = 0; c < bias.size(); ++c) {
    const int shift = qm[qm.size() == 1 ? 0 : c].shift;
    const int left = single ? 0 : std::max(shift, 0);
    if (left >= 32) continue;  // the template's a is 0
    const int64_t x_max = (int64_t(1) << (acc_bits - 1)) + std::abs(int64_t(bias[c]));
    if (x_max >= (int64_t(1) << (31 - left))) return 32;
    const int64_t a_max = x_max << left;  // |a| <= a_max < 2^31
    int n = 2;
    while ((int64_t(1) << (n - 1)) <= a_max) ++n;  // -2^(n-1) <= a < 2^(n-1)
    bits = std::max(bits, n);
  }
  return std::min(bits, 32);
}

// rtlgen_requant_shift: the scale-shift scheme's epilogue (bias ROM, acc*S >> k, rounding,
// zero point, clamp), widths from the interval analysis (analyze_scale_shift).
void requant_shift(PlanBuilder& b, HwLayer& hw, const Layer& l, const std::string& from, int lanes,
                   int channels, int acc_bits) {
  const ScaleShift& ss = l.scale_shift;
  Instance r = instance("rtlgen_requant_shift", l.name + "_rq");
  const std::string pfile = l.name + "_bias.mem";
  // The product of the worst case, and one bit of room for the template's own check.
  const int prod_bits = std::max(l.product_bits, acc_bits + 1);
  r.params = {{"PE", lit(lanes)},
              {"CHANNELS", lit(channels)},
              {"ACC_BITS", lit(acc_bits)},
              {"PROD_BITS", lit(prod_bits)},
              {"PARAM_FILE", str_lit(pfile)},
              {"MULT", lit(ss.multiplier)},
              {"SHIFT", lit(ss.shift)},
              {"ROUNDING", lit(int(ss.rounding))},
              {"OUT_ZP", lit(l.out_quant.zero_point)},
              {"ACT_MIN", lit(l.act_min)},
              {"ACT_MAX", lit(l.act_max)},
              {"OUT_BITS", lit(l.out_quant.bits)},
              {"OUT_SIGNED", lit(signed_flag(l.out_quant.dtype))}};
  connect_in(r, from);
  connect_out(r, l.name + "_rq");
  b.stream_wires(l.name + "_rq", lanes * l.out_quant.bits);
  hw.instances.push_back(r);
  // One word per group of `lanes` channels, lane p (channel g*lanes + p) in bits [p*32 +: 32].
  MemFile mem{pfile, {}, lanes * 32};
  for (int g = 0; g < channels / lanes; ++g) {
    RomWord word(lanes * 32);
    for (int p = 0; p < lanes; ++p) word.set(p * 32, 32, uint32_t(l.bias[size_t(g * lanes + p)]));
    mem.words.push_back(std::move(word));
  }
  hw.mems.push_back(mem);
  hw.rom_bits += int64_t(channels) * 32;
  b.output_fifo(hw, l, l.name + "_rq", lanes);
}

}  // namespace rtlgen::plan
