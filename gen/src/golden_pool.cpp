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
  const float out_zp = static_cast<float>(l.out_quant.zero_point + offset);
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
        if (count > 0) sum = sum / static_cast<float>(count);
        const float q = sum / out_scale + out_zp;
        const float r = std::nearbyint(std::min(std::max(q, -1e9f), 1e9f));
        out.at(oy, ox, c) =
            std::min(std::max(static_cast<int32_t>(r) - offset, l.act_min), l.act_max);
      }
    }
  return out;
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
