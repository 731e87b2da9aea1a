// Lowering of pooling: windows through a line buffer (rtlgen_pool; rtlgen_avgpool_shift for
// half-even or wide elements; rtlgen_avgpool_float for ONNX Runtime's float average) and the
// global mean (rtlgen_global_pool and a requantizer).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "plan_builder.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/golden.hpp"

namespace rtlgen::plan {
namespace {

// rtlgen_pool: max or average (TFLite's count of in-image taps, from tuser) of 8-bit elements.
Instance window_pool(PlanBuilder& b, const Layer& l, int simd, const StreamInfo& src) {
  Instance p = instance("rtlgen_pool", l.name + "_pool");
  p.params = {{"MODE", l.op == OpKind::MaxPool2D ? "1" : "0"},
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
              {"IN_MANT", fmt::format("24'h{:06x}", t.in_mant)},
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
  for (int64_t v : t.thresholds)
    mem.lines.push_back(fmt::format("{:0{}x}", uint64_t(v) & ((uint64_t(1) << word_bits) - 1),
                                    (word_bits + 3) / 4));
  hw.mems.push_back(mem);
  hw.rom_bits += 256 * int64_t(word_bits);
}

}  // namespace

void lower_pool(PlanBuilder& b, const Layer& l, const StreamInfo& src) {
  HwLayer hw = b.start(l, src);
  const int c = src.shape.c;
  hw.simd = l.folding.simd > 0 ? l.folding.simd : src.elems;
  if (c % hw.simd != 0)
    fail(l, fmt::format("hw.simd = {} must divide the {} channels", hw.simd, c));
  hw.pe = hw.simd;
  const int64_t out_px = int64_t(l.out_shape.h) * l.out_shape.w;
  hw.est_cycles = std::max(out_px * (c / hw.simd) * l.kernel_h * l.kernel_w, src.beats_per_frame());
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
  hw.est_cycles = src.beats_per_frame() + c / lanes;
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

}  // namespace rtlgen::plan
