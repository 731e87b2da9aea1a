#include "rtlgen/hw_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "rtlgen/error.hpp"
#include "rtlgen/folding.hpp"
#include "rtlgen/passes.hpp"
#include "rtlgen/weight_packing.hpp"

namespace rtlgen {
namespace {

constexpr int kFifoDepth = 16;  // between stages: absorbs the MVU's output bursts

std::string lit(int64_t v) { return v < 0 ? fmt::format("-{}", -v) : fmt::format("{}", v); }
std::string str_lit(const std::string& s) { return "\"" + s + "\""; }

[[noreturn]] void fail(const Layer& l, const std::string& msg) {
  throw Error(l.loc, fmt::format("layer '{}' ({}): {}", l.name, to_string(l.op), msg));
}

class Planner {
 public:
  explicit Planner(const Network& net) : net_(net) {}

  HwPlan run() {
    plan_.top = net_.name + "_top";
    StreamInfo in;
    in.tensor = net_.input.name;
    in.prefix = "s_axis";
    in.elems = net_.input.shape.c;
    in.shape = net_.input.shape;
    in.dtype = net_.input.quant.dtype;
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
      const StreamInfo src = stream_of(l);
      switch (l.op) {
        case OpKind::Conv2D:
          if (is_pointwise(l))
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
          break;
        }
        default:
          fail(l, "has no RTL template yet (supported in hardware: conv2d, depthwise_conv2d, "
                  "fully_connected, average_pool2d, max_pool2d, mean, reshape, trailing softmax)");
      }
    }
    const std::string last = plan_.software.empty() ? net_.layers.back().name
                                                    : net_.layers[net_.layers.size() - 2].name;
    plan_.output = streams_.at(last);
    finish();
    return plan_;
  }

 private:
  StreamInfo stream_of(const Layer& l) {
    if (l.inputs.size() != 1) fail(l, "multi-input layers have no RTL yet");
    auto it = streams_.find(l.inputs[0]);
    if (it == streams_.end()) fail(l, "input stream not available");
    if (consumed_.count(l.inputs[0]))
      fail(l, fmt::format("tensor '{}' feeds more than one layer; stream forks have no RTL yet",
                          l.inputs[0]));
    consumed_.insert(l.inputs[0]);
    return it->second;
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
    f.params = {{"WIDTH", lit(elems * 8)}, {"DEPTH", lit(kFifoDepth)}, {"LAST_ENABLE", "0"},
                {"USER_WIDTH", "0"}};
    connect_in(f, from);
    f.ports.push_back({"s_axis_tlast", "1'b0"});
    f.ports.push_back({"s_axis_tuser", "1'b0"});
    connect_out(f, l.name);
    f.ports.push_back({"m_axis_tlast", ""});
    f.ports.push_back({"m_axis_tuser", ""});
    stream_wires(l.name, elems * 8);
    hw.instances.push_back(f);
    StreamInfo out{l.name, l.name, elems, l.out_shape, l.out_quant.dtype};
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
    connect_in(m, from);
    connect_out(m, l.name + "_acc");
    stream_wires(l.name + "_acc", hw.pe * acc_bits);
    hw.instances.push_back(m);
    hw.mems.push_back({wfile, pack_weights({mh, mw, l.weights}, hw.pe, hw.simd), hw.pe * hw.simd * 8});
    requant(hw, l, l.name + "_acc", hw.pe, mh, acc_bits, l.bias, l.requant);
    hw.rom_bits += int64_t(mh) * mw * 8;
  }

