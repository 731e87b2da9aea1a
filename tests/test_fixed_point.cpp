// The integer arithmetic against gemmlowp's fixedpoint.h, TFLite's own oracle.
#include <catch2/catch.hpp>
#include <fixedpoint/fixedpoint.h>

#include <cmath>
#include <limits>
#include <random>

#include "rtlgen/fixed_point.hpp"
#include "rtlgen/fixed_point_math.hpp"

using namespace rtlgen;

namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

// TFLite's MultiplyByQuantizedMultiplier composed from gemmlowp primitives.
int32_t reference_mbqm(int32_t x, int32_t m, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return gemmlowp::RoundingDivideByPOT(
      gemmlowp::SaturatingRoundingDoublingHighMul(int32_t(uint32_t(x) << left), m), right);
}

// Random int32 with extra weight on the edges and on values near powers of two (ties).
int32_t interesting(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0: return kMin + int32_t(rng() % 4);
    case 1: return kMax - int32_t(rng() % 4);
    case 2: return int32_t(rng() % 2001) - 1000;
    case 3: {
      const int e = int(rng() % 31);
      const auto v = int32_t((int64_t(1) << e) * ((rng() & 1) ? 1 : 3) / 2);  // exact halves
      return (rng() & 1) ? v : -v;
    }
    default: return int32_t(uint32_t(rng()));
  }
}

}  // namespace

TEST_CASE("SRDHM matches gemmlowp on 1e6 inputs including INT32_MIN", "[fixed_point]") {
  std::mt19937_64 rng(1);
  CHECK(srdhm(kMin, kMin) == kMax);
  CHECK(srdhm(kMin, kMin) == gemmlowp::SaturatingRoundingDoublingHighMul(kMin, kMin));
  for (int i = 0; i < 1000000; ++i) {
    const int32_t a = interesting(rng), b = interesting(rng);
    REQUIRE(srdhm(a, b) == gemmlowp::SaturatingRoundingDoublingHighMul(a, b));
  }
}

TEST_CASE("RDBPOT matches gemmlowp for every exponent, ties and INT32_MIN", "[fixed_point]") {
  CHECK(rdbpot(-3, 1) == -2);
  CHECK(rdbpot(-1, 1) == -1);
  CHECK(rdbpot(-6, 2) == -2);
  CHECK(rdbpot(-5, 2) == -1);
  CHECK(rdbpot(3, 1) == 2);
  std::mt19937_64 rng(2);
  for (int e = 0; e <= 31; ++e) {
    for (int32_t x : {kMin, kMin + 1, kMax, 0, 1, -1}) REQUIRE(rdbpot(x, e) == gemmlowp::RoundingDivideByPOT(x, e));
    for (int i = 0; i < 40000; ++i) {
      int32_t x = interesting(rng);
      if (e > 0 && (i & 3) == 0) x = int32_t((int64_t(rng() % 2001) - 1000) * (int64_t(1) << (e - 1)) % (int64_t(1) << 31));
      REQUIRE(rdbpot(x, e) == gemmlowp::RoundingDivideByPOT(x, e));
    }
  }
}

TEST_CASE("MultiplyByQuantizedMultiplier matches the gemmlowp composition", "[fixed_point]") {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000000; ++i) {
    const int shift = int(rng() % 40) - 31;  // -31 .. 8
    const int32_t m = (rng() % 16 == 0) ? kMin + int32_t(rng() % 2) : int32_t((1u << 30) + (rng() % (1u << 30)));
    int32_t x = interesting(rng);
    if (shift > 0) x >>= shift;  // stay in TFLite's precondition (no overflow on the left shift)
    REQUIRE(multiply_by_quantized_multiplier(x, {m, shift}) == reference_mbqm(x, m, shift));
  }
}

