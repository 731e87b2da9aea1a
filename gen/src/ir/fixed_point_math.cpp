#include "rtlgen/fixed_point_math.hpp"

#include <limits>

#include "rtlgen/fixed_point.hpp"

namespace rtlgen::fxp {

int32_t saturating_rounding_multiply_by_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return rdbpot(x, -exponent);
  const int32_t threshold = static_cast<int32_t>((int64_t(1) << (31 - exponent)) - 1);
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

int32_t rescale(int32_t raw, int src_integer_bits, int dst_integer_bits) {
  return saturating_rounding_multiply_by_pot(raw, src_integer_bits - dst_integer_bits);
}

namespace {

// exp(a) on [-1/4, 0): Taylor expansion around -1/8, all values with 0 integer bits.
int32_t exp_on_interval_minus_quarter_to_zero(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;
  const int32_t one_third = 715827883;
  const int32_t x = a + (1 << 28);  // a + 1/8
  const int32_t x2 = srdhm(x, x);
  const int32_t x3 = srdhm(x2, x);
  const int32_t x4 = srdhm(x2, x2);
  const int32_t x4_over_4 = rdbpot(x4, 2);
  const int32_t poly = rdbpot(srdhm(x4_over_4 + x3, one_third) + x2, 1);
  return exp_minus_one_eighth + srdhm(exp_minus_one_eighth, x + poly);
}

}  // namespace

int32_t exp_on_negative_values(int32_t a, int integer_bits) {
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = int32_t(1) << (fractional_bits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_quarter = (a & mask) - one_quarter;
  int32_t result =
      exp_on_interval_minus_quarter_to_zero(rescale(a_mod_quarter_minus_quarter, integer_bits, 0));
  const int32_t remainder = a_mod_quarter_minus_quarter - a;
  // exp(-2^e) for e = -2 .. 4, applied for each set bit of the remainder (a barrel shifter).
  static const int32_t kMultipliers[] = {1672461947, 1302514674, 790015084, 290630308,
                                         39332535,   720401,     242};
  for (int e = -2; e <= 4; ++e) {
    if (integer_bits <= e) continue;
    const int shift = fractional_bits + e;
    if (remainder & (int32_t(1) << shift)) result = srdhm(result, kMultipliers[e + 2]);
  }
  if (integer_bits > 5) {
    const int32_t clamp = -(int32_t(1) << (36 - integer_bits));  // -32.0
    if (a < clamp) result = 0;
  }
  if (a == 0) result = std::numeric_limits<int32_t>::max();
  return result;
}

int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  // half_denominator = (a + 1) / 2 with 0 integer bits, rounded half away from zero.
  const int64_t sum = int64_t(a) + std::numeric_limits<int32_t>::max();
  const auto half_denominator = static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  // Newton-Raphson on values with 2 integer bits: x0 = 48/17 - 32/17 * d.
  const int32_t c48_17 = 1515870810, c_neg32_17 = -1010580540;
  int32_t x = c48_17 + srdhm(half_denominator, c_neg32_17);
  const int32_t one_f2 = int32_t(1) << 29;
  for (int i = 0; i < 3; ++i) {
    const int32_t d_times_x = srdhm(half_denominator, x);
    const int32_t one_minus = one_f2 - d_times_x;
    x = x + rescale(srdhm(x, one_minus), 4, 2);
  }
  // x / 2 back to 0 integer bits: same raw with 1 integer bit, then rescale to 0.
  return rescale(x, 1, 0);
}

}  // namespace rtlgen::fxp
