#include "rtlgen/hw_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "rtlgen/error.hpp"
#include "rtlgen/folding.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/names.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/resource_model.hpp"
#include "rtlgen/weight_packing.hpp"

namespace rtlgen {
namespace {

constexpr int kFifoDepth = 16;  // between stages: absorbs the MVU's output bursts

// Templates that instantiate other templates: the file list, the FuseSoC core and the IP-XACT
// file set (all from plan.templates) need those files too.
// rtlgen_mul: the registered multiplier that becomes an ECP5 MULT18X18D with its own registers
// (also the ECP5 tiles of rtlgen_mul_wide); rtlgen_skid: the output skid register that makes a
// stall-able pipeline's clock enable a register; rtlgen_round_clamp: the zero point, rounding
// and clamp stages of the ADD's requantization.
std::vector<const char*> template_submodules(const std::string& module) {
  if (module == "rtlgen_requant") return {"rtlgen_mul_wide", "rtlgen_mul", "rtlgen_skid"};
  if (module == "rtlgen_add")
    return {"rtlgen_mul_wide", "rtlgen_mul", "rtlgen_skid", "rtlgen_round_clamp"};
  if (module == "rtlgen_requant_float") return {"rtlgen_mul_wide", "rtlgen_mul"};
  if (module == "rtlgen_mvu") return {"rtlgen_mul", "rtlgen_skid"};
  if (module == "rtlgen_swg") return {"rtlgen_skid"};
  // (rtlgen_dwu_shared's requantizer for all its layers: REQUANT 1)
  if (module == "rtlgen_dwu_shared")
    return {"rtlgen_mul", "rtlgen_requant", "rtlgen_mul_wide", "rtlgen_skid"};
  if (module == "rtlgen_dwu" || module == "rtlgen_pool") return {"rtlgen_mul"};
  return {};
}

std::string lit(int64_t v) { return v < 0 ? fmt::format("-{}", -v) : fmt::format("{}", v); }
std::string str_lit(const std::string& s) { return "\"" + s + "\""; }

class Planner {
 public:
  Planner(const Network& net, const PlanOptions& opt) : net_(net), opt_(opt) {}

  HwPlan run() {
    for (size_t i = 0; i < net_.layers.size(); ++i) {
      layer_index_[net_.layers[i].name] = int(i);
      if (net_.layers[i].op == OpKind::Softmax) continue;  // software
      for (size_t k = 0; k < net_.layers[i].inputs.size(); ++k)
        consumers_[net_.layers[i].inputs[k]].push_back({int(i), int(k)});
    }
    plan_.top = net_.name + "_top";
    StreamInfo in;
    in.tensor = net_.input.name;
    in.prefix = "s_axis";
    in.elems = net_.input.shape.c * net_.input.pixels_per_beat;
    in.shape = net_.input.shape;
    in.dtype = net_.input.quant.dtype;
    in.bits = net_.input.quant.bits;
    plan_.input = in;
    streams_[in.tensor] = in;

    for (size_t i = 0; i < net_.layers.size(); ++i) {
      const Layer& l = net_.layers[i];
      if (l.op == OpKind::Softmax) {
        if (i + 1 != net_.layers.size())
          fail(l, "softmax is only supported as the last layer (it stays in software)");
        plan_.software.push_back(l.name);
        continue;
      }
      if (l.op == OpKind::Add) {
        add(l);
        continue;
      }
      if (l.op == OpKind::Concat) {
        concat(l);
        continue;
      }
      const StreamInfo src = stream_of(l);
      switch (l.op) {
        case OpKind::Pad: pad(l, src); break;
        case OpKind::Conv2D:
          if (is_pointwise(l) && !merged_pads_.count(l.name))
            pointwise(l, src);
          else
            conv(l, src);
          break;
        case OpKind::DepthwiseConv2D: depthwise(l, src); break;
        case OpKind::FullyConnected: fully_connected(l, src); break;
        case OpKind::AveragePool2D:
        case OpKind::MaxPool2D: pool(l, src); break;
        case OpKind::Mean: mean(l, src); break;
        case OpKind::Reshape: {
          StreamInfo s = src;  // same bytes in the same order: no hardware
          s.tensor = l.name;
          s.shape = l.out_shape;
          streams_[l.name] = s;
          stage_need_[l.name] = {{{src.tensor, count_up(s.beats_per_frame())}}};
          break;
        }
        default:
          fail(l, "has no RTL template yet (supported in hardware: conv2d, depthwise_conv2d, "
                  "fully_connected, average_pool2d, max_pool2d, mean, add, concat, pad (merged "
                  "into the next convolution), reshape, trailing softmax)");
      }
    }
    if (plan_.software.size() == net_.layers.size())  // e.g. a network of one softmax
      throw Error(
          net_.layers.back().loc,
          fmt::format("network '{}': no layer runs in hardware ('{}' ({}) stays in "
                      "software); add a hardware layer before it",
                      net_.name, net_.layers.back().name, to_string(net_.layers.back().op)));
    const std::string last = plan_.software.empty() ? net_.layers.back().name
                                                    : net_.layers[net_.layers.size() - 2].name;
    plan_.output = streams_.at(last);
    finish();
    return plan_;
  }

 private:
  // The stream layer `l` reads as its input `k`: the producer's stream, or this consumer's
  // branch of a fork when the tensor feeds several layers.
  StreamInfo stream_of(const Layer& l, int k = 0) {
    const std::string& t = l.inputs[size_t(k)];
    auto it = streams_.find(t);
    if (it == streams_.end()) fail(l, fmt::format("input stream '{}' not available", t));
    const auto& cons = consumers_[t];
    if (cons.size() <= 1) return it->second;
    if (!forks_.count(t)) make_fork(t, it->second);
    const int me = layer_index_.at(l.name);
    for (size_t i = 0; i < cons.size(); ++i)
      if (cons[i].first == me && cons[i].second == k) return forks_[t][i];
    fail(l, fmt::format("internal: '{}' is not a consumer of '{}'", l.name, t));
  }

