// AVERAGE_POOL_2D, MAX_POOL_2D (windows clipped to the image) and MEAN over H and W.
#include <algorithm>
#include <cmath>

#include "rtlgen/golden.hpp"
#include "rtlgen/scale_shift.hpp"

namespace rtlgen::golden {
namespace {

// Calls f(sum or max, count) for every output element of a clipped pooling window.
template <typename Reduce>
Tensor pool(const Layer& l, const Tensor& in, int64_t init, Reduce reduce, bool average) {
  Tensor out(l.out_shape, storage_dtype(l.out_quant));
  for (int oy = 0; oy < out.shape.h; ++oy)
    for (int ox = 0; ox < out.shape.w; ++ox) {
      const int y0 = oy * l.stride_h - l.pads.top, x0 = ox * l.stride_w - l.pads.left;
      const int ky_begin = std::max(0, -y0), ky_end = std::min(l.kernel_h, in.shape.h - y0);
      const int kx_begin = std::max(0, -x0), kx_end = std::min(l.kernel_w, in.shape.w - x0);
      for (int c = 0; c < out.shape.c; ++c) {
        int64_t acc = init;
        int32_t count = 0;
        for (int ky = ky_begin; ky < ky_end; ++ky)
          for (int kx = kx_begin; kx < kx_end; ++kx) {
            acc = reduce(acc, in.at(y0 + ky, x0 + kx, c));
            ++count;
          }
        if (average && count > 0) {
          if (l.pool_half_even)
            acc = divide_half_even(acc, count);
          else if (in.dtype == DType::UInt8)
            acc = (acc + count / 2) / count;
          else
            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
        }
        out.at(oy, ox, c) =
            static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(acc, l.act_min), l.act_max));
      }
    }
  return out;
}

}  // namespace

// ONNX Runtime's com.microsoft QLinearAveragePool: every input dequantized in float32
// (x_scale * float(q - zp)), summed in window order (rows, then columns), divided by the count
// of in-image elements, then quantized: round_half_even(avg / y_scale + float(y_zp)), saturated.
// offset: ONNX Runtime runs an int8 QDQ graph as uint8 (docs/onnx-runtime-arithmetic.md).
Tensor average_pool2d_onnxruntime(const Layer& l, const Tensor& in, const TensorQuant& in_q) {
  Tensor out(l.out_shape, l.out_quant.dtype);
  const float in_scale = in_q.scale, out_scale = l.out_quant.scale;
  const int32_t offset = l.onnx_zero_point_offset;
  for (int oy = 0; oy < out.shape.h; ++oy)
    for (int ox = 0; ox < out.shape.w; ++ox) {
      const int y0 = oy * l.stride_h - l.pads.top, x0 = ox * l.stride_w - l.pads.left;
      const int ky_begin = std::max(0, -y0), ky_end = std::min(l.kernel_h, in.shape.h - y0);
      const int kx_begin = std::max(0, -x0), kx_end = std::min(l.kernel_w, in.shape.w - x0);
      for (int c = 0; c < out.shape.c; ++c) {
        float sum = 0.0f;
        int count = 0;
        for (int ky = ky_begin; ky < ky_end; ++ky)
          for (int kx = kx_begin; kx < kx_end; ++kx) {
            const int32_t centred = in.at(y0 + ky, x0 + kx, c) - in_q.zero_point;
            sum = sum + in_scale * static_cast<float>(centred);
            ++count;
          }
        out.at(oy, ox, c) = onnxruntime_pool_quantize(sum, count, out_scale, l.out_quant.zero_point,
                                                      offset, l.act_min, l.act_max);
      }
    }
  return out;
}

int32_t onnxruntime_pool_quantize(float sum, int count, float out_scale, int32_t out_zp,
                                  int32_t offset, int32_t act_min, int32_t act_max) {
  if (count > 0) sum = sum / static_cast<float>(count);
  const float q = sum / out_scale + static_cast<float>(out_zp + offset);
  const float r = std::nearbyint(std::min(std::max(q, -1e9f), 1e9f));
  return std::min(std::max(static_cast<int32_t>(r) - offset, act_min), act_max);
}