TEST_CASE("QuantizeMultiplier edge cases", "[fixed_point]") {
  CHECK(quantize_multiplier(0.0) == QuantizedMultiplier{0, 0});
  CHECK(quantize_multiplier(0.5) == QuantizedMultiplier{1 << 30, 0});
  CHECK(quantize_multiplier(1.0) == QuantizedMultiplier{1 << 30, 1});
  CHECK(quantize_multiplier(0.75) == QuantizedMultiplier{1610612736, 0});
  // q * 2^31 rounds up to 2^31: carried into the exponent.
  CHECK(quantize_multiplier(1.0 - std::ldexp(1.0, -40)) == QuantizedMultiplier{1 << 30, 1});
  CHECK(quantize_multiplier(0.5 - std::ldexp(1.0, -40)) == QuantizedMultiplier{1 << 30, 0});
  // Round half away from zero at the 2^-31 position.
  CHECK(quantize_multiplier(0.5 + std::ldexp(1.0, -32)).multiplier == (1 << 30) + 1);
  // Tiny multipliers: 2^-32 is still representable (shift -31), 2^-33 flushes to zero.
  CHECK(quantize_multiplier(std::ldexp(1.0, -32)) == QuantizedMultiplier{1 << 30, -31});
  CHECK(quantize_multiplier(std::ldexp(1.0, -33)) == QuantizedMultiplier{0, 0});
  CHECK(quantize_multiplier(3.0) == QuantizedMultiplier{1610612736, 2});
  // The result always reconstructs m to within half an LSB of the 31-bit mantissa.
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(-30, 4);
  for (int i = 0; i < 100000; ++i) {
    const double m = std::exp2(u(rng));
    const auto q = quantize_multiplier(m);
    REQUIRE(q.multiplier >= (1 << 30));
    REQUIRE(std::abs(std::ldexp(double(q.multiplier), q.shift - 31) - m) <= std::ldexp(1.0, q.shift - 32));
  }
}

TEST_CASE("exp_on_negative_values and 1/(1+x) match gemmlowp", "[fixed_point]") {
  using F5 = gemmlowp::FixedPoint<int32_t, 5>;
  using F0 = gemmlowp::FixedPoint<int32_t, 0>;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 300000; ++i) {
    const int32_t a = (i < 100) ? -i : -int32_t(rng() % (uint64_t(kMax) + 1));
    REQUIRE(fxp::exp_on_negative_values(a, 5) ==
            gemmlowp::exp_on_negative_values(F5::FromRaw(a)).raw());
    const int32_t x = int32_t(rng() % (uint64_t(kMax) + 1));
    REQUIRE(fxp::one_over_one_plus_x_for_x_in_0_1(x) ==
            gemmlowp::one_over_one_plus_x_for_x_in_0_1(F0::FromRaw(x)).raw());
  }
  for (int32_t v : {kMin, kMax, 12345, -12345, 1 << 20, -(1 << 20), (1 << 26) - 1, -(1 << 26)}) {
    for (int e = 0; e <= 12; ++e) REQUIRE(fxp::rescale(v, 0, e) == gemmlowp::RoundingDivideByPOT(v, e));
    REQUIRE(fxp::saturating_rounding_multiply_by_pot(v, 2) == gemmlowp::SaturatingRoundingMultiplyByPOT<2>(v));
    REQUIRE(fxp::saturating_rounding_multiply_by_pot(v, 5) == gemmlowp::SaturatingRoundingMultiplyByPOT<5>(v));
  }
}

TEST_CASE("single-rounding multiply (int8 FULLY_CONNECTED) rounds once, ties up", "[fixed_point]") {
  // 3 * 0.25 = 0.75 -> 1; -2 * 0.25 = -0.5 -> 0 (ties toward +inf), where double rounding gives -1.
  CHECK(multiply_by_quantized_multiplier_single(3, {1 << 30, -1}) == 1);
  CHECK(multiply_by_quantized_multiplier_single(-2, {1 << 30, -1}) == 0);
  CHECK(multiply_by_quantized_multiplier(-2, {1 << 30, -1}) == -1);
  CHECK(multiply_by_quantized_multiplier_single(2, {1 << 30, -1}) == 1);
  // Away from ties both agree: compare with an exact rational reference.
  std::mt19937_64 rng(6);
  for (int i = 0; i < 200000; ++i) {
    const int shift = -int(rng() % 20) - 1;
    const int32_t m = int32_t((1u << 30) + (rng() % (1u << 30)));
    const int32_t x = int32_t(rng() % 2000001) - 1000000;
    const long double exact = (long double)x * m / std::ldexp(1.0L, 31 - shift);
    REQUIRE(multiply_by_quantized_multiplier_single(x, {m, shift}) == (int32_t)std::floor(exact + 0.5L));
  }
}
