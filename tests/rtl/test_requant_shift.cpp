// rtlgen_requant_shift against the scale-shift formula, y = clamp(round((acc + bias) * MULT /
// 2^SHIFT) + OUT_ZP), computed here with 128-bit floor division (not rtlgen's shift_round),
// under random idle cycles and backpressure. Accumulators are steered onto exact halves so
// that every rounding mode is told apart, and onto both clamp bounds.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vrtlgen_requant_shift.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int PE = RTLGEN_P_PE;
constexpr int CHANNELS = RTLGEN_P_CHANNELS;
constexpr int ACC_BITS = RTLGEN_P_ACC_BITS;
constexpr int PROD_BITS = RTLGEN_P_PROD_BITS;
constexpr int64_t MULT = RTLGEN_P_MULT;
constexpr int SHIFT = RTLGEN_P_SHIFT;
constexpr int ROUNDING = RTLGEN_P_ROUNDING;
constexpr int64_t OUT_ZP = RTLGEN_P_OUT_ZP;
constexpr int64_t ACT_MIN = RTLGEN_P_ACT_MIN;
constexpr int64_t ACT_MAX = RTLGEN_P_ACT_MAX;
constexpr int OUT_BITS = RTLGEN_P_OUT_BITS;
constexpr bool OUT_SIGNED = RTLGEN_P_OUT_SIGNED != 0;
const char* const PARAM_FILE = RTLGEN_P_PARAM_FILE;

constexpr int64_t kXMin = -(int64_t{1} << (ACC_BITS - 1));
constexpr int64_t kXMax = (int64_t{1} << (ACC_BITS - 1)) - 1;

struct Coverage {
  uint64_t ties = 0, in_range = 0, low = 0, high = 0, negative_ties = 0;
};

// round(x * MULT / 2^SHIFT) by the rounding mode, from the definition.
int64_t reference(int64_t x, Coverage* cov) {
  const __int128 p = static_cast<__int128>(x) * MULT;
  const __int128 d = static_cast<__int128>(1) << SHIFT;
  __int128 q = p / d, r = p % d;
  if (r < 0) q -= 1, r += d;  // floor
  const bool tie = SHIFT > 0 && 2 * r == d;
  if (ROUNDING == 1 && 2 * r >= d && SHIFT > 0) q += 1;
  if (ROUNDING == 2 && SHIFT > 0 && (2 * r > d || (tie && (q & 1)))) q += 1;
  const int64_t y = static_cast<int64_t>(q) + OUT_ZP;
  const int64_t out = std::min(std::max(y, ACT_MIN), ACT_MAX);
  if (cov) {
    cov->ties += tie;
    cov->negative_ties += tie && p < 0;
    cov->in_range += y == out;
    cov->low += y < ACT_MIN;
    cov->high += y > ACT_MAX;
  }
  return out;
}

// x = acc + bias with the result about y, sometimes exactly on a half.
int64_t make_x(Rng& rng) {
  const int64_t span = ACT_MAX - ACT_MIN;
  const int64_t y = rng.uniform(ACT_MIN - OUT_ZP - span / 8 - 2, ACT_MAX - OUT_ZP + span / 8 + 2);
  if (rng.chance(0.2)) return rng.uniform(kXMin, kXMax);
  // x * MULT ~ y * 2^SHIFT (+ 2^(SHIFT-1) for a tie when MULT divides it)
  const __int128 target = static_cast<__int128>(y) << SHIFT;
  __int128 x = target / MULT + rng.uniform(-1, 1);
  // An exact tie: |MULT| = m * 2^e (m odd) needs x * m = 2^(SHIFT-1-e) mod 2^(SHIFT-e).
  int e = 0;
  uint64_t m = static_cast<uint64_t>(MULT < 0 ? -MULT : MULT);
  while (!(m & 1)) m >>= 1, ++e;
  if (SHIFT > e && rng.chance(0.5)) {
    uint64_t inv = m;  // Newton: inverse of m modulo 2^64
    for (int i = 0; i < 6; ++i) inv *= 2 - m * inv;
    const int n = SHIFT - e;
    const __int128 modulus = static_cast<__int128>(1) << n;
    const __int128 x0 =
        static_cast<__int128>((inv << (n - 1)) & (n >= 64 ? ~0ULL : (1ULL << n) - 1));
    __int128 j = (x - x0) / modulus;
    x = x0 + j * modulus;
  }
  return static_cast<int64_t>(std::min<__int128>(std::max<__int128>(x, kXMin), kXMax));
}

}  // namespace