  void requant(HwLayer& hw, const Layer& l, const std::string& from, int lanes, int channels,
               int acc_bits, const std::vector<int32_t>& bias,
               const std::vector<QuantizedMultiplier>& qm) {
    Instance r{"rtlgen_requant", l.name + "_rq", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    const std::string pfile = l.name + "_requant.mem";
    r.params = {{"PE", lit(lanes)},
                {"CHANNELS", lit(channels)},
                {"ACC_BITS", lit(acc_bits)},
                {"PARAM_FILE", str_lit(pfile)},
                {"OUT_ZP", lit(l.out_quant.zero_point)},
                {"ACT_MIN", lit(l.act_min)},
                {"ACT_MAX", lit(l.act_max)},
                {"OUT_SIGNED", lit(signed_flag(l.out_quant.dtype))},
                {"ROUNDING", l.single_rounding ? "1" : "0"}};
    connect_in(r, from);
    connect_out(r, l.name + "_rq");
    stream_wires(l.name + "_rq", lanes * 8);
    hw.instances.push_back(r);
    MemFile mem{pfile, {}, 72};
    for (int c = 0; c < channels; ++c)
      mem.lines.push_back(pack_requant(bias[c], qm[qm.size() == 1 ? 0 : c]));
    hw.mems.push_back(mem);
    hw.rom_bits += int64_t(channels) * 72;
    output_fifo(hw, l, l.name + "_rq", lanes);
  }

  HwLayer start(const Layer& l, const StreamInfo& src) {
    HwLayer hw;
    hw.layer = l.name;
    hw.op = l.op;
    hw.in = src;
    hw.macs = l.macs;
    return hw;
  }

  Instance swg(const Layer& l, const StreamInfo& src, int simd, int order,
               const std::string& out_prefix) {
    const Shape in = src.shape;
    Instance s{"rtlgen_swg", l.name + "_swg", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    s.params = {{"IFM_H", lit(in.h)},        {"IFM_W", lit(in.w)},
                {"IFM_C", lit(in.c)},        {"K_H", lit(l.kernel_h)},
                {"K_W", lit(l.kernel_w)},    {"STRIDE_H", lit(l.stride_h)},
                {"STRIDE_W", lit(l.stride_w)}, {"PAD_T", lit(l.pads.top)},
                {"PAD_B", lit(l.pads.bottom)}, {"PAD_L", lit(l.pads.left)},
                {"PAD_R", lit(l.pads.right)}, {"PAD_VALUE", lit(net_.quant_of(l.inputs[0]).zero_point)},
                {"IN_N", lit(src.elems)},    {"SIMD", lit(simd)},
                {"ORDER", lit(order)}};
    connect_in(s, src.prefix);
    connect_out(s, out_prefix);
    // Pooling needs the window boundary (tlast) and the in-image flag (tuser); the MVU does not.
    const bool side = order == 1;
    s.ports.push_back({"m_axis_tlast", side ? out_prefix + "_tlast" : ""});
    s.ports.push_back({"m_axis_tuser", side ? out_prefix + "_tuser" : ""});
    stream_wires(out_prefix, simd * 8, side, side);
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
    plan_.layers.push_back(hw);
  }

  // Joins `src` to a consumer taking `simd` elements per beat; returns the stream to read.
  std::string width_convert(HwLayer& hw, const Layer& l, const StreamInfo& src, int simd) {
    if (src.elems == simd) return src.prefix;
    if (src.elems % simd != 0 && simd % src.elems != 0)
      fail(l, fmt::format("hw.simd = {} and the {} elements per beat of '{}' must divide one "
                          "another (a width converter joins them)",
                          simd, src.elems, src.tensor));
    Instance w{"rtlgen_width_converter", l.name + "_wc", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    w.params = {{"IN_N", lit(src.elems)}, {"OUT_N", lit(simd)}, {"ELEM_BITS", "8"}};
    connect_in(w, src.prefix);
    w.ports.push_back({"s_axis_tlast", "1'b0"});
    connect_out(w, l.name + "_wcv");
    w.ports.push_back({"m_axis_tlast", ""});
    stream_wires(l.name + "_wcv", simd * 8);
    hw.instances.push_back(w);
    return l.name + "_wcv";
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
    plan_.layers.push_back(hw);
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
    plan_.layers.push_back(hw);
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
    // Weights [KH][KW][C] -> w[c][t].
    std::vector<int32_t> w_ct(size_t(c) * taps);
    for (int t = 0; t < taps; ++t)
      for (int ch = 0; ch < c; ++ch) w_ct[size_t(ch) * taps + t] = l.weights[size_t(t) * c + ch];
    hw.mems.push_back({wfile, pack_depthwise_weights(w_ct, c, taps, hw.pe), hw.pe * 8});
    hw.rom_bits += int64_t(c) * taps * 8;
    requant(hw, l, l.name + "_acc", hw.pe, c, acc_bits, l.bias, l.requant);
    plan_.layers.push_back(hw);
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
    plan_.layers.push_back(hw);
  }

  void mean(const Layer& l, const StreamInfo& src) {
    HwLayer hw = start(l, src);
    const int c = src.shape.c, lanes = src.elems;
    hw.pe = hw.simd = lanes;
    hw.est_cycles = src.beats_per_frame() + c / lanes;
    const int acc_bits = std::max(l.acc_bits, 2);
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
    plan_.layers.push_back(hw);
  }

  void finish() {
    const StreamInfo& out = plan_.output;
    Instance t{"rtlgen_tlast_gen", "output_framer", {}, {{"clk", "clk"}, {"rst", "rst"}}};
    t.params = {{"WIDTH", lit(out.elems * 8)}, {"BEATS", lit(out.beats_per_frame())}};
    connect_in(t, out.prefix);
    plan_.classify = out.shape.h == 1 && out.shape.w == 1 && out.shape.c > 1;
    const std::string framed = plan_.classify ? "framed" : "m_axis";
    connect_out(t, framed);
    t.ports.push_back({"m_axis_tlast", framed + "_tlast"});
    plan_.tlast = t;
    if (plan_.classify) {
      stream_wires(framed, out.elems * 8, true);
      int bits = 1;
      while ((int64_t(1) << bits) < out.shape.c) ++bits;
      plan_.class_bits = bits;
      Instance a{"rtlgen_argmax", "output_argmax", {}, {{"clk", "clk"}, {"rst", "rst"}}};
      a.params = {{"N", lit(out.elems)},
                  {"BEATS", lit(out.beats_per_frame())},
                  {"SIGNED", lit(signed_flag(out.dtype))},
                  {"IDX_BITS", lit(bits)}};
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
    for (const auto& hw : plan_.layers)
      for (const auto& inst : hw.instances)
        if (std::find(used.begin(), used.end(), inst.module) == used.end())
          used.push_back(inst.module);
    std::sort(used.begin(), used.end());
    for (const auto& m : used) plan_.templates.push_back(m + ".v");
  }

  const Network& net_;
  HwPlan plan_;
  std::map<std::string, StreamInfo> streams_;
  std::set<std::string> consumed_;
};

}  // namespace

HwPlan plan_hardware(const Network& net) { return Planner(net).run(); }

}  // namespace rtlgen
