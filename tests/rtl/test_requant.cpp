// rtlgen_requant against rtlgen::multiply_by_quantized_multiplier (+ zero point, clamp), under
// random idle cycles and backpressure. Per round a fresh PARAM_FILE with per-channel
// (bias, multiplier, shift) of several kinds; accumulators are steered so that results land in
// the activation range and hit SRDHM ties, RDBPOT ties, INT32_MIN and the saturation case.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <set>
#include <vector>

#include "Vrtlgen_requant.h"
#include "rtlgen/fixed_point.hpp"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int PE = RTLGEN_P_PE;
constexpr int CHANNELS = RTLGEN_P_CHANNELS;
constexpr int ACC_BITS = RTLGEN_P_ACC_BITS;
constexpr int OUT_ZP = RTLGEN_P_OUT_ZP;
constexpr int ACT_MIN = RTLGEN_P_ACT_MIN;
constexpr int ACT_MAX = RTLGEN_P_ACT_MAX;
constexpr bool OUT_SIGNED = RTLGEN_P_OUT_SIGNED != 0;
const char* const PARAM_FILE = RTLGEN_P_PARAM_FILE;
#ifdef RTLGEN_P_MUL_BITS
// The generator's promise: (acc + bias) << max(shift, 0) fits MUL_BITS signed bits for every
// input; the channels below keep it (bias bounded, shifts <= 4, no INT32_MIN / saturation).
constexpr int MUL_BITS = RTLGEN_P_MUL_BITS;
#else
constexpr int MUL_BITS = 32;
#endif
constexpr bool NARROW = MUL_BITS < 32;
#ifdef RTLGEN_P_MUL_CYCLES
constexpr int MUL_CYCLES = RTLGEN_P_MUL_CYCLES;  // 2: one beat at most every second cycle
#else
constexpr int MUL_CYCLES = 1;
#endif
#ifdef RTLGEN_P_ROUNDING
constexpr bool SINGLE = RTLGEN_P_ROUNDING == 1;  // int8 FULLY_CONNECTED epilogue
#else
constexpr bool SINGLE = false;
#endif

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int64_t kAccMin = -(int64_t{1} << (ACC_BITS - 1));
constexpr int64_t kAccMax = (int64_t{1} << (ACC_BITS - 1)) - 1;

enum class Kind { Random, Targeted, RdbpotTie, SrdhmTie, Int32Min, Saturate, kCount };

struct Channel {
  Kind kind;
  int32_t bias;
  int32_t m;
  int shift;
};

int32_t wrap32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

struct Coverage {
  uint64_t srdhm_ties = 0, rdbpot_ties = 0, int32_min = 0, saturations = 0, in_range = 0;
  // results r with 1000 <= |r| <= 1100: the hardware's output stages keep 11 bits of the
  // quotient and clamp at once when |quotient| >= 1024 (the cut is exercised from both sides)
  uint64_t near_cut = 0;
  std::set<int> shifts;           // shifts that produced an in-range (observable) result
  std::set<int> shifts_exercised;  // shifts used at all
};

// The reference epilogue; records what it exercised.
int64_t reference(int32_t acc, const Channel& c, Coverage* cov) {
  const int32_t x = wrap32(static_cast<int64_t>(acc) + c.bias);
  const int32_t r = SINGLE ? rtlgen::multiply_by_quantized_multiplier_single(x, {c.m, c.shift})
                          : rtlgen::multiply_by_quantized_multiplier(x, {c.m, c.shift});
  const int64_t y = static_cast<int64_t>(r) + OUT_ZP;  // exact, as the hardware
  const int64_t out = y < ACT_MIN ? ACT_MIN : (y > ACT_MAX ? ACT_MAX : y);
  if (cov) {
    cov->shifts_exercised.insert(c.shift);
    const int left = c.shift > 0 ? c.shift : 0, right = c.shift > 0 ? 0 : -c.shift;
    const auto a = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
    const int64_t p = static_cast<int64_t>(a) * c.m;
    const bool in_range = y >= ACT_MIN && y <= ACT_MAX;
    if (x == kMin) ++cov->int32_min;
    if ((r >= 1000 && r <= 1100) || (r <= -1000 && r >= -1100)) ++cov->near_cut;
    if (a == kMin && c.m == kMin) ++cov->saturations;
    if (in_range) {
      ++cov->in_range;
      cov->shifts.insert(c.shift);
      if ((p & 0x7fffffffLL) == (1LL << 30) && !(a == kMin && c.m == kMin)) ++cov->srdhm_ties;
      const int32_t b = rtlgen::srdhm(a, c.m);
      if (right > 0 && (static_cast<int64_t>(b) & ((1LL << right) - 1)) == (1LL << (right - 1)))
        ++cov->rdbpot_ties;
    }
  }
  return out;
}

