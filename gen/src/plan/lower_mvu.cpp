// Lowering of the layers an MVU computes: convolutions (through a line buffer), pointwise
// convolutions and fully connected layers (a vector per pixel or per frame), with the weight ROM
// packed for the folding and the requantizer behind the MVU.
#include <fmt/format.h>

#include <algorithm>

#include "plan_builder.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/weight_packing.hpp"

namespace rtlgen::plan {
namespace {

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
  if (l.folding.lut_mult) m.params.push_back({"MULT_STYLE", "1"});
  connect_in(m, from);
  connect_out(m, l.name + "_acc");
  b.stream_wires(l.name + "_acc", hw.pe * acc_bits);
  hw.instances.push_back(m);
  hw.mems.push_back(
      {wfile, pack_weights({mh, mw, l.weights}, hw.pe, hw.simd), hw.pe * hw.simd * 8});
  if (l.requant_mode == RequantMode::ScaleShift)
    requant_shift(b, hw, l, l.name + "_acc", hw.pe, mh, acc_bits);
  else
    requant(b, hw, l, l.name + "_acc", hw.pe, mh, acc_bits, l.bias, l.requant, hw.sf);
  hw.rom_bits += int64_t(mh) * mw * 8;
}

}  // namespace

Instance sliding_window(PlanBuilder& b, const Layer& l, const StreamInfo& src, int simd, int order,
                        const std::string& out_prefix, bool side_outputs, bool user_output) {
  const Shape in = src.shape;
  const Pads pads = b.total_pads(l);
  Instance s = instance("rtlgen_swg", l.name + "_swg");
  s.params = {
      {"IFM_H", lit(in.h)},          {"IFM_W", lit(in.w)},
      {"IFM_C", lit(in.c)},          {"K_H", lit(l.kernel_h)},
      {"K_W", lit(l.kernel_w)},      {"STRIDE_H", lit(l.stride_h)},
      {"STRIDE_W", lit(l.stride_w)}, {"PAD_T", lit(pads.top)},
      {"PAD_B", lit(pads.bottom)},   {"PAD_L", lit(pads.left)},
      {"PAD_R", lit(pads.right)},    {"PAD_VALUE", lit(b.net.quant_of(l.inputs[0]).zero_point)},
      {"IN_N", lit(src.elems)},      {"SIMD", lit(simd)},
      {"ORDER", lit(order)}};
  if (src.bits != 8) s.params.push_back({"ELEM_BITS", lit(src.bits)});
  connect_in(s, src.prefix);
  connect_out(s, out_prefix);
  // Pooling needs the window boundary (tlast) and the in-image flag (tuser); the MVU does not.
  const bool side = order == 1 && side_outputs;
  s.ports.push_back({"m_axis_tlast", side ? out_prefix + "_tlast" : ""});
  s.ports.push_back({"m_axis_tuser", side && user_output ? out_prefix + "_tuser" : ""});
  b.stream_wires(out_prefix, simd * src.bits, side, side && user_output);
  return s;
}

void lower_conv(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  HwLayer hw = b.start(l, src);
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
  hw.instances.push_back(sliding_window(b, l, src, hw.simd, 0, l.name + "_win"));
  mvu_requant(b, hw, l, l.name + "_win", kkc, l.out_shape.c);
  b.record_window_need(l, src, hw.out.elems);
  b.push_layer(hw);
}

void lower_fully_connected(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  HwLayer hw = b.start(l, src);
  const int mw = int(src.shape.elements()), mh = l.out_shape.c;
  hw.pe = l.folding.pe;
  hw.simd = l.folding.simd;
  hw.sf = mw / hw.simd;
  hw.nf = mh / hw.pe;
  hw.multipliers = hw.pe * hw.simd;
  hw.est_cycles = std::max(int64_t(hw.nf) * hw.sf, src.beats_per_frame());
  hw.ideal_cycles = (l.macs + hw.multipliers - 1) / hw.multipliers;
  mvu_requant(b, hw, l, b.width_convert(hw, l, src, hw.simd), mw, mh);
  b.record_whole_frame_need(l, src, hw.out);
  b.push_layer(hw);
}

// 1x1 stride-1 convolution: every pixel is one MVU vector of C elements (no line buffer).
void lower_pointwise(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  HwLayer hw = b.start(l, src);
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
  mvu_requant(b, hw, l, b.width_convert(hw, l, src, hw.simd), mw, mh);
  {  // output pixel p needs input pixel p
    std::vector<int64_t> v(size_t(hw.out.beats_per_frame()));
    const int64_t per_px_out = l.out_shape.c / hw.out.elems, per_px_in = mw / src.elems;
    for (size_t j = 0; j < v.size(); ++j) v[j] = (int64_t(j) / per_px_out + 1) * per_px_in;
    b.record_need(l.name, {{src.tensor, v}});
  }
  b.push_layer(hw);
}

}  // namespace rtlgen::plan
