// Fixed-point transcendental helpers used by the quantized SOFTMAX, bit-exact with gemmlowp's
// fixedpoint.h (exp_on_negative_values, one_over_one_plus_x_for_x_in_0_1) for int32 raws.
// A value with I integer bits is raw / 2^(31 - I).
#pragma once

#include <cstdint>

namespace rtlgen::fxp {

// Rounding shift of a raw value from I_src to I_dst integer bits (saturating when widening).
int32_t rescale(int32_t raw, int src_integer_bits, int dst_integer_bits);
// exp(a) for a <= 0 given with `integer_bits` integer bits; result has 0 integer bits.
int32_t exp_on_negative_values(int32_t a, int integer_bits);
// 1 / (1 + x) for x in [0, 1) with 0 integer bits; result has 0 integer bits.
int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a);
// x * 2^exponent with saturation (exponent > 0) or rounding (exponent < 0).
int32_t saturating_rounding_multiply_by_pot(int32_t x, int exponent);

}  // namespace rtlgen::fxp
