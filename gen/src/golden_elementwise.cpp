// ADD (left-shift-20 scheme), PAD (with the output zero point) and RESHAPE (a copy).
#include <algorithm>

#include "rtlgen/golden.hpp"

namespace rtlgen::golden {

Tensor add(const Layer& l, const Tensor& a, const TensorQuant& a_q, const Tensor& b,
           const TensorQuant& b_q) {
  Tensor out(l.out_shape, storage_dtype(l.out_quant));
  const int32_t scale_up = int32_t(1) << l.add.left_shift;
  for (size_t i = 0; i < out.data.size(); ++i) {
    const int32_t sa = multiply_by_quantized_multiplier((a.data[i] - a_q.zero_point) * scale_up,
                                                        l.add.input1);
    const int32_t sb = multiply_by_quantized_multiplier((b.data[i] - b_q.zero_point) * scale_up,
                                                        l.add.input2);
    const int32_t v = multiply_by_quantized_multiplier(sa + sb, l.add.output) +
                      l.out_quant.zero_point;
    out.data[i] = std::min(std::max(v, l.act_min), l.act_max);
  }
  return out;
}

Tensor pad(const Layer& l, const Tensor& in) {
  Tensor out(l.out_shape, storage_dtype(l.out_quant));
  std::fill(out.data.begin(), out.data.end(), l.out_quant.zero_point);
  for (int y = 0; y < in.shape.h; ++y)
    for (int x = 0; x < in.shape.w; ++x)
      for (int c = 0; c < in.shape.c; ++c)
        out.at(y + l.pads.top, x + l.pads.left, c) = in.at(y, x, c);
  return out;
}

Tensor reshape(const Layer& l, const Tensor& in) {
  Tensor out = in;
  out.shape = l.out_shape;
  return out;
}

}  // namespace rtlgen::golden