Channel random_channel(Rng& rng) {
  Channel c;
  c.kind = static_cast<Kind>(rng.uniform(0, static_cast<int>(Kind::kCount) - 1));
  c.shift = static_cast<int>(rng.uniform(-31, 4));
  c.m = static_cast<int32_t>(rng.uniform(int64_t{1} << 30, (int64_t{1} << 31) - 1));
  c.bias = ACC_BITS < 32 ? static_cast<int32_t>(rng.uniform(-(1 << 20), 1 << 20))
                         : static_cast<int32_t>(rng.uniform(kMin, kMax));
  if (NARROW) {
    // |acc + bias| << left < 2^(MUL_BITS-1), left <= 4 (single rounding: a = x, left 0): the
    // widest a the generator would declare
    const int max_left = SINGLE ? 0 : 4;
    const int64_t limit =
        (int64_t{1} << (MUL_BITS - 1 - max_left)) - (int64_t{1} << (ACC_BITS - 1)) - 1;
    REQUIRE(limit >= 0);
    c.bias = static_cast<int32_t>(rng.uniform(-limit, limit));
    if (c.kind == Kind::Int32Min || c.kind == Kind::Saturate) c.kind = Kind::Targeted;
  }
  switch (c.kind) {
    case Kind::Random:
      c.m = static_cast<int32_t>(rng.next_u32());  // any 32-bit multiplier, also negative
      break;
    case Kind::SrdhmTie:
      c.m = 1 << 30;  // SRDHM(a, 2^30) = round(a / 2): a tie for every odd a
      break;
    case Kind::Saturate:
      c.m = kMin;
      c.shift = static_cast<int>(rng.uniform(0, 1));
      break;
    case Kind::Int32Min:
      c.shift = static_cast<int>(rng.uniform(-31, 0));
      break;
    default:
      break;
  }
  if (rng.chance(0.1) && c.kind != Kind::Saturate)
    c.shift = static_cast<int>(rng.uniform(-31, -28));  // deep right shifts
  if (SINGLE) {
    // Single rounding is only defined (TFLite's preconditions) for multipliers from
    // QuantizeMultiplier, M in [2^30, 2^31), and shift <= 0 (the result fits int32).
    if (c.m < (1 << 30)) c.m = static_cast<int32_t>(rng.uniform(int64_t{1} << 30, (int64_t{1} << 31) - 1));
    if (c.shift > 0) c.shift = -c.shift;
    if (c.kind == Kind::Saturate) c.kind = Kind::Targeted;
  }
  // Keep the special x values (INT32_MIN, 2^30) reachable with narrow accumulators:
  // acc = x - bias must fit ACC_BITS.
  const int64_t small = rng.uniform(0, kAccMax / 2);
  if (NARROW) return c;
  if (c.kind == Kind::Int32Min || (c.kind == Kind::Saturate && c.shift == 0))
    c.bias = wrap32(int64_t{kMin} + small);
  else if (c.kind == Kind::Saturate)
    c.bias = wrap32((int64_t{1} << 30) - small);
  return c;
}