  // rtlgen_fork: one branch stream `<t>_b<i>` per consumer, in consumer order.
  void make_fork(const std::string& t, const StreamInfo& src) {
    const size_t n = consumers_[t].size();
    Instance f{"rtlgen_fork", t + "_fork", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    f.params = {{"WIDTH", lit(src.width())}, {"N_OUT", lit(int64_t(n))}};
    connect_in(f, src.prefix);
    std::vector<std::string> outputs;
    for (size_t i = 0; i < n; ++i) {
      StreamInfo b = src;
      b.prefix = fmt::format("{}_b{}", t, i);
      stream_wires(b.prefix, src.width());
      forks_[t].push_back(b);
      outputs.push_back(b.prefix);
    }
    connect_fork_outputs(f, outputs);
    fork_glue_[t] = plan_.glue.size();
    fork_outputs_[t] = outputs;
    plan_.glue.push_back(f);
  }

  // The fork's packed output ports: output i drives stream `outputs[i]` (highest index first in
  // the concatenations). Re-rendered when a skip FIFO is put behind an output.
  static void connect_fork_outputs(Instance& f, const std::vector<std::string>& outputs) {
    f.ports.resize(5);  // clk, rst, s_axis_tdata/tvalid/tready
    for (const char* sig : {"_tdata", "_tvalid", "_tready"}) {
      std::string cat;
      for (size_t i = outputs.size(); i-- > 0;) cat += outputs[i] + sig + (i ? ", " : "");
      f.ports.push_back({std::string("m_axis") + sig, "{" + cat + "}"});
    }
  }

  void wire(const std::string& name, int width) { plan_.wires.push_back({name, width}); }

  // Declares a valid/ready stream `prefix` of `width` data bits.
  void stream_wires(const std::string& prefix, int width, bool last = false, bool user = false) {
    wire(prefix + "_tdata", width);
    wire(prefix + "_tvalid", 1);
    wire(prefix + "_tready", 1);
    if (last) wire(prefix + "_tlast", 1);
    if (user) wire(prefix + "_tuser", 1);
  }

  static void connect_in(Instance& inst, const std::string& prefix) {
    inst.ports.push_back({"s_axis_tdata", prefix + "_tdata"});
    inst.ports.push_back({"s_axis_tvalid", prefix + "_tvalid"});
    inst.ports.push_back({"s_axis_tready", prefix + "_tready"});
  }
  static void connect_out(Instance& inst, const std::string& prefix) {
    inst.ports.push_back({"m_axis_tdata", prefix + "_tdata"});
    inst.ports.push_back({"m_axis_tvalid", prefix + "_tvalid"});
    inst.ports.push_back({"m_axis_tready", prefix + "_tready"});
  }

  static int signed_flag(DType t) { return t == DType::Int8 ? 1 : 0; }

  // Output FIFO of a stage: `from` -> layer output stream `l.name`.
  void output_fifo(HwLayer& hw, const Layer& l, const std::string& from, int elems) {
    Instance f{"rtlgen_fifo", l.name + "_fifo", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    const int bits = l.out_quant.bits;
    f.params = {{"WIDTH", lit(elems * bits)}, {"DEPTH", lit(kFifoDepth)}, {"LAST_ENABLE", "0"},
                {"USER_WIDTH", "0"}};
    connect_in(f, from);
    f.ports.push_back({"s_axis_tlast", "1'b0"});
    f.ports.push_back({"s_axis_tuser", "1'b0"});
    connect_out(f, l.name);
    f.ports.push_back({"m_axis_tlast", ""});
    f.ports.push_back({"m_axis_tuser", ""});
    stream_wires(l.name, elems * bits);
    hw.instances.push_back(f);
    StreamInfo out{l.name, l.name, elems, l.out_shape, l.out_quant.dtype, bits};
    hw.out = out;
    streams_[l.name] = out;
  }

  // MVU + requantizer for a weighted layer reading `from` (SIMD elements per beat).
  void mvu_requant(HwLayer& hw, const Layer& l, const std::string& from, int mw, int mh) {
    const TensorQuant in_q = net_.quant_of(l.inputs[0]);
    const int acc_bits = std::max(l.acc_bits, 2);
    Instance m{"rtlgen_mvu", l.name + "_mvu", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    const std::string wfile = l.name + "_weights.mem";
    m.params = {{"MW", lit(mw)},
                {"MH", lit(mh)},
                {"PE", lit(hw.pe)},
                {"SIMD", lit(hw.simd)},
                {"IN_SIGNED", lit(signed_flag(in_q.dtype))},
                {"IN_ZP", lit(in_q.zero_point)},
                {"W_SIGNED", lit(signed_flag(l.weight_dtype))},
                {"W_ZP", lit(l.weight_zero_point)},
                {"ACC_BITS", lit(acc_bits)},
                {"WEIGHT_FILE", str_lit(wfile)}};
    if (in_q.bits != 8) m.params.push_back({"IN_BITS", lit(in_q.bits)});
    if (l.folding.lut_mult) m.params.push_back({"MULT_STYLE", "1"});
    connect_in(m, from);
    connect_out(m, l.name + "_acc");
    stream_wires(l.name + "_acc", hw.pe * acc_bits);
    hw.instances.push_back(m);
    hw.mems.push_back({wfile, pack_weights({mh, mw, l.weights}, hw.pe, hw.simd), hw.pe * hw.simd * 8});
    if (l.requant_mode == RequantMode::ScaleShift)
      requant_shift(hw, l, l.name + "_acc", hw.pe, mh, acc_bits);
    else
      requant(hw, l, l.name + "_acc", hw.pe, mh, acc_bits, l.bias, l.requant, hw.sf);
    hw.rom_bits += int64_t(mh) * mw * 8;
  }

  // `vector_cycles`: the fewest cycles between two `lanes`-wide input vectors (an MVU's SF, a
  // depthwise unit's taps): rtlgen_requant serves the lanes with fewer requantizer lanes, in
  // turn, when that many cycles allow (requant_sharing), behind width converters that keep the
  // stream `lanes` wide on both sides.
  void requant(HwLayer& hw, const Layer& l, const std::string& from, int lanes, int channels,
               int acc_bits, const std::vector<int32_t>& bias,
               const std::vector<QuantizedMultiplier>& qm, int64_t vector_cycles = 1) {
    if (l.requant_mode == RequantMode::OnnxRuntimeFloat)
      return requant_float(hw, l, from, lanes, channels, acc_bits, bias);
    const int mul_bits = requant_mul_bits(acc_bits, bias, qm, l.single_rounding);
    const RequantSharing share = requant_sharing(lanes, vector_cycles, mul_bits);
    std::string in = from;
    if (share.lanes != lanes) {
      StreamInfo acc;
      acc.prefix = from;
      acc.elems = lanes;
      acc.bits = acc_bits;
      in = width_convert(hw, l, acc, share.lanes, "_rq_split");
    }
    const std::string out = share.lanes != lanes ? l.name + "_rqn" : l.name + "_rq";
    Instance r{"rtlgen_requant", l.name + "_rq", {}, {{"clk", "clk"}, {"rst", "rst"}}};
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
                {"ROUNDING", l.single_rounding ? "1" : "0"}};
    connect_in(r, in);
    r.ports.push_back({"s_axis_tuser", "1'b0"});  // one layer (LAYERS 1)
    connect_out(r, out);
    r.ports.push_back({"m_axis_tuser", ""});
    stream_wires(out, share.lanes * 8);
    hw.instances.push_back(r);
    if (share.lanes != lanes) {
      StreamInfo narrow;
      narrow.prefix = out;
      narrow.elems = share.lanes;
      narrow.bits = 8;
      Instance w{
          "rtlgen_width_converter", l.name + "_rq_merge", {}, {{"clk", "clk"}, {"rst", "rst"}}};
      w.params = {{"IN_N", lit(share.lanes)}, {"OUT_N", lit(lanes)}, {"ELEM_BITS", "8"}};
      connect_in(w, out);
      w.ports.push_back({"s_axis_tlast", "1'b0"});
      connect_out(w, l.name + "_rq");
      w.ports.push_back({"m_axis_tlast", ""});
      stream_wires(l.name + "_rq", lanes * 8);
      hw.instances.push_back(w);
    }
    MemFile mem{pfile, {}, share.lanes * 72};
    append_requant_words(mem, bias, qm, channels, share.lanes);
    hw.mems.push_back(mem);
    hw.rom_bits += int64_t(channels) * 72;
    output_fifo(hw, l, l.name + "_rq", lanes);
  }

  // rtlgen_requant's parameter words of one layer: one word per group of `lanes` channels,
  // lane p (channel g*lanes + p) in [p*72 +: 72].
  static void append_requant_words(MemFile& mem, const std::vector<int32_t>& bias,
                                   const std::vector<QuantizedMultiplier>& qm, int channels,
                                   int lanes) {
    for (int g = 0; g < channels / lanes; ++g) {
      std::string word;
      for (int p = lanes - 1; p >= 0; --p) {
        const int c = g * lanes + p;
        word += pack_requant(bias[c], qm[qm.size() == 1 ? 0 : c]);
      }
      mem.lines.push_back(word);
    }
  }

  struct RequantSharing {
    int lanes = 1;       // requantizer lanes (divides the stream's lanes)
    int mul_cycles = 1;  // rtlgen_requant MUL_CYCLES: 2 = one hard multiplier per lane, half rate
  };

  // The requantizer lanes and multiplier rate for `lanes` stream lanes whose vectors come at most
  // every `vector_cycles` cycles: the fewest DSP48E1s (rtlgen_mul_wide: 2 per lane at full rate,
  // 1 at half rate when MUL_BITS <= 25), then the fewest lanes, such that the lanes take a
  // vector in (lanes / requantizer lanes) x MUL_CYCLES <= vector_cycles cycles: the stream's
  // rate, and so the cycles per frame, do not change.
  static RequantSharing requant_sharing(int lanes, int64_t vector_cycles, int mul_bits) {
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
  static int requant_mul_bits(int acc_bits, const std::vector<int32_t>& bias,
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

  // ONNX Runtime's float32 requantization (rtlgen_requant_float): exact in integer logic when
  // float32(acc + bias) is acc + bias, i.e. |acc + bias| < 2^24, which is checked here from the
  // worst case (acc_bits includes the bias for weighted layers; a mean adds its bias to a sum
  // of acc_bits); otherwise the layer is refused.
  void requant_float(HwLayer& hw, const Layer& l, const std::string& from, int lanes,
                     int channels, int acc_bits, const std::vector<int32_t>& bias) {
    int64_t worst = (int64_t(1) << (acc_bits - 1));
    if (!has_weights(l.op)) {
      int64_t max_bias = 0;
      for (int32_t b : bias) max_bias = std::max<int64_t>(max_bias, std::abs(int64_t(b)));
      worst += max_bias;
    }
    if (worst >= (int64_t(1) << 24))
      fail(l, fmt::format("accumulator + bias up to {} is 2^24 or more: ONNX Runtime's float32 "
                          "conversion would round it, which rtlgen_requant_float does not "
                          "reproduce; reduce the layer's weight range or vector length",
                          worst));
    Instance r{"rtlgen_requant_float", l.name + "_rq", {}, {{"clk", "clk"}, {"rst", "rst"}}};
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
    stream_wires(l.name + "_rq", lanes * 8);
    hw.instances.push_back(r);
    // One word per group of `lanes` channels, lane p in bits [p*64 +: 64].
    MemFile mem{pfile, {}, lanes * 64};
    for (int g = 0; g < channels / lanes; ++g) {
      std::string word;
      for (int p = lanes - 1; p >= 0; --p) {
        const int c = g * lanes + p;
        const float s = l.float_scale[l.float_scale.size() == 1 ? 0 : size_t(c)];
        std::string w;
        if (!pack_float_requant(bias[size_t(c)], s, &w))
          fail(l, fmt::format("float32 scale {:.9g} of channel {} is 2^24 or more, negative or "
                              "not finite: no rtlgen_requant_float encoding",
                              s, c));
        word += w;
      }
      mem.lines.push_back(word);
    }
    hw.mems.push_back(mem);
    hw.rom_bits += int64_t(channels) * 64;
    output_fifo(hw, l, l.name + "_rq", lanes);
  }

  // rtlgen_requant_shift: the scale-shift scheme's epilogue (bias ROM, acc*S >> k, rounding,
  // zero point, clamp), widths from the interval analysis (analyze_scale_shift).
  void requant_shift(HwLayer& hw, const Layer& l, const std::string& from, int lanes,
                     int channels, int acc_bits) {
    const ScaleShift& ss = l.scale_shift;
    Instance r{"rtlgen_requant_shift", l.name + "_rq", {}, {{"clk", "clk"}, {"rst", "rst"}}};
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
    stream_wires(l.name + "_rq", lanes * l.out_quant.bits);
    hw.instances.push_back(r);
    // One word per group of `lanes` channels, lane p (channel g*lanes + p) in bits [p*32 +: 32].
    MemFile mem{pfile, {}, lanes * 32};
    for (int g = 0; g < channels / lanes; ++g) {
      std::string word;
      for (int p = lanes - 1; p >= 0; --p)
        word += fmt::format("{:08x}", static_cast<uint32_t>(l.bias[size_t(g * lanes + p)]));
      mem.lines.push_back(word);
    }
    hw.mems.push_back(mem);
    hw.rom_bits += int64_t(channels) * 32;
    output_fifo(hw, l, l.name + "_rq", lanes);
  }

  HwLayer start(const Layer& l, const StreamInfo& src) {
    HwLayer hw;
    hw.layer = l.name;
    hw.op = l.op;
    hw.in = src;
    hw.macs = l.macs;
    hw.lut_buffer = l.folding.lut_buffer;
    return hw;
  }

  Instance swg(const Layer& l, const StreamInfo& src, int simd, int order,
               const std::string& out_prefix, bool side_outputs = true, bool user_output = true) {
    const Shape in = src.shape;
    const Pads pads = total_pads(l);
    Instance s{"rtlgen_swg", l.name + "_swg", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    s.params = {{"IFM_H", lit(in.h)},        {"IFM_W", lit(in.w)},
                {"IFM_C", lit(in.c)},        {"K_H", lit(l.kernel_h)},
                {"K_W", lit(l.kernel_w)},    {"STRIDE_H", lit(l.stride_h)},
                {"STRIDE_W", lit(l.stride_w)}, {"PAD_T", lit(pads.top)},
                {"PAD_B", lit(pads.bottom)}, {"PAD_L", lit(pads.left)},
                {"PAD_R", lit(pads.right)}, {"PAD_VALUE", lit(net_.quant_of(l.inputs[0]).zero_point)},
                {"IN_N", lit(src.elems)},    {"SIMD", lit(simd)},
                {"ORDER", lit(order)}};
    if (src.bits != 8) s.params.push_back({"ELEM_BITS", lit(src.bits)});
    connect_in(s, src.prefix);
    connect_out(s, out_prefix);
    // Pooling needs the window boundary (tlast) and the in-image flag (tuser); the MVU does not.
    const bool side = order == 1 && side_outputs;
    s.ports.push_back({"m_axis_tlast", side ? out_prefix + "_tlast" : ""});
    s.ports.push_back({"m_axis_tuser", side && user_output ? out_prefix + "_tuser" : ""});
    stream_wires(out_prefix, simd * src.bits, side, side && user_output);
    return s;
  }

  void conv(const Layer& l, const StreamInfo& src) {
    HwLayer hw = start(l, src);
    const int c = src.shape.c, kkc = l.kernel_h * l.kernel_w * c;
    hw.pe = l.folding.pe;
    hw.simd = l.folding.simd;
    const bool channel_simd = c % hw.simd == 0;
    const bool tap_simd = hw.simd % c == 0 && kkc % hw.simd == 0;
    if (!channel_simd && !tap_simd)
      fail(l, fmt::format("hw.simd = {} must divide the {} input channels, or be a multiple of "
                          "them that divides {} (kernel {}x{} x {})",
                          hw.simd, c, kkc, l.kernel_h, l.kernel_w, c));
    hw.sf = kkc / hw.simd;
    hw.nf = l.out_shape.c / hw.pe;
    hw.multipliers = hw.pe * hw.simd;
    const int64_t out_px = int64_t(l.out_shape.h) * l.out_shape.w;
    hw.est_cycles = std::max(out_px * hw.nf * hw.sf, src.beats_per_frame());
    hw.ideal_cycles = (l.macs + hw.multipliers - 1) / hw.multipliers;
    hw.instances.push_back(swg(l, src, hw.simd, 0, l.name + "_win"));
    mvu_requant(hw, l, l.name + "_win", kkc, l.out_shape.c);
    record_window_need(l, src, hw.out.elems);
    push_layer(hw);
  }

  // Joins `src` to a consumer taking `simd` elements per beat; returns the stream to read.
  std::string width_convert(HwLayer& hw, const Layer& l, const StreamInfo& src, int simd,
                            const std::string& tag = "_wc") {
    if (src.elems == simd) return src.prefix;
    if (src.elems % simd != 0 && simd % src.elems != 0)
      fail(l, fmt::format("hw.simd = {} and the {} elements per beat of '{}' must divide one "
                          "another (a width converter joins them)",
                          simd, src.elems, src.tensor));
    Instance w{"rtlgen_width_converter", l.name + tag, {}, {{"clk", "clk"}, {"rst", "rst"}}};
    w.params = {{"IN_N", lit(src.elems)}, {"OUT_N", lit(simd)}, {"ELEM_BITS", lit(src.bits)}};
    connect_in(w, src.prefix);
    w.ports.push_back({"s_axis_tlast", "1'b0"});
    connect_out(w, l.name + tag + "v");
    w.ports.push_back({"m_axis_tlast", ""});
    stream_wires(l.name + tag + "v", simd * src.bits);
    hw.instances.push_back(w);
    return l.name + tag + "v";
  }

  void fully_connected(const Layer& l, const StreamInfo& src) {
    HwLayer hw = start(l, src);
    const int mw = int(src.shape.elements()), mh = l.out_shape.c;
    hw.pe = l.folding.pe;
    hw.simd = l.folding.simd;
    hw.sf = mw / hw.simd;
    hw.nf = mh / hw.pe;
    hw.multipliers = hw.pe * hw.simd;
    hw.est_cycles = std::max(int64_t(hw.nf) * hw.sf, src.beats_per_frame());
    hw.ideal_cycles = (l.macs + hw.multipliers - 1) / hw.multipliers;
    mvu_requant(hw, l, width_convert(hw, l, src, hw.simd), mw, mh);
    record_whole_frame_need(l, src, hw.out);
    push_layer(hw);
  }

  // 1x1 stride-1 convolution: every pixel is one MVU vector of C elements (no line buffer).
  void pointwise(const Layer& l, const StreamInfo& src) {
    HwLayer hw = start(l, src);
    const int mw = src.shape.c, mh = l.out_shape.c;
    hw.pe = l.folding.pe;
    hw.simd = l.folding.simd;
    if (mw % hw.simd != 0)
      fail(l, fmt::format("hw.simd = {} must divide the {} input channels", hw.simd, mw));
    hw.sf = mw / hw.simd;
    hw.nf = mh / hw.pe;
    hw.multipliers = hw.pe * hw.simd;
    const int64_t px = int64_t(l.out_shape.h) * l.out_shape.w;
    hw.est_cycles = std::max(px * hw.nf * hw.sf, src.beats_per_frame());
    hw.ideal_cycles = (l.macs + hw.multipliers - 1) / hw.multipliers;
    mvu_requant(hw, l, width_convert(hw, l, src, hw.simd), mw, mh);
    {  // output pixel p needs input pixel p
      std::vector<int64_t> v(size_t(hw.out.beats_per_frame()));
      const int64_t per_px_out = l.out_shape.c / hw.out.elems, per_px_in = mw / src.elems;
      for (size_t j = 0; j < v.size(); ++j) v[j] = (int64_t(j) / per_px_out + 1) * per_px_in;
      stage_need_[l.name] = {{{src.tensor, v}}};
    }
    push_layer(hw);
  }

  // Depthwise (depth multiplier 1): swg(ORDER 1, PE channels per beat) -> dwu -> requant.
  void depthwise(const Layer& l, const StreamInfo& src) {
    HwLayer hw = start(l, src);
    const int c = src.shape.c, taps = l.kernel_h * l.kernel_w;
    if (l.depth_multiplier != 1)
      fail(l, fmt::format("depth multiplier {} has no RTL yet (only 1)", l.depth_multiplier));
    hw.pe = l.folding.pe;
    hw.simd = 1;
    if (l.folding.simd > 1)
      fail(l, fmt::format("hw.simd = {}: the depthwise unit takes one kernel tap per cycle; use "
                          "hw.pe (channels in parallel) instead",
                          l.folding.simd));
    if (c % hw.pe != 0)
      fail(l, fmt::format("hw.pe = {} must divide the {} channels", hw.pe, c));
    hw.sf = taps;
    hw.nf = c / hw.pe;
    hw.multipliers = hw.pe;
    const int64_t px = int64_t(l.out_shape.h) * l.out_shape.w;
    hw.est_cycles = std::max(px * hw.nf * taps, src.beats_per_frame());
    hw.ideal_cycles = (l.macs + hw.multipliers - 1) / hw.multipliers;
    if (!l.folding.share.empty()) {
      shared_depthwise(hw, l, src);
      return;
    }
    hw.instances.push_back(swg(l, src, hw.pe, 1, l.name + "_win"));
    const TensorQuant in_q = net_.quant_of(l.inputs[0]);
    const int acc_bits = std::max(l.acc_bits, 2);
    Instance d{"rtlgen_dwu", l.name + "_dwu", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    const std::string wfile = l.name + "_weights.mem";
    d.params = {{"CHANNELS", lit(c)},
                {"PE", lit(hw.pe)},
                {"TAPS", lit(taps)},
                {"IN_SIGNED", lit(signed_flag(in_q.dtype))},
                {"IN_ZP", lit(in_q.zero_point)},
                {"W_SIGNED", lit(signed_flag(l.weight_dtype))},
                {"W_ZP", lit(l.weight_zero_point)},
                {"ACC_BITS", lit(acc_bits)},
                {"WEIGHT_FILE", str_lit(wfile)}};
    connect_in(d, l.name + "_win");
    d.ports.push_back({"s_axis_tlast", l.name + "_win_tlast"});
    d.ports.push_back({"s_axis_tuser", l.name + "_win_tuser"});
    connect_out(d, l.name + "_acc");
    d.ports.push_back({"m_axis_tlast", ""});
    stream_wires(l.name + "_acc", hw.pe * acc_bits);
    hw.instances.push_back(d);
    hw.mems.push_back({wfile, pack_depthwise_weights(depthwise_weights_ct(l), c, taps, hw.pe),
                       hw.pe * 8});
    hw.rom_bits += int64_t(c) * taps * 8;
    requant(hw, l, l.name + "_acc", hw.pe, c, acc_bits, l.bias, l.requant, taps);
    record_window_need(l, src, hw.out.elems);
    push_layer(hw);
  }

  // Weights [KH][KW][C] -> w[c][t].
  static std::vector<int32_t> depthwise_weights_ct(const Layer& l) {
    const int c = l.out_shape.c, taps = l.kernel_h * l.kernel_w;
    std::vector<int32_t> w_ct(size_t(c) * taps);
    for (int t = 0; t < taps; ++t)
      for (int ch = 0; ch < c; ++ch) w_ct[size_t(ch) * taps + t] = l.weights[size_t(t) * c + ch];
    return w_ct;
  }

  // The members of shared depthwise unit `name`, in stream order.
  std::vector<const Layer*> shared_members(const std::string& name) const {
    std::vector<const Layer*> m;
    for (const Layer& x : net_.layers)
      if (x.op == OpKind::DepthwiseConv2D && x.folding.share == name) m.push_back(&x);
    return m;
  }

  static std::string concat(const std::vector<std::string>& items) {
    std::string s = "{";
    for (size_t i = items.size(); i-- > 0;) s += items[i] + (i ? ", " : "}");
    return s;
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
  UnitRequant unit_requant(const std::vector<const Layer*>& members, int pe, int taps,
                           int acc_bits) const {
    UnitRequant u;
    const Layer& first = *members[0];
    if (acc_bits > 32) return u;
    int mul_bits = 2;
    for (const Layer* m : members) {
      if (m->requant_mode != RequantMode::FromScales || m->out_quant.bits != 8 ||
          m->out_quant.dtype != first.out_quant.dtype ||
          m->single_rounding != first.single_rounding)
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

  // rtlgen_dwu_shared OUT_DEPTH: the fewest result slots (a power of two) with which one input
  // alone keeps the unit busy, (OUT_DEPTH - 1) * TAPS >= LATENCY.
  static int unit_out_depth(int taps, int latency) {
    int out_depth = 2;
    while ((out_depth - 1) * taps < latency) out_depth *= 2;
    return out_depth;
  }

  // A member of a shared depthwise unit: its own line buffer, and its own requantizer unless the
  // unit has one for all (unit_requant); the unit (rtlgen_dwu_shared) is instantiated with its
  // last member, when every member's streams exist.
  void shared_depthwise(HwLayer& hw, const Layer& l, const StreamInfo& src) {
    const std::vector<const Layer*> members = shared_members(l.folding.share);
    const int taps = l.kernel_h * l.kernel_w, c = src.shape.c;
    const TensorQuant in_q = net_.quant_of(l.inputs[0]);
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
      if (net_.quant_of(m->inputs[0]).dtype != net_.quant_of(members[0]->inputs[0]).dtype ||
          m->weight_dtype != members[0]->weight_dtype)
        where("other input or weight types");
      if (m->depth_multiplier != 1)
        fail(*m, fmt::format("depth multiplier {} has no RTL yet (only 1)", m->depth_multiplier));
      if (m->out_shape.c % hw.pe != 0)
        fail(*m, fmt::format("hw.pe = {} must divide the {} channels", hw.pe, m->out_shape.c));
      acc_bits = std::max(acc_bits, m->acc_bits);
      busy += int64_t(m->out_shape.h) * m->out_shape.w * (m->out_shape.c / hw.pe) * taps;
      macs += m->macs;
    }
    if (net_.find(l.folding.share) || l.folding.share == net_.input.name)
      fail(l, fmt::format("hw.share '{}' is also the name of a tensor; the unit's instance and "
                          "weight file would collide with that layer's: rename the unit",
                          l.folding.share));
    if (int(members.size()) > 32)
      fail(l, fmt::format("shared depthwise unit '{}' has {} members; at most 32",
                          l.folding.share, members.size()));
    // The unit is one stage for every member: a frame takes it `busy` cycles.
    hw.est_cycles = std::max(busy, src.beats_per_frame());
    hw.ideal_cycles = (macs + hw.pe - 1) / hw.pe;
    hw.shared_unit = l.folding.share;
    const bool last = members.back() == &l;
    hw.multipliers = last ? hw.pe : 0;
    hw.instances.push_back(swg(l, src, hw.pe, 1, l.name + "_win", false));
    const UnitRequant urq = unit_requant(members, hw.pe, taps, acc_bits);
    // the unit's output for this member: its activations (urq.on) or its accumulators
    const std::string res = l.name + (urq.on ? "_rq" : "_acc");
    stream_wires(res, hw.pe * (urq.on ? 8 : acc_bits));
    hw.rom_bits += int64_t(c) * taps * 8;
    if (last) {
      Instance d{"rtlgen_dwu_shared", l.folding.share + "_dwu", {},
                 {{"clk", "clk"}, {"rst", "rst"}}};
      std::vector<std::string> chans, in_zp, w_zp, out_zp, act_min, act_max, win_d, win_v, win_r,
          acc_d, acc_v, acc_r;
      MemFile mem{l.folding.share + "_weights.mem", {}, hw.pe * 8};
      MemFile prm{l.folding.share + "_requant.mem", {}, urq.share.lanes * 72};
      const auto field = [](int64_t v) { return fmt::format("32'h{:08x}", uint32_t(v)); };
      for (const Layer* m : members) {
        const TensorQuant q = net_.quant_of(m->inputs[0]);
        const std::string r = m->name + (urq.on ? "_rq" : "_acc");
        chans.push_back(fmt::format("32'd{}", m->out_shape.c));
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
        for (auto& line : pack_depthwise_weights(depthwise_weights_ct(*m), m->out_shape.c, taps,
                                                 hw.pe))
          mem.lines.push_back(std::move(line));
        if (urq.on) append_requant_words(prm, m->bias, m->requant, m->out_shape.c, urq.share.lanes);
      }
      const int out_depth = unit_out_depth(taps, urq.latency);
      d.params = {{"N", lit(int64_t(members.size()))},
                  {"PE", lit(hw.pe)},
                  {"TAPS", lit(taps)},
                  {"CHANNELS", concat(chans)},
                  {"IN_SIGNED", lit(signed_flag(in_q.dtype))},
                  {"IN_ZP", concat(in_zp)},
                  {"W_SIGNED", lit(signed_flag(l.weight_dtype))},
                  {"W_ZP", concat(w_zp)},
                  {"ACC_BITS", lit(acc_bits)},
                  {"OUT_DEPTH", lit(out_depth)},
                  {"WEIGHT_FILE", str_lit(mem.name)}};
      if (urq.on) {
        const Layer& m0 = *members[0];
        d.params.insert(d.params.end(), {{"REQUANT", "1"},
                                         {"RQ_PE", lit(urq.share.lanes)},
                                         {"MUL_BITS", lit(urq.mul_bits)},
                                         {"MUL_CYCLES", lit(urq.share.mul_cycles)},
                                         {"PARAM_FILE", str_lit(prm.name)},
                                         {"OUT_ZP", concat(out_zp)},
                                         {"ACT_MIN", concat(act_min)},
                                         {"ACT_MAX", concat(act_max)},
                                         {"OUT_SIGNED", lit(signed_flag(m0.out_quant.dtype))},
                                         {"ROUNDING", m0.single_rounding ? "1" : "0"}});
      }
      d.ports.push_back({"s_axis_tdata", concat(win_d)});
      d.ports.push_back({"s_axis_tvalid", concat(win_v)});
      d.ports.push_back({"s_axis_tready", concat(win_r)});
      d.ports.push_back({"m_axis_tdata", concat(acc_d)});
      d.ports.push_back({"m_axis_tvalid", concat(acc_v)});
      d.ports.push_back({"m_axis_tready", concat(acc_r)});
      hw.instances.push_back(d);
      hw.mems.push_back(mem);
      if (urq.on) hw.mems.push_back(prm);
    }
    if (urq.on) {
      hw.rom_bits += int64_t(c) * 72;  // its words in the unit's requantizer ROM
      output_fifo(hw, l, res, hw.pe);
    } else {
      requant(hw, l, res, hw.pe, c, acc_bits, l.bias, l.requant, taps);
    }
    record_window_need(l, src, hw.out.elems);
    push_layer(hw);
  }

  void pool(const Layer& l, const StreamInfo& src) {
    HwLayer hw = start(l, src);
    const int c = src.shape.c;
    hw.simd = l.folding.simd > 0 ? l.folding.simd : src.elems;
    if (c % hw.simd != 0)
      fail(l, fmt::format("hw.simd = {} must divide the {} channels", hw.simd, c));
    hw.pe = hw.simd;
    const int64_t out_px = int64_t(l.out_shape.h) * l.out_shape.w;
    hw.est_cycles = std::max(out_px * (c / hw.simd) * l.kernel_h * l.kernel_w,
                             src.beats_per_frame());
    if (l.op == OpKind::AveragePool2D && l.requant_mode == RequantMode::OnnxRuntimeFloat) {
      hw.instances.push_back(swg(l, src, hw.simd, 1, l.name + "_win", true, false));
      avgpool_float(hw, l, src);
      return;
    }
    if (l.pool_half_even || src.bits != 8) {  // every tap is in the image: no tuser
      hw.instances.push_back(swg(l, src, hw.simd, 1, l.name + "_win", true, false));
      avgpool_shift(hw, l, src);
      return;
    }
    hw.instances.push_back(swg(l, src, hw.simd, 1, l.name + "_win"));
    Instance p{"rtlgen_pool", l.name + "_pool", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    p.params = {{"MODE", l.op == OpKind::MaxPool2D ? "1" : "0"},
                {"CHANNELS", lit(c)},
                {"SIMD", lit(hw.simd)},
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
    stream_wires(l.name + "_pl", hw.simd * 8);
    hw.instances.push_back(p);
    output_fifo(hw, l, l.name + "_pl", hw.simd);
    record_window_need(l, src, hw.out.elems);
    push_layer(hw);
  }

  // Half-even average pooling, or pooling of wide elements: rtlgen_avgpool_shift (a sum and a
  // rounding shift) for windows of 2^m taps without padding.
  void avgpool_shift(HwLayer& hw, const Layer& l, const StreamInfo& src) {
    const int taps = l.kernel_h * l.kernel_w;
    if (l.op != OpKind::AveragePool2D || !l.pool_half_even)
      fail(l, fmt::format("pooling of {}-bit elements is implemented as average_pool2d with "
                          "rounding: half_even only",
                          src.bits));
    if ((taps & (taps - 1)) != 0 || l.pads.top + l.pads.bottom + l.pads.left + l.pads.right > 0)
      fail(l, fmt::format("a half-even average pool needs a window of 2^m taps without padding "
                          "in hardware (got {}x{}, padding {})",
                          l.kernel_h, l.kernel_w, to_string(l.padding)));
    if (l.act_min > qmin(src_quant(l)) || l.act_max < qmax(src_quant(l)))
      fail(l, "a clamp (activation) on a half-even average pool is not implemented in hardware");
    Instance p{"rtlgen_avgpool_shift", l.name + "_pool", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    p.params = {{"CHANNELS", lit(src.shape.c)},     {"SIMD", lit(hw.simd)},
                {"K_H", lit(l.kernel_h)},            {"K_W", lit(l.kernel_w)},
                {"ELEM_BITS", lit(src.bits)},        {"IN_SIGNED", lit(signed_flag(src.dtype))},
                {"ROUNDING", lit(int(Rounding::HalfEven))}};
    connect_in(p, l.name + "_win");
    p.ports.push_back({"s_axis_tlast", l.name + "_win_tlast"});
    connect_out(p, l.name + "_pl");
    p.ports.push_back({"m_axis_tlast", ""});
    stream_wires(l.name + "_pl", hw.simd * src.bits);
    hw.instances.push_back(p);
    output_fifo(hw, l, l.name + "_pl", hw.simd);
    record_window_need(l, src, hw.out.elems);
    push_layer(hw);
  }

  // ONNX Runtime's float32 average pool (QLinearAveragePool): rtlgen_avgpool_float, the float
  // sum in integers and a threshold search that the golden model's own code computes here.
  // Its count is K_H*K_W, so every window must lie in the image (no padding).
  void avgpool_float(HwLayer& hw, const Layer& l, const StreamInfo& src) {
    const TensorQuant in_q = src_quant(l);
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
    Instance p{"rtlgen_avgpool_float", l.name + "_pool", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    p.params = {{"CHANNELS", lit(src.shape.c)},
                {"SIMD", lit(hw.simd)},
                {"K_H", lit(l.kernel_h)},
                {"K_W", lit(l.kernel_w)},
                {"IN_SIGNED", lit(signed_flag(src.dtype))},
                {"IN_ZP", lit(in_q.zero_point)},
                {"IN_MANT", fmt::format("24'h{:06x}", t.in_mant)},
                {"ACT_MIN", lit(l.act_min)},
                {"THRESH_FILE", str_lit(tfile)}};
    connect_in(p, l.name + "_win");
    p.ports.push_back({"s_axis_tlast", l.name + "_win_tlast"});
    connect_out(p, l.name + "_pl");
    p.ports.push_back({"m_axis_tlast", ""});
    stream_wires(l.name + "_pl", hw.simd * 8);
    hw.instances.push_back(p);
    // 256 thresholds of sum_bits + 1 bits, two's complement
    const int word_bits = t.sum_bits + 1;
    MemFile mem{tfile, {}, word_bits};
    for (int64_t v : t.thresholds)
      mem.lines.push_back(fmt::format("{:0{}x}", uint64_t(v) & ((uint64_t(1) << word_bits) - 1),
                                      (word_bits + 3) / 4));
    hw.mems.push_back(mem);
    hw.rom_bits += 256 * int64_t(word_bits);
    output_fifo(hw, l, l.name + "_pl", hw.simd);
    record_window_need(l, src, hw.out.elems);
    push_layer(hw);
  }

  TensorQuant src_quant(const Layer& l) const { return net_.quant_of(l.inputs[0]); }

  void mean(const Layer& l, const StreamInfo& src) {
    HwLayer hw = start(l, src);
    const int c = src.shape.c, lanes = src.elems;
    hw.pe = hw.simd = lanes;
    hw.est_cycles = src.beats_per_frame() + c / lanes;
    // rtlgen_global_pool sizes its sums for any 8-bit input: 9 + ceil(log2(H*W)) bits.
    int px_bits = 0;
    while ((int64_t(1) << px_bits) < int64_t(src.shape.h) * src.shape.w) ++px_bits;
    const int acc_bits = std::max(l.acc_bits, 9 + px_bits);
    Instance g{"rtlgen_global_pool", l.name + "_gp", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    g.params = {{"H", lit(src.shape.h)},     {"W", lit(src.shape.w)},
                {"CHANNELS", lit(c)},        {"IN_N", lit(lanes)},
                {"IN_SIGNED", lit(signed_flag(src.dtype))}, {"ACC_BITS", lit(acc_bits)}};
    connect_in(g, src.prefix);
    connect_out(g, l.name + "_sum");
    g.ports.push_back({"m_axis_tlast", ""});
    stream_wires(l.name + "_sum", lanes * acc_bits);
    hw.instances.push_back(g);
    requant(hw, l, l.name + "_sum", lanes, c, acc_bits, std::vector<int32_t>(c, l.mean_bias),
            l.requant);
    record_whole_frame_need(l, src, hw.out);
    push_layer(hw);
  }

  // Appends a stage and records its latency for skip-FIFO slack: one output row's share of the
  // stage's cycles per frame (a line buffer downstream waits for whole rows, so a stage's
  // output lags its last needed input by up to a row of compute), plus the register stages of
  // its template chain (the resource model's stage_delay, from the templates' headers).
  void push_layer(const HwLayer& hw) {
    const int64_t rows = std::max<int64_t>(1, hw.out.shape.h);
    stage_latency_[hw.layer] = (hw.est_cycles + rows - 1) / rows + stage_delay(hw);
    plan_.layers.push_back(hw);
  }

  Pads total_pads(const Layer& l) const {
    Pads p = l.pads;
    auto it = merged_pads_.find(l.name);
    if (it != merged_pads_.end()) {
      p.top += it->second.top;
      p.bottom += it->second.bottom;
      p.left += it->second.left;
      p.right += it->second.right;
    }
    return p;
  }

  // PAD has no hardware of its own: its padding (with the input zero point, which is also
  // TFLite's pad value) joins the padding of the one convolution it feeds, whose line buffer
  // already produces out-of-image taps.
  void pad(const Layer& l, const StreamInfo& src) {
    const auto& cons = consumers_[l.name];
    const Layer* c = cons.size() == 1 ? &net_.layers[size_t(cons[0].first)] : nullptr;
    if (!c || (c->op != OpKind::Conv2D && c->op != OpKind::DepthwiseConv2D))
      fail(l, "PAD is implemented by merging it into the padding of the next layer, which must "
              "be its only consumer and a conv2d or depthwise_conv2d");
    const Pads sum{l.pads.top + c->pads.top, l.pads.bottom + c->pads.bottom,
                   l.pads.left + c->pads.left, l.pads.right + c->pads.right};
    if (sum.top >= c->kernel_h || sum.bottom >= c->kernel_h || sum.left >= c->kernel_w ||
        sum.right >= c->kernel_w)
      fail(l, fmt::format("padding {}/{}/{}/{} (top/bottom/left/right, with the next layer's own) "
                          "must stay below the {}x{} kernel of '{}' to be merged into it",
                          sum.top, sum.bottom, sum.left, sum.right, c->kernel_h, c->kernel_w,
                          c->name));
    if (l.out_quant.zero_point != net_.quant_of(l.inputs[0]).zero_point)
      fail(l, "PAD must keep the input's quantization to be merged into the next layer");
    merged_pads_[c->name] = l.pads;
    StreamInfo s = src;  // the unpadded stream goes on to the convolution
    s.tensor = l.name;
    streams_[l.name] = s;
    stage_need_[l.name] = {{{src.tensor, count_up(s.beats_per_frame())}}};
  }

  // ADD: both inputs joined beat by beat (B width-converted to A's elements per beat when they
  // differ), then rtlgen_add -> fifo. A fork feeding both inputs gets a skip FIFO.
  void add(const Layer& l) {
    const StreamInfo a = stream_of(l, 0), b = stream_of(l, 1);
    HwLayer hw = start(l, a);
    hw.join_inputs = {l.inputs[1]};
    const int n = a.elems;
    const std::string pb = width_convert(hw, l, b, n, "_wcb");
    const TensorQuant qa = net_.quant_of(l.inputs[0]), qb = net_.quant_of(l.inputs[1]);
    Instance u{"rtlgen_add", l.name + "_add", {}, {{"clk", "clk"}, {"rst", "rst"}}};
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
    stream_wires(l.name + "_sum", n * 8);
    hw.instances.push_back(u);
    output_fifo(hw, l, l.name + "_sum", n);
    hw.pe = hw.simd = n;
    hw.est_cycles = a.beats_per_frame();
    // ADD beat j needs A beat j and the B beats holding its elements.
    const size_t beats = size_t(a.beats_per_frame());
    std::vector<int64_t> va(beats), vb(beats);
    for (size_t j = 0; j < beats; ++j) {
      va[j] = int64_t(j) + 1;
      vb[j] = (int64_t(j + 1) * n + b.elems - 1) / b.elems;
    }
    stage_need_[l.name] = {{{l.inputs[0], va}, {l.inputs[1], vb}}};
    size_skip_fifos(l, {va, vb});
    push_layer(hw);
  }

  // CONCATENATION of N inputs along the channels: an input quantized otherwise than the output
  // passes rtlgen_remap (its requantization as a table of the golden model), each is
  // width-converted to its beat of the layout, then rtlgen_concat -> fifo. The layout: every
  // input at one width n, the widest that divides every input's channels and joins each input's
  // beats (per pixel input 0's channels / n beats, then input 1's, ...); when that takes more
  // beats per frame than the slowest stage planned before it takes cycles, the inputs' whole
  // pixels side by side, one output beat per pixel, so that the join keeps the pipeline's rate.
  // Forks feeding several inputs get skip FIFOs, sized from the beats each output beat needs.
  void concat(const Layer& l) {
    std::vector<StreamInfo> in;
    for (size_t k = 0; k < l.inputs.size(); ++k) in.push_back(stream_of(l, int(k)));
    HwLayer hw = start(l, in[0]);
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
    int64_t slowest = plan_.input.beats_per_frame();
    for (const HwLayer& p : plan_.layers) slowest = std::max(slowest, p.est_cycles);
    const bool whole = pixels * (l.out_shape.c / n) > slowest &&
                       joins_all([](const StreamInfo& s) { return s.shape.c; });
    const int out_n = whole ? l.out_shape.c : n;
    std::vector<int> width, beats;
    std::vector<std::string> data, valid, ready;
    for (size_t k = 0; k < in.size(); ++k) {
      width.push_back(whole ? in[k].shape.c : n);
      beats.push_back(in[k].shape.c / width.back());
      const std::string from = width_convert(hw, l, remap_input(hw, l, int(k), in[k]),
                                             width.back(), fmt::format("_wc{}", k));
      data.push_back(from + "_tdata");
      valid.push_back(from + "_tvalid");
      ready.push_back(from + "_tready");
    }
    const auto fields = [](const std::vector<int>& v) {
      std::vector<std::string> f;
      for (int x : v) f.push_back(fmt::format("32'd{}", x));
      return concat(f);
    };
    Instance u{"rtlgen_concat", l.name + "_cat", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    u.params = {{"N_IN", lit(int64_t(in.size()))},
                {"N", lit(out_n)},
                {"ELEM_BITS", lit(bits)},
                {"IN_N", fields(width)},
                {"IN_BEATS", fields(beats)}};
    u.ports.push_back({"s_axis_tdata", concat(data)});
    u.ports.push_back({"s_axis_tvalid", concat(valid)});
    u.ports.push_back({"s_axis_tready", concat(ready)});
    connect_out(u, l.name + "_cat");
    stream_wires(l.name + "_cat", out_n * bits);
    hw.instances.push_back(u);
    output_fifo(hw, l, l.name + "_cat", out_n);
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
    stage_need_[l.name] = stage;
    size_skip_fifos(l, need_in);
    push_layer(hw);
  }

  // Input k of a concatenation, through rtlgen_remap when its quantization differs from the
  // output's (the table: golden::concat_table, so hardware = golden model).
  StreamInfo remap_input(HwLayer& hw, const Layer& l, int k, StreamInfo s) {
    const TensorQuant q = net_.quant_of(l.inputs[size_t(k)]);
    if (!golden::concat_input_requantized(q, l.out_quant)) return s;
    if (s.bits != 8)
      fail(l, fmt::format("input '{}' of {} bits would need requantizing; only 8-bit inputs "
                          "have a hardware requantizer (rtlgen_remap)",
                          l.inputs[size_t(k)], s.bits));
    const std::string tag = fmt::format("_remap{}", k);
    const std::string tfile = l.name + tag + ".mem";
    Instance r{"rtlgen_remap", l.name + tag, {}, {{"clk", "clk"}, {"rst", "rst"}}};
    r.params = {{"N", lit(s.elems)},
                {"SIGNED", lit(signed_flag(q.dtype))},
                {"TABLE_FILE", str_lit(tfile)}};
    connect_in(r, s.prefix);
    connect_out(r, l.name + tag);
    stream_wires(l.name + tag, s.elems * 8);
    hw.instances.push_back(r);
    MemFile mem{tfile, {}, 8};
    for (int32_t v : golden::concat_table(l, q))
      mem.lines.push_back(fmt::format("{:02x}", uint32_t(v) & 0xffu));
    hw.mems.push_back(mem);
    hw.rom_bits += 256 * 8 * int64_t(s.elems);
    s.prefix = l.name + tag;
    return s;
  }

  // ---- skip-FIFO sizing -------------------------------------------------------------------
  // need(T, R)[j] = how many beats of stream R must have entered before beat j of stream T can
  // leave its stage (per frame; every stream carries one frame per input frame). Each stage
  // records its own dependence (stage_need_); the dependence on R is their composition.
  static std::vector<int64_t> count_up(int64_t n) {
    std::vector<int64_t> v(size_t(std::max<int64_t>(n, 0)));
    for (size_t j = 0; j < v.size(); ++j) v[j] = int64_t(j) + 1;
    return v;
  }

  // Convolution / depthwise / pooling: the line buffer releases output row oy once input row
  // min(oy*S + K_H - 1 - PAD_T, H - 1) is completely written (rtlgen_swg's rule).
  void record_window_need(const Layer& l, const StreamInfo& src, int out_elems) {
    const Shape in = src.shape;
    const Pads pads = total_pads(l);
    const int64_t per_px = l.out_shape.c / out_elems;
    const int64_t beats = int64_t(l.out_shape.h) * l.out_shape.w * per_px;
    const int64_t row_beats = int64_t(in.w) * in.c / src.elems;
    std::vector<int64_t> v(static_cast<size_t>(beats));
    for (int64_t j = 0; j < beats; ++j) {
      const int64_t oy = (j / per_px) / l.out_shape.w;
      const int64_t last_row =
          std::min<int64_t>(oy * l.stride_h + l.kernel_h - 1 - pads.top, in.h - 1);
      v[size_t(j)] = (last_row + 1) * row_beats;
    }
    stage_need_[l.name] = {{{src.tensor, v}}};
  }

  void record_whole_frame_need(const Layer& l, const StreamInfo& src, const StreamInfo& out) {
    stage_need_[l.name] = {{{src.tensor, std::vector<int64_t>(size_t(out.beats_per_frame()),
                                                              src.beats_per_frame())}}};
  }

  const std::vector<int64_t>& need(const std::string& t, const std::string& root) {
    const std::string key = t + "\n" + root;
    auto memo = need_memo_.find(key);
    if (memo != need_memo_.end()) return memo->second;
    std::vector<int64_t> v;
    const int64_t beats = streams_.at(t).beats_per_frame();
    if (t == root) {
      v = count_up(beats);
    } else if (!stage_need_.count(t)) {
      v.assign(size_t(beats), 0);  // another root (the network input): no dependence on `root`
    } else {
      v.assign(size_t(beats), 0);
      for (const auto& [input, dep] : stage_need_.at(t)) {
        const std::vector<int64_t> up = need(input, root);
        for (size_t j = 0; j < v.size() && j < dep.size(); ++j)
          if (dep[j] > 0) v[j] = std::max(v[j], up[size_t(dep[j] - 1)]);
      }
    }
    return need_memo_[key] = v;
  }

  bool depends_on(const std::string& t, const std::string& ancestor) const {
    if (t == ancestor) return true;
    auto it = layer_index_.find(t);
    if (it == layer_index_.end()) return false;
    for (const auto& in : net_.layers[size_t(it->second)].inputs)
      if (depends_on(in, ancestor)) return true;
    return false;
  }

  // The latest tensor that forks and that both ADD inputs depend on.
  std::string common_fork(const std::string& x, const std::string& y) const {
    std::string best;
    int best_index = -2;
    for (const auto& [t, cons] : consumers_) {
      if (cons.size() < 2 || !depends_on(x, t) || !depends_on(y, t)) continue;
      const auto it = layer_index_.find(t);
      const int index = it == layer_index_.end() ? -1 : it->second;
      if (index > best_index) {
        best_index = index;
        best = t;
      }
    }
    return best;
  }

  // Sizing rule. With the fork's per-output delivery, the branch that needs more of the fork's
  // stream (the long branch, e.g. two 3x3 convolutions) can receive fork beat n only after the
  // other (short) branch has accepted beats 0 .. n-1. While the ADD waits for beat j of the
  // long branch, the short branch has passed on at least need_short(j) fork beats (a bare skip
  // path: exactly the j beats the ADD consumed, its beat j itself waiting in the FIFO), so it
  // must hold need_long(j) - need_short(j) beats for the long branch to get what beat j needs.
  // Capacity = max_j (need_long(j) - need_short(j)) fork beats, a FIFO at the start of the
  // short branch (rtlgen_fifo holds DEPTH + 1). For a bare skip path this is exact (one less
  // deadlocks, tests/e2e); with stages on the short path their own buffering adds slack.
  //
  // A join of more inputs (a concatenation): every fork that is the latest common fork of two
  // of its inputs is balanced alone. Its branches that lead to the join each need, for join
  // beat j, the most fork beats any join input on that branch needs (a later fork on the branch
  // balances those inputs among themselves); the branch needing the most sets the pace and every
  // other branch holds max_j (the most any branch needs - its own need) fork beats.
  // `in_need[k][j]`: beats of input k that join beat j needs (0: none yet).
  void size_skip_fifos(const Layer& l, const std::vector<std::vector<int64_t>>& in_need) {
    std::set<std::string> roots;
    for (size_t x = 0; x < l.inputs.size(); ++x)
      for (size_t y = x + 1; y < l.inputs.size(); ++y) {
        const std::string r = common_fork(l.inputs[x], l.inputs[y]);
        if (!r.empty()) roots.insert(r);
      }
    for (const std::string& root : roots) balance_fork(l, root, in_need);
  }

  void balance_fork(const Layer& l, const std::string& root,
                    const std::vector<std::vector<int64_t>>& in_need) {
    struct Branch {
      int index = 0;       // output of the fork
      int slot = 0;        // its first join input
      std::vector<int64_t> need;  // fork beats needed per join beat
      int64_t latency = 0;
    };
    std::vector<Branch> branches;
    const size_t beats = in_need[0].size();
    for (size_t k = 0; k < l.inputs.size(); ++k) {
      if (!depends_on(l.inputs[k], root)) continue;
      const int index = branch_of(l, root, int(k));
      auto b = std::find_if(branches.begin(), branches.end(),
                            [&](const Branch& x) { return x.index == index; });
      if (b == branches.end()) b = branches.insert(branches.end(), {index, int(k), {}, 0});
      b->need.resize(beats, 0);
      const std::vector<int64_t>& r = need(l.inputs[k], root);
      for (size_t j = 0; j < beats; ++j)  // 0 beats needed (an input before its first beat)
        if (in_need[k][j] > 0) b->need[j] = std::max(b->need[j], r[size_t(in_need[k][j] - 1)]);
      b->latency = std::max(b->latency, latency(l.inputs[k], root));
    }
    if (branches.size() < 2) return;
    std::vector<int64_t> most(beats, 0);
    int64_t slowest = 0;
    for (const Branch& b : branches) {
      for (size_t j = 0; j < beats; ++j) most[j] = std::max(most[j], b.need[j]);
      slowest = std::max(slowest, b.latency);
    }
    // Throughput: while the slowest branch computes beat j from its last needed input, the fork
    // must keep feeding, so each faster branch also holds the fork beats of its latency
    // difference to the slowest. For ADD the faster branch is the one that needs less (the skip
    // path); a concatenation's direct first input needs more than a computed second one (its
    // pixel comes first) yet is faster: then each branch gets a FIFO.
    const bool slack_only = !opt_.skip_fifo_bound_only;  // a FIFO for the slack alone
    for (auto b = branches.rbegin(); b != branches.rend(); ++b) {
      int64_t cap = 0;
      for (size_t j = 0; j < beats; ++j) cap = std::max(cap, most[j] - b->need[j]);
      const int64_t slack = fork_beats_within(root, slowest - b->latency);
      if (cap > 0 || (slack_only && slack > 0))
        insert_skip_fifo(l, root, b->index, b->slot, cap, slack);
    }
  }

  // At most how many beats the fork `root` passes on in `cycles` cycles: no faster than its
  // slowest producer up to the network input allows (cycles per frame over the fork's beats per
  // frame), plus two beats for the output FIFOs on the way, and never more than one frame.
  // A heavily folded network (a multiplier or a few per layer) thus gets skip FIFOs of a few
  // hundred beats where one beat per cycle would ask for whole frames.
  int64_t fork_beats_within(const std::string& root, int64_t cycles) const {
    if (cycles <= 0) return 0;
    const int64_t beats = streams_.at(root).beats_per_frame();
    int64_t slowest = beats;  // one beat per cycle at best
    for (const HwLayer& hw : plan_.layers)
      if (depends_on(root, hw.layer)) slowest = std::max(slowest, hw.est_cycles);
    const int64_t within = (cycles * beats + slowest - 1) / slowest + 2;
    return std::min(within, beats);
  }

  // Cycles from a stage's last needed input beat to its output beat, summed along the path
  // from `root` (per stage: one output pixel's compute time plus the pipeline registers).
  int64_t latency(const std::string& t, const std::string& root) const {
    if (t == root) return 0;
    auto it = layer_index_.find(t);
    if (it == layer_index_.end()) return 0;
    int64_t up = 0;
    for (const auto& in : net_.layers[size_t(it->second)].inputs)
      if (depends_on(in, root)) up = std::max(up, latency(in, root));
    auto own = stage_latency_.find(t);
    return up + (own == stage_latency_.end() ? 0 : own->second);
  }

  // The output of fork `root` that join input `slot` of `l` is on.
  int branch_of(const Layer& l, const std::string& root, int slot) const {
    const std::string& in = l.inputs[size_t(slot)];
    const auto& cons = consumers_.at(root);
    const int me = layer_index_.at(l.name);
    for (size_t i = 0; i < cons.size(); ++i) {
      const Layer& c = net_.layers[size_t(cons[i].first)];
      if (in == root ? (cons[i].first == me && cons[i].second == slot) : depends_on(in, c.name))
        return int(i);
    }
    fail(l, fmt::format("internal: no branch of '{}' leads to '{}'", root, in));
  }

  void insert_skip_fifo(const Layer& l, const std::string& root, int branch, int slot,
                        int64_t capacity, int64_t slack) {
    if (opt_.skip_fifo_bound_only) slack = 0;
    StreamInfo& b = forks_.at(root)[size_t(branch)];
    if (!skipped_.insert(b.prefix).second)
      fail(l, fmt::format("branch {} of '{}' would need two skip FIFOs (nested joins on one "
                          "branch have no sizing rule yet)",
                          branch, root));
    const int depth = int(std::max<int64_t>(2, capacity + slack - 1 + opt_.skip_fifo_adjust));
    std::vector<std::string>& outputs = fork_outputs_.at(root);
    outputs[size_t(branch)] = b.prefix + "_sk";  // fork -> FIFO -> the branch's stream
    connect_fork_outputs(plan_.glue[fork_glue_.at(root)], outputs);
    stream_wires(b.prefix + "_sk", b.width());
    Instance f{"rtlgen_fifo", fmt::format("{}_skip{}_fifo", root, branch), {},
               {{"clk", "clk"}, {"rst", "rst"}}};
    f.params = {{"WIDTH", lit(b.width())}, {"DEPTH", lit(depth)}, {"LAST_ENABLE", "0"},
                {"USER_WIDTH", "0"}};
    connect_in(f, b.prefix + "_sk");
    f.ports.push_back({"s_axis_tlast", "1'b0"});
    f.ports.push_back({"s_axis_tuser", "1'b0"});
    connect_out(f, b.prefix);
    f.ports.push_back({"m_axis_tlast", ""});
    f.ports.push_back({"m_axis_tuser", ""});
    plan_.glue.push_back(f);
    plan_.skip_fifos.push_back(
        {l.name, root, l.inputs[size_t(slot)], capacity, slack, depth, b.elems});
  }

  // The argmax side channel (Network::argmax): classifiers only, unless the YAML says.
  bool wants_argmax(const StreamInfo& out) const {
    const bool scores = out.shape.h == 1 && out.shape.w == 1 && out.shape.c > 1;
    switch (net_.argmax) {
      case Network::Argmax::Off: return false;
      case Network::Argmax::On:
        if (!scores)
          throw Error(net_.argmax_loc,
                      fmt::format("argmax: true needs an output of 1x1xC scores (C > 1); the "
                                  "hardware output '{}' is {}. Remove the key or set it to false",
                                  out.tensor, out.shape.str()));
        return true;
      case Network::Argmax::Auto: break;
    }
    return scores && (net_.layers.back().op == OpKind::Softmax ||
                      out.shape.elements() < net_.input.shape.elements());
  }

  void finish() {
    const StreamInfo& out = plan_.output;
    Instance t{"rtlgen_tlast_gen", "output_framer", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    t.params = {{"WIDTH", lit(out.width())}, {"BEATS", lit(out.beats_per_frame())}};
    connect_in(t, out.prefix);
    plan_.classify = wants_argmax(out);
    const std::string framed = plan_.classify ? "framed" : "m_axis";
    connect_out(t, framed);
    t.ports.push_back({"m_axis_tlast", framed + "_tlast"});
    plan_.tlast = t;
    if (plan_.classify) {
      stream_wires(framed, out.width(), true);
      int bits = 1;
      while ((int64_t(1) << bits) < out.shape.c) ++bits;
      plan_.class_bits = bits;
      Instance a{"rtlgen_argmax", "output_argmax", {}, {{"clk", "clk"}, {"rst", "rst"}}};
      a.params = {{"N", lit(out.elems)},
                  {"BEATS", lit(out.beats_per_frame())},
                  {"SIGNED", lit(signed_flag(out.dtype))},
                  {"IDX_BITS", lit(bits)}};
      if (out.bits != 8) a.params.push_back({"ELEM_BITS", lit(out.bits)});
      connect_in(a, framed);
      a.ports.push_back({"s_axis_tlast", framed + "_tlast"});
      connect_out(a, "m_axis");
      a.ports.push_back({"m_axis_tlast", "m_axis_tlast"});
      a.ports.push_back({"m_axis_tuser", "m_axis_tuser"});
      plan_.argmax = a;
    }
    for (const auto& hw : plan_.layers) {
      plan_.multipliers += hw.multipliers;
      plan_.macs += hw.macs;
      plan_.rom_bits += hw.rom_bits;
      plan_.ideal_cycles_per_frame = std::max(plan_.ideal_cycles_per_frame, hw.ideal_cycles);
      if (hw.est_cycles > plan_.est_cycles_per_frame) {
        plan_.est_cycles_per_frame = hw.est_cycles;
        plan_.bottleneck = hw.layer;
      }
    }
    plan_.est_cycles_per_frame =
        std::max(plan_.est_cycles_per_frame, plan_.input.beats_per_frame());
    std::vector<std::string> used = {"rtlgen_fifo", "rtlgen_tlast_gen"};
    if (plan_.classify) used.push_back("rtlgen_argmax");
    const auto use = [&](const std::string& module) {
      if (std::find(used.begin(), used.end(), module) != used.end()) return;
      used.push_back(module);
      for (const char* sub : template_submodules(module))  // leaves: no deeper nesting
        if (std::find(used.begin(), used.end(), sub) == used.end()) used.push_back(sub);
    };
    for (const auto& hw : plan_.layers)
      for (const auto& inst : hw.instances) use(inst.module);
    for (const auto& inst : plan_.glue) use(inst.module);
    std::sort(used.begin(), used.end());
    for (const auto& m : used) plan_.templates.push_back(m + ".v");
  }

  using StageNeed = std::vector<std::pair<std::string, std::vector<int64_t>>>;

  const Network& net_;
  const PlanOptions opt_;
  HwPlan plan_;
  std::map<std::string, StreamInfo> streams_;
  std::map<std::string, int> layer_index_;
  std::map<std::string, std::vector<std::pair<int, int>>> consumers_;  // tensor -> (layer, slot)
  std::map<std::string, std::vector<StreamInfo>> forks_;  // tensor -> branch streams
  std::map<std::string, size_t> fork_glue_;               // tensor -> its fork in plan_.glue
  std::map<std::string, std::vector<std::string>> fork_outputs_;  // tensor -> fork outputs
  std::map<std::string, Pads> merged_pads_;               // conv -> padding of the PAD before it
  std::map<std::string, StageNeed> stage_need_;
  std::map<std::string, std::vector<int64_t>> need_memo_;
  std::set<std::string> skipped_;
  std::map<std::string, int64_t> stage_latency_;  // tensor -> its stage's latency (cycles)
};

}  // namespace

HwPlan plan_hardware(const Network& net, const PlanOptions& opt) {
  HwPlan plan = Planner(net, opt).run();
  choose_memory_styles(plan);  // block or distributed memories, by the resource model's rule
  bank_deep_roms(plan);        // block-RAM weight ROMs deeper than one block: banks
  check_netlist_identifiers(net, plan);  // a user name equal to a generated one is refused
  return plan;
}

void check_names_at_load(const Network& net) {
  // The planner's own naming, not a copy of its suffixes: plan, then look for duplicates.
  HwPlan plan;
  try {
    plan = Planner(net, {}).run();
  } catch (const Error&) {
    return;  // not plannable as it stands: generate says why (and checks the names then)
  }
  check_netlist_identifiers(net, plan);
}

}  // namespace rtlgen
