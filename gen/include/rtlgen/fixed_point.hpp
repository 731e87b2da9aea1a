// Integer arithmetic of TensorFlow Lite's reference kernels (spec section 1 and 2).
// Everything here is pure integer except QuantizeMultiplier, which runs once at load time.
#pragma once

#include <cstdint>

namespace rtlgen {

// A real multiplier m expressed as M * 2^(shift - 31), M in [2^30, 2^31) or 0.
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0;  // positive: shift left
  bool operator==(const QuantizedMultiplier& o) const {
    return multiplier == o.multiplier && shift == o.shift;
  }
};

// TFLite QuantizeMultiplier: frexp, round half away from zero, 2^31 carry, flush below 2^-31.
QuantizedMultiplier quantize_multiplier(double real_multiplier);

// Saturating rounding doubling high multiply: round(a*b / 2^31), ties away from zero.
int32_t srdhm(int32_t a, int32_t b);

// Rounding divide by power of two, 0 <= exponent <= 31, ties away from zero.
int32_t rdbpot(int32_t x, int exponent);

// MultiplyByQuantizedMultiplier (double rounding): RDBPOT(SRDHM(x * 2^L, M), R).
int32_t multiply_by_quantized_multiplier(int32_t x, QuantizedMultiplier qm);

// Single-rounding variant: (x * M + 2^(t-1)) >> t with t = 31 - shift (one rounding, ties
// toward +infinity). TFLite's reference int8 FULLY_CONNECTED uses it (tools/PROBE_FINDINGS.md).
int32_t multiply_by_quantized_multiplier_single(int32_t x, QuantizedMultiplier qm);

// Number of leading zero bits of a 32-bit value (32 for 0).
int count_leading_zeros(uint32_t x);

}  // namespace rtlgen