// An accumulator for channel c (within ACC_BITS) chosen by the channel's kind.
int32_t make_acc(Rng& rng, const Channel& c) {
  auto from_x = [&](int64_t x) -> int32_t {
    // acc = x - bias; fall back to a random accumulator if x is not reachable.
    x = std::max<int64_t>(kMin, std::min<int64_t>(kMax, x));
    const int64_t acc = x - c.bias;
    if (acc < kAccMin || acc > kAccMax) return static_cast<int32_t>(rng.uniform(kAccMin, kAccMax));
    return static_cast<int32_t>(acc);
  };
  const int left = c.shift > 0 ? c.shift : 0, right = c.shift > 0 ? 0 : -c.shift;
  // x whose result is about y (before the zero point); a = x * 2^left.
  auto x_for_b = [&](long double b) -> int64_t {
    const long double a = b * 2147483648.0L / static_cast<long double>(c.m);
    return static_cast<int64_t>(std::llround(a / std::ldexp(1.0L, left)));
  };
  const int64_t y = rng.uniform(ACT_MIN - OUT_ZP - 4, ACT_MAX - OUT_ZP + 4);
  switch (c.kind) {
    case Kind::Random:
      if (rng.chance(0.1)) return static_cast<int32_t>(rng.chance(0.5) ? kAccMin : kAccMax);
      return static_cast<int32_t>(rng.uniform(kAccMin, kAccMax));
    case Kind::Targeted:
      return from_x(x_for_b(std::ldexp(static_cast<long double>(y) + rng.uniform01() - 0.5L, right)));
    case Kind::RdbpotTie: {
      // want b = y * 2^right + 2^(right-1) (or -, for negative ties) exactly
      if (right == 0) return from_x(x_for_b(static_cast<long double>(y)));
      const int64_t half = int64_t{1} << (right - 1);
      const int64_t b_target = y * (int64_t{1} << right) + (rng.chance(0.5) ? half : -half);
      if (b_target < kMin || b_target > kMax) return from_x(x_for_b(static_cast<long double>(y)));
      const int64_t x0 = x_for_b(static_cast<long double>(b_target));
      for (int64_t d = -4; d <= 4; ++d) {
        const int64_t x = x0 + d;
        if (x < kMin || x > kMax) continue;
        const auto a = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
        if (rtlgen::srdhm(a, c.m) == b_target) return from_x(x);
      }
      return from_x(x0);
    }
    case Kind::SrdhmTie: {
      int64_t x = x_for_b(std::ldexp(static_cast<long double>(y), right)) | 1;  // odd
      return from_x(x);
    }
    case Kind::Int32Min:
      return from_x(kMin);
    case Kind::Saturate:
      // a = INT32_MIN either directly (shift 0) or as 2^30 << 1 (shift 1); sometimes neighbours
      if (rng.chance(0.2)) return static_cast<int32_t>(rng.uniform(kAccMin, kAccMax));
      return from_x(c.shift == 1 ? (int64_t{1} << 30) : kMin);
    default:
      return 0;
  }
}

// One word per group of PE channels, lane p (channel g*PE + p) at bits [p*72 +: 72].
void write_params(const std::vector<Channel>& ch) {
  std::vector<MemWord> words;
  for (size_t g = 0; g * PE < ch.size(); ++g) {
    MemWord w(72 * PE);
    for (int p = 0; p < PE; ++p) {
      const Channel& c = ch[g * PE + p];
      w.set(p * 72 + 40, 32, static_cast<uint32_t>(c.bias));
      w.set(p * 72 + 8, 32, static_cast<uint32_t>(c.m));
      w.set(p * 72, 8, static_cast<uint64_t>(static_cast<uint8_t>(static_cast<int8_t>(c.shift))));
    }
    words.push_back(w);
  }
  write_memh(PARAM_FILE, words);
}

}  // namespace