TEST_CASE("requant_shift is bit-exact with the scale-shift formula", "[requant_shift]") {
  static_assert(PROD_BITS <= 64, "PROD_BITS");
  const uint64_t seed = seed_from_env(0x5eed + CHANNELS * 31 + PE);
  Rng rng(seed);
  Coverage cov;
  const bool fault = std::getenv("RTLGEN_INJECT_FAULT") != nullptr;
  const int groups = CHANNELS / PE;
  for (int round = 0; round < 12; ++round) {
    // biases within 32 bits and the accumulator range; acc = x - bias must fit ACC_BITS too
    std::vector<int64_t> bias(CHANNELS);
    const int64_t bias_span = std::min<int64_t>(kXMax / 4, (int64_t{1} << 31) - 1);
    for (auto& b : bias) b = rng.uniform(-bias_span, bias_span);
    std::vector<MemWord> words;
    for (int g = 0; g < groups; ++g) {
      MemWord w(32 * PE);
      for (int p = 0; p < PE; ++p) w.set(p * 32, 32, static_cast<uint32_t>(bias[g * PE + p]));
      words.push_back(w);
    }
    write_memh(PARAM_FILE, words);

    VerilatedContext ctx;
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>((seed + static_cast<uint64_t>(round)) & 0x7fffffff));
    Vrtlgen_requant_shift dut(&ctx);
    Simulation<Vrtlgen_requant_shift> sim(dut, dut.clk, dut.rst);
    AxisDriver src("s_axis", dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready, PE, ACC_BITS,
                   seed * 7 + static_cast<uint64_t>(round));
    AxisMonitor sink("m_axis", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, PE,
                     OUT_BITS, OUT_SIGNED, seed * 11 + static_cast<uint64_t>(round));
    const double idle[] = {0.0, 0.0, 0.3, 0.7};
    const double ready[] = {1.0, 0.5, 0.8, 0.2};
    src.idle_probability(idle[round % 4]);
    sink.ready_probability(ready[round % 4]);
    sim.add(src).add(sink);
    sim.reset();

    const int beats = groups * std::max(8, 400 / CHANNELS);
    std::vector<int64_t> expected;
    for (int j = 0; j < beats; ++j) {
      AxisBeat b;
      for (int p = 0; p < PE; ++p) {
        const int64_t bc = bias[static_cast<size_t>((j % groups) * PE + p)];
        int64_t x = make_x(rng);
        x = std::min(std::max(x, kXMin - std::min<int64_t>(bc, 0)),
                     kXMax - std::max<int64_t>(bc, 0));
        b.data.push_back(x - bc);
        expected.push_back(reference(x, &cov));
      }
      src.push(b);
    }
    if (fault && round == 6) expected[expected.size() / 3] ^= 1;
    const uint64_t cycles =
        sim.run_until([&] { return sink.received() == static_cast<uint64_t>(beats); },
                      static_cast<uint64_t>(beats) * 50 + 1000, "requant_shift");
    sim.step(20);
    const std::string diff = compare_elements(sink.elements(), expected, PE);
    INFO("round " << round);
    INFO(diff);
    REQUIRE(diff.empty());
    if (round % 4 == 0) CHECK(cycles <= static_cast<uint64_t>(beats) + 16);
    dut.final();
  }
  std::printf("[%s] coverage: %llu in range, %llu ties (%llu negative), %llu below, %llu above\n",
              RTLGEN_TEST_NAME, static_cast<unsigned long long>(cov.in_range),
              static_cast<unsigned long long>(cov.ties),
              static_cast<unsigned long long>(cov.negative_ties),
              static_cast<unsigned long long>(cov.low), static_cast<unsigned long long>(cov.high));
  CHECK(cov.in_range > 100);
  if (SHIFT > 1) CHECK(cov.negative_ties + (ACT_MIN >= 0 ? 10 : 0) > 0);
  if (SHIFT > 0) CHECK(cov.ties > 10);
  CHECK(cov.low > 0);
  CHECK(cov.high > 0);
}