int64_t round_to_float24(int64_t v) {
  const uint64_t mag = v < 0 ? uint64_t(-v) : uint64_t(v);
  int msb = 0;
  while (msb < 63 && (mag >> (msb + 1)) != 0) ++msb;
  const int d = std::max(0, msb - 23);
  if (d == 0) return v;
  // half to even on the magnitude (symmetric), as float32 rounds
  const uint64_t unit = uint64_t(1) << d, low = mag & (unit - 1), half = unit >> 1;
  uint64_t r = mag - low;
  if (low > half || (low == half && (mag & unit) != 0)) r += unit;
  return v < 0 ? -int64_t(r) : int64_t(r);
}

// The output is a non-decreasing function of the float sum (float division by a positive
// constant, addition, rounding and clamps all are), hence of S: each threshold is found by
// bisection over S, evaluating the very function the golden kernel uses on f32(S * 2^e) (a
// monotone rounding that is exact for every sum the pool can produce).
OnnxPoolThresholds onnxruntime_pool_thresholds(float in_scale, int count, float out_scale,
                                               int32_t out_zp, int32_t offset, int32_t act_min,
                                               int32_t act_max) {
  OnnxPoolThresholds t;
  int e = 0;
  const double f = std::frexp(double(in_scale), &e);  // in_scale = f * 2^e, f in [0.5, 1)
  t.in_mant = uint32_t(std::ldexp(f, 24));
  t.exponent = e - 24;
  int log2_count = 0;
  while ((1 << log2_count) < count + 1) ++log2_count;
  t.sum_bits = 33 + log2_count;
  const int64_t lo = -(int64_t(1) << (t.sum_bits - 1)), never = int64_t(1) << (t.sum_bits - 1);
  auto level = [&](int64_t s) {
    const float sum = static_cast<float>(std::ldexp(double(s), t.exponent));
    return onnxruntime_pool_quantize(sum, count, out_scale, out_zp, offset, act_min, act_max);
  };
  t.thresholds.assign(256, never);
  t.thresholds[0] = lo;
  for (int k = 1; k <= 255 && act_min + k <= act_max; ++k) {
    const int32_t want = act_min + k;
    if (level(never - 1) < want) break;  // this level and the ones above are never reached
    int64_t a = lo, b = never - 1;       // level(b) >= want; find the smallest such b
    if (level(a) >= want) {
      t.thresholds[size_t(k)] = a;
      continue;
    }
    while (b - a > 1) {
      const int64_t m = a + (b - a) / 2;
      (level(m) >= want ? b : a) = m;
    }
    t.thresholds[size_t(k)] = b;
  }
  return t;
}

Tensor average_pool2d(const Layer& l, const Tensor& in, const TensorQuant& in_q) {
  if (l.requant_mode == RequantMode::OnnxRuntimeFloat)
    return average_pool2d_onnxruntime(l, in, in_q);
  return pool(l, in, 0, [](int64_t a, int32_t x) { return a + x; }, true);
}

Tensor max_pool2d(const Layer& l, const Tensor& in) {
  return pool(l, in, INT32_MIN, [](int64_t a, int32_t x) { return std::max<int64_t>(a, x); }, false);
}

Tensor mean(const Layer& l, const Tensor& in) {
  Tensor out(l.out_shape, l.out_quant.dtype);
  for (int c = 0; c < in.shape.c; ++c) {
    int32_t sum = 0;
    for (int y = 0; y < in.shape.h; ++y)
      for (int x = 0; x < in.shape.w; ++x) sum += in.at(y, x, c);
    out.data[c] = l.requant_mode == RequantMode::OnnxRuntimeFloat
                      ? requantize_onnxruntime(sum, l.mean_bias, l.float_scale[0],
                                               l.out_quant.zero_point, qmin(l.out_quant.dtype),
                                               qmax(l.out_quant.dtype))
                      : requantize(sum, l.mean_bias, l.requant[0], l.out_quant.zero_point,
                                   qmin(l.out_quant.dtype), qmax(l.out_quant.dtype));
  }
  return out;
}

}  // namespace rtlgen::golden