TEST_CASE("requant is bit-exact with multiply_by_quantized_multiplier", "[requant]") {
  const uint64_t seed = seed_from_env(0x2e9 + CHANNELS * 31 + PE);
  Rng rng(seed);
  Coverage cov;
  const bool fault = std::getenv("RTLGEN_INJECT_FAULT") != nullptr;
  // enough channel draws (>= ~800) that every kind and shift is hit for any CHANNELS
  const int rounds = std::max(24, 800 / CHANNELS);
  const int groups = CHANNELS / PE;
  for (int round = 0; round < rounds; ++round) {
    std::vector<Channel> ch;
    for (int c = 0; c < CHANNELS; ++c) ch.push_back(random_channel(rng));
    write_params(ch);

    VerilatedContext ctx;
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>((seed + static_cast<uint64_t>(round)) & 0x7fffffff));
    Vrtlgen_requant dut(&ctx);
    Simulation<Vrtlgen_requant> sim(dut, dut.clk, dut.rst);
    AxisDriver src("s_axis", dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready, PE,
                   ACC_BITS, seed * 7 + static_cast<uint64_t>(round));
    AxisMonitor sink("m_axis", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, PE, 8,
                     OUT_SIGNED, seed * 11 + static_cast<uint64_t>(round));
    const double idle[] = {0.0, 0.0, 0.3, 0.7};
    const double ready[] = {1.0, 0.5, 0.8, 0.2};
    src.idle_probability(idle[round % 4]);
    sink.ready_probability(ready[round % 4]);
    sim.add(src).add(sink);
    sim.reset();

    const int beats = groups * std::max(4, 600 / CHANNELS);
    std::vector<int64_t> expected;
    for (int j = 0; j < beats; ++j) {
      AxisBeat b;
      for (int p = 0; p < PE; ++p) {
        const Channel& c = ch[static_cast<std::size_t>((j % groups) * PE + p)];
        const int32_t acc = make_acc(rng, c);
        b.data.push_back(acc);
        expected.push_back(reference(acc, c, &cov));
      }
      src.push(b);
    }
    if (fault && round == rounds / 2) expected[expected.size() / 3] ^= 1;

    const uint64_t cycles = sim.run_until(
        [&] { return sink.received() == static_cast<uint64_t>(beats); },
        static_cast<uint64_t>(beats) * 50 + 1000, "requant");
    sim.step(20);
    INFO("round " << round << ", idle " << idle[round % 4] << ", ready " << ready[round % 4]);
    const std::string diff = compare_elements(sink.elements(), expected, PE);
    INFO(diff);
    REQUIRE(diff.empty());
    if (round % 4 == 0) {
      // no stalls: one beat per MUL_CYCLES cycles plus the pipeline latency
      CHECK(cycles <= static_cast<uint64_t>(beats) * MUL_CYCLES + 16);
      if (round == 0)
        std::printf("[%s] %d beats in %llu cycles without stalls\n", RTLGEN_TEST_NAME, beats,
                    static_cast<unsigned long long>(cycles));
    }
    dut.final();
  }

  std::printf("[%s] coverage: %llu in range, %llu SRDHM ties, %llu RDBPOT ties, %llu INT32_MIN, "
              "%llu saturations, %llu near the 1024 cut, %zu distinct shifts in range\n",
              RTLGEN_TEST_NAME, static_cast<unsigned long long>(cov.in_range),
              static_cast<unsigned long long>(cov.srdhm_ties),
              static_cast<unsigned long long>(cov.rdbpot_ties),
              static_cast<unsigned long long>(cov.int32_min),
              static_cast<unsigned long long>(cov.saturations),
              static_cast<unsigned long long>(cov.near_cut), cov.shifts.size());
  if (!SINGLE) {
    CHECK(cov.srdhm_ties > 0);
    CHECK(cov.rdbpot_ties > 0);
    if (!NARROW) CHECK(cov.saturations > 0);
  }
  if (!NARROW) CHECK(cov.int32_min > 0);
  CHECK(cov.in_range > 100);  // low for very narrow ACC_BITS, where targets are unreachable
  CHECK(cov.near_cut > 0);
  // Results of deep right shifts are near zero: observable only if OUT_ZP is in the range.
  // Left shifts (s > 0) of a narrow accumulator plus a large bias rarely land in a narrow clamp
  // range, so their in-range coverage is only demanded for accumulators of 20 bits or more.
  const bool zero_observable = ACT_MIN <= OUT_ZP && OUT_ZP <= ACT_MAX;
  for (int s = -31; s <= (SINGLE ? 0 : 4); ++s) {
    INFO("shift " << s << " never exercised / never produced an in-range result");
    CHECK(cov.shifts_exercised.count(s) == 1);
    if (zero_observable && (s <= 0 || ACC_BITS >= 20)) CHECK(cov.shifts.count(s) == 1);
  }
}

TEST_CASE("requant reference spot checks", "[requant]") {
  // Guards the test's own reference against the spec examples.
  CHECK(rtlgen::rdbpot(-3, 1) == -2);
  CHECK(rtlgen::rdbpot(-5, 2) == -1);
  CHECK(rtlgen::rdbpot(3, 1) == 2);
  CHECK(rtlgen::srdhm(kMin, kMin) == kMax);
}
