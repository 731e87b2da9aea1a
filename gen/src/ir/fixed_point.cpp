#include "rtlgen/fixed_point.hpp"

#include <cmath>
#include <limits>

namespace rtlgen {

QuantizedMultiplier quantize_multiplier(double real_multiplier) {
  if (real_multiplier == 0.0) return {0, 0};
  int exponent = 0;
  const double q = std::frexp(real_multiplier, &exponent);
  auto q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(1LL << 31)));
  if (q_fixed == (1LL << 31)) {  // rounding carried into the next power of two
    q_fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) return {0, 0};  // too small to represent: TFLite flushes to zero
  return {static_cast<int32_t>(q_fixed), exponent};
}

int32_t srdhm(int32_t a, int32_t b) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  if (a == kMin && b == kMin) return std::numeric_limits<int32_t>::max();
  const int64_t product = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = product >= 0 ? (1LL << 30) : (1 - (1LL << 30));
  return static_cast<int32_t>((product + nudge) / (1LL << 31));  // C++ division truncates
}

int32_t rdbpot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((1LL << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t multiply_by_quantized_multiplier(int32_t x, QuantizedMultiplier qm) {
  const int left = qm.shift > 0 ? qm.shift : 0;
  const int right = qm.shift > 0 ? 0 : -qm.shift;
  // x * 2^left wraps like TFLite's int32 multiply; callers keep it in range (checked by passes).
  const auto shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return rdbpot(srdhm(shifted, qm.multiplier), right);
}

int32_t multiply_by_quantized_multiplier_single(int32_t x, QuantizedMultiplier qm) {
  const int total_shift = 31 - qm.shift;
  const int64_t round = int64_t(1) << (total_shift - 1);
  const int64_t result = (int64_t(x) * int64_t(qm.multiplier) + round) >> total_shift;
  return static_cast<int32_t>(result);
}

int count_leading_zeros(uint32_t x) {
  if (x == 0) return 32;
  int n = 0;
  while ((x & 0x80000000u) == 0) {
    x <<= 1;
    ++n;
  }
  return n;
}

}  // namespace rtlgen
