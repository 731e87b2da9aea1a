// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: integer dot products + requantization.
#include <algorithm>
#include <cmath>
#include <vector>

#include "rtlgen/golden.hpp"
#include "rtlgen/scale_shift.hpp"

namespace rtlgen::golden {

int32_t requantize(int32_t acc, int32_t bias, QuantizedMultiplier qm, int32_t out_zp,
                   int32_t act_min, int32_t act_max, bool single_rounding) {
  const int32_t scaled = single_rounding ? multiply_by_quantized_multiplier_single(acc + bias, qm)
                                         : multiply_by_quantized_multiplier(acc + bias, qm);
  const int32_t v = scaled + out_zp;
  return std::min(std::max(v, act_min), act_max);
}

int32_t requantize_onnxruntime(int32_t acc, int32_t bias, float scale, int32_t out_zp,
                               int32_t act_min, int32_t act_max) {
  // int32 bias add (wrapping is impossible: analyze_accumulators bounds |acc| + |bias|), then
  // float32 conversion (rounds to nearest even above 2^24), float32 product, clamp in float to
  // the integer range around the zero point, round half to even (MLAS's cvtps2dq), + zero point.
  const int32_t sum = static_cast<int32_t>(int64_t(acc) + bias);
  const float product = static_cast<float>(sum) * scale;
  const float lo = static_cast<float>(act_min - out_zp), hi = static_cast<float>(act_max - out_zp);
  const float clamped = std::min(std::max(product, lo), hi);
  return static_cast<int32_t>(std::nearbyint(clamped)) + out_zp;
}

namespace {

// The layer's epilogue for output channel c: TFLite's from float scales, or scale-shift. The
// accumulator is int64 so the scale-shift scheme's 32-bit worst case (bias included) is exact;
// TFLite layers are checked to fit int32 (analyze_accumulators).
int32_t epilogue(const Layer& l, int c, int64_t acc) {
  if (l.requant_mode == RequantMode::ScaleShift)
    return scale_shift_requantize(l, acc + l.bias[size_t(c)]);
  if (l.requant_mode == RequantMode::OnnxRuntimeFloat)
    return requantize_onnxruntime(static_cast<int32_t>(acc), l.bias[size_t(c)],
                                  l.float_scale[size_t(c)], l.out_quant.zero_point, l.act_min,
                                  l.act_max);
  return requantize(static_cast<int32_t>(acc), l.bias[size_t(c)], l.requant[size_t(c)],
                    l.out_quant.zero_point, l.act_min, l.act_max, l.single_rounding);
}

}  // namespace

Tensor conv2d(const Layer& l, const Tensor& in, const TensorQuant& in_q) {
  Tensor out(l.out_shape, storage_dtype(l.out_quant));
  const int ic_n = in.shape.c, oc_n = out.shape.c;
  const size_t taps = size_t(l.kernel_h) * size_t(l.kernel_w) * size_t(ic_n);
  // (w - weight zero point) with the output channel innermost, so the innermost loop runs over
  // contiguous channels (vectorised; the golden model is a tenth of a regression's time). The
  // sums are exact int64 sums of the same products as before, in any order.
  std::vector<int32_t> w_tap_major(taps * size_t(oc_n));
  for (int oc = 0; oc < oc_n; ++oc)
    for (size_t t = 0; t < taps; ++t)
      w_tap_major[t * size_t(oc_n) + size_t(oc)] =
          l.weights[size_t(oc) * taps + t] - l.weight_zero_point;
  std::vector<int64_t> acc(static_cast<size_t>(oc_n));
  for (int oy = 0; oy < out.shape.h; ++oy)
    for (int ox = 0; ox < out.shape.w; ++ox) {
      std::fill(acc.begin(), acc.end(), 0);
      for (int ky = 0; ky < l.kernel_h; ++ky) {
        const int iy = oy * l.stride_h - l.pads.top + ky;
        if (iy < 0 || iy >= in.shape.h) continue;  // padding taps contribute (zp - zp) = 0
        for (int kx = 0; kx < l.kernel_w; ++kx) {
          const int ix = ox * l.stride_w - l.pads.left + kx;
          if (ix < 0 || ix >= in.shape.w) continue;
          const int32_t* x = &in.data[(size_t(iy) * in.shape.w + ix) * ic_n];
          const int32_t* w =
              &w_tap_major[(size_t(ky) * l.kernel_w + kx) * size_t(ic_n) * size_t(oc_n)];
          for (int ic = 0; ic < ic_n; ++ic, w += oc_n) {
            const int64_t xv = x[ic] - in_q.zero_point;
            for (int oc = 0; oc < oc_n; ++oc) acc[size_t(oc)] += w[oc] * xv;
          }
        }
      }
      for (int oc = 0; oc < oc_n; ++oc) out.at(oy, ox, oc) = epilogue(l, oc, acc[size_t(oc)]);
    }
  return out;
}

Tensor depthwise_conv2d(const Layer& l, const Tensor& in, const TensorQuant& in_q) {
  Tensor out(l.out_shape, storage_dtype(l.out_quant));
  const int oc_n = out.shape.c;
  for (int oy = 0; oy < out.shape.h; ++oy)
    for (int ox = 0; ox < out.shape.w; ++ox)
      for (int ic = 0; ic < in.shape.c; ++ic)
        for (int m = 0; m < l.depth_multiplier; ++m) {
          const int oc = ic * l.depth_multiplier + m;
          int64_t acc = 0;
          for (int ky = 0; ky < l.kernel_h; ++ky) {
            const int iy = oy * l.stride_h - l.pads.top + ky;
            if (iy < 0 || iy >= in.shape.h) continue;
            for (int kx = 0; kx < l.kernel_w; ++kx) {
              const int ix = ox * l.stride_w - l.pads.left + kx;
              if (ix < 0 || ix >= in.shape.w) continue;
              const int32_t w = l.weights[(size_t(ky) * l.kernel_w + kx) * oc_n + oc];
              acc += int64_t(w - l.weight_zero_point) * (in.at(iy, ix, ic) - in_q.zero_point);
            }
          }
          out.at(oy, ox, oc) = epilogue(l, oc, acc);
        }
  return out;
}

Tensor fully_connected(const Layer& l, const Tensor& in, const TensorQuant& in_q) {
  Tensor out(l.out_shape, storage_dtype(l.out_quant));
  const size_t depth = in.data.size();
  for (int o = 0; o < out.shape.c; ++o) {
    int64_t acc = 0;
    const int32_t* w = &l.weights[size_t(o) * depth];
    for (size_t d = 0; d < depth; ++d)
      acc += int64_t(w[d] - l.weight_zero_point) * (in.data[d] - in_q.zero_point);
    out.data[o] = epilogue(l, o, acc);
  }
  return out;
}

}  // namespace rtlgen::golden
