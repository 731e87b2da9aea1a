// The integer scale-shift scheme: rounding shifts, the seed's bias formula and the interval
// analysis that sizes every wide activation so the hardware can never overflow.
#include "rtlgen/scale_shift.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "ops/op.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/passes.hpp"

namespace rtlgen {

namespace {

// Floor division by 2^shift and the remainder, exact for any int64 (arithmetic shift).
int64_t floor_shift(int64_t v, int shift, int64_t* rem) {
  const int64_t q = v >> shift;  // arithmetic on every compiler C++17 targets (C++20 guarantees)
  *rem = v - q * (int64_t(1) << shift);
  return q;
}

struct Interval {
  int64_t lo = 0, hi = 0;
};

}  // namespace

int64_t shift_round(int64_t v, int shift, Rounding r) {
  if (shift == 0) return v;
  int64_t rem = 0;
  const int64_t q = floor_shift(v, shift, &rem);  // 0 <= rem < 2^shift
  const int64_t half = int64_t(1) << (shift - 1);
  switch (r) {
    case Rounding::Floor:
      return q;
    case Rounding::HalfUp:
      return rem >= half ? q + 1 : q;
    case Rounding::HalfEven:
      return rem > half || (rem == half && (q & 1)) ? q + 1 : q;
  }
  return q;
}

int64_t divide_half_even(int64_t sum, int64_t n) {
  int64_t q = sum / n, rem = sum % n;
  if (rem < 0) {  // floor division
    q -= 1;
    rem += n;
  }
  return 2 * rem > n || (2 * rem == n && (q & 1)) ? q + 1 : q;
}

int64_t scale_shift_bias(float bias, float gain, int64_t multiplier, int shift) {
  const float numerator = bias * gain;
  const float step = static_cast<float>(double(multiplier) / std::ldexp(1.0, shift));
  const float q = numerator / step;
  // Round half to even in float (exact: every float32 .5 case is representable).
  const float fl = std::floor(q);
  const float diff = q - fl;
  float r = diff > 0.5f ? fl + 1 : diff < 0.5f ? fl : (std::fmod(fl, 2.0f) == 0 ? fl : fl + 1);
  return static_cast<int64_t>(r);
}

int bits_for_interval(int64_t lo, int64_t hi, bool force_signed) {
  if (lo >= 0 && !force_signed) {
    int bits = 1;
    while (bits < 63 && (int64_t(1) << bits) - 1 < hi) ++bits;
    return bits;
  }
  int bits = 1;
  while (bits < 64 && (-(int64_t(1) << (bits - 1)) > lo || (int64_t(1) << (bits - 1)) - 1 < hi))
    ++bits;
  return bits;
}

void analyze_scale_shift(Network& net) {
  std::map<std::string, Interval> range;  // worst-case values of every tensor
  range[net.input.name] = {qmin(net.input.quant), qmax(net.input.quant)};
  for (Layer& l : net.layers) {
    const TensorQuant in_q = net.quant_of(l.inputs[0]);
    const Interval in = range.at(l.inputs[0]);
    const OpDef& def = op_def(l.op);
    const bool passthrough = def.passes_values_through();
    if (l.requant_mode != RequantMode::ScaleShift) {
      if (passthrough && in_q.wide()) {
        // Same values, same width: pools average or pick within their input's range.
        l.out_quant = in_q;
        l.act_min = static_cast<int32_t>(qmin(in_q));
        l.act_max = static_cast<int32_t>(qmax(in_q));
        if (l.activation == Activation::Relu)
          l.act_min = std::max(l.act_min, in_q.zero_point);
        else if (l.activation != Activation::None)
          fail(l, fmt::format("activation {} is not defined on a wide integer tensor (only "
                              "relu)",
                              to_string(l.activation)));
      } else {
        for (const auto& name : l.inputs)
          if (net.quant_of(name).wide())
            fail(l, fmt::format("input '{}' is a {} tensor of the scale-shift scheme; this op "
                                "only takes 8-bit tensors (give a dot-product layer requant: "
                                "instead of float scales)",
                                name, type_name(net.quant_of(name))));
      }
      Interval out{l.act_min, l.act_max};
      if (passthrough)
        out = {std::max(in.lo, int64_t(l.act_min)), std::min(in.hi, int64_t(l.act_max))};
      if (def.adds_zero_points()) out.lo = std::min(out.lo, int64_t(l.out_quant.zero_point));
      range[l.name] = out;
      continue;
    }
    if (!def.takes_scale_shift())
      fail(l, fmt::format("requant: (the integer scale-shift scheme) is supported on {} layers",
                          op_names_where(&OpDef::takes_scale_shift)));
    if (l.activation != Activation::None && l.activation != Activation::Relu)
      fail(l, fmt::format("activation {} with requant: is not supported (none or relu)",
                          to_string(l.activation)));
    const ScaleShift& ss = l.scale_shift;
    // Centred input interval; a padded tap is the zero point, i.e. 0 once centred.
    Interval x{in.lo - in_q.zero_point, in.hi - in_q.zero_point};
    const bool padded = l.pads.top + l.pads.bottom + l.pads.left + l.pads.right > 0;
    if (padded) x = {std::min<int64_t>(x.lo, 0), std::max<int64_t>(x.hi, 0)};
    const int oc = output_channels(l);
    const size_t per_channel = l.weights.size() / size_t(oc);
    Interval acc_any{0, 0}, acc_final{INT64_MAX, INT64_MIN}, product{INT64_MAX, INT64_MIN};
    for (int c = 0; c < oc; ++c) {
      int64_t lo = 0, hi = 0, neg = 0, pos = 0;  // exact sum bounds; bounds of any partial sum
      for (size_t i = 0; i < per_channel; ++i) {
        const int64_t w = int64_t(l.weights[size_t(c) * per_channel + i]) - l.weight_zero_point;
        const int64_t a = w * x.lo, b = w * x.hi;
        lo += std::min(a, b);
        hi += std::max(a, b);
        neg += std::min<int64_t>({a, b, 0});
        pos += std::max<int64_t>({a, b, 0});
      }
      const int64_t bias = l.bias[size_t(c)];
      acc_any.lo = std::min({acc_any.lo, neg + std::min<int64_t>(bias, 0), lo + bias});
      acc_any.hi = std::max({acc_any.hi, pos + std::max<int64_t>(bias, 0), hi + bias});
      acc_final.lo = std::min(acc_final.lo, lo + bias);
      acc_final.hi = std::max(acc_final.hi, hi + bias);
    }
    l.acc_bits = bits_for_interval(acc_any.lo, acc_any.hi, true);
    const int multiplier_bits = bits_for_interval(ss.multiplier, ss.multiplier, true);
    if (l.acc_bits > 48 || l.acc_bits + multiplier_bits > 63)
      fail(l, fmt::format("worst-case accumulator needs {} bits (range {} .. {}) and acc * {} up "
                          "to {} bits; at most 48 and 63 are supported: narrow the input width "
                          "(bits: N) or reduce the weights",
                          l.acc_bits, acc_any.lo, acc_any.hi, ss.multiplier,
                          l.acc_bits + multiplier_bits));
    for (int64_t a : {acc_final.lo, acc_final.hi}) {  // |a * multiplier| < 2^62: exact
      product.lo = std::min(product.lo, a * ss.multiplier);
      product.hi = std::max(product.hi, a * ss.multiplier);
    }
    l.product_bits = bits_for_interval(product.lo, product.hi, true);
    Interval y{shift_round(product.lo, ss.shift, ss.rounding) + l.out_quant.zero_point,
               shift_round(product.hi, ss.shift, ss.rounding) + l.out_quant.zero_point};
    if (l.activation == Activation::Relu) {
      y.lo = std::max<int64_t>(y.lo, l.out_quant.zero_point);
      y.hi = std::max<int64_t>(y.hi, l.out_quant.zero_point);
    }
    if (ss.clamp)
      y = {std::clamp(y.lo, ss.clamp_min, ss.clamp_max),
           std::clamp(y.hi, ss.clamp_min, ss.clamp_max)};
    l.out_min = y.lo;
    l.out_max = y.hi;
    if (l.out_bits_auto) {
      l.out_quant.bits = bits_for_interval(y.lo, y.hi, l.out_quant.dtype == DType::Int8);
      if (y.lo < 0) l.out_quant.dtype = DType::Int8;
      // An 8-bit result stays an ordinary uint8/int8 tensor; wider ones are wide tensors.
      if (l.out_quant.bits < 8) l.out_quant.bits = 8;
      if (l.out_quant.bits > 32)
        fail(l, fmt::format("worst-case output {} .. {} needs {} bits; at most 32 are supported",
                            y.lo, y.hi, l.out_quant.bits));
    }
    int64_t lo = qmin(l.out_quant), hi = qmax(l.out_quant);
    if (l.activation == Activation::Relu) lo = std::max<int64_t>(lo, l.out_quant.zero_point);
    if (ss.clamp) {
      lo = std::max(lo, ss.clamp_min);
      hi = std::min(hi, ss.clamp_max);
    }
    if (lo > hi)
      fail(l, fmt::format("the clamp [{}, {}] and the output type {} leave no value", ss.clamp_min,
                          ss.clamp_max, type_name(l.out_quant)));
    l.act_min = static_cast<int32_t>(lo);
    l.act_max = static_cast<int32_t>(hi);
    range[l.name] = {std::clamp(y.lo, lo, hi), std::clamp(y.hi, lo, hi)};
  }
}

}  // namespace rtlgen
