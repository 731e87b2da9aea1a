// rtlgen_requant_float against ONNX Runtime's float32 requantization (the rule of
// rtlgen::golden::requantize_onnxruntime, evaluated here in float32 as the kernels do), under
// random idle cycles and backpressure. Per round a fresh PARAM_FILE with per-channel (bias,
// float32 scale); accumulators are steered at exact ties (x * S = k + 0.5), at double-rounding
// cases (the float32 product is a tie that the exact product is not), near |x| = 2^24, at
// saturation and at subnormal / zero scales.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "Vrtlgen_requant_float.h"
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

constexpr int64_t kXLimit = (int64_t{1} << 24) - 1;  // |acc + bias| < 2^24 (generator bound)
constexpr int64_t kAccMin = -(int64_t{1} << (ACC_BITS - 1));
constexpr int64_t kAccMax = (int64_t{1} << (ACC_BITS - 1)) - 1;

enum class Kind { Random, ExactTie, DoubleRound, Big, Saturate, Tiny, kCount };

struct Channel {
  Kind kind;
  int32_t bias;
  uint32_t mant;  // float32 significand with the hidden bit (0 for a zero scale)
  int shift;      // scale = mant / 2^shift
  float scale() const { return static_cast<float>(std::ldexp(double(mant), -shift)); }
};

struct Coverage {
  uint64_t exact_ties = 0, double_round = 0, saturated = 0, in_range = 0, big = 0;
};

// ONNX Runtime: clamp(round_half_even(f32(f32(x) * S)) + zp); x = acc + bias in int32.
int64_t reference(int32_t acc, const Channel& c, Coverage* cov) {
  const int32_t x = static_cast<int32_t>(int64_t{acc} + c.bias);
  const float s = c.scale();
  volatile float v = static_cast<float>(x) * s;  // one float32 rounding, no fused multiply-add
  const float lo = float(ACT_MIN - OUT_ZP), hi = float(ACT_MAX - OUT_ZP);
  const float clamped = std::min(std::max(static_cast<float>(v), lo), hi);
  const int64_t y = static_cast<int64_t>(std::nearbyint(clamped)) + OUT_ZP;
  if (cov) {
    const long double exact = static_cast<long double>(x) * static_cast<long double>(s);
    const float fv = v;
    const bool tie = fv != std::floor(fv) && fv * 2 == std::floor(fv * 2);
    if (y > ACT_MIN && y < ACT_MAX) {
      ++cov->in_range;
      if (tie && exact == static_cast<long double>(fv)) ++cov->exact_ties;
      if (tie && exact != static_cast<long double>(fv)) ++cov->double_round;
    } else if (std::fabs(exact) > 4096) {
      ++cov->saturated;
    }
    if (std::llabs(int64_t{x}) > (int64_t{1} << 23)) ++cov->big;
  }
  return y;
}

Channel random_channel(Rng& rng) {
  Channel c;
  c.kind = static_cast<Kind>(rng.uniform(0, static_cast<int>(Kind::kCount) - 1));
  c.mant = static_cast<uint32_t>(rng.uniform(1 << 23, (1 << 24) - 1));
  c.shift = static_cast<int>(rng.uniform(24, 48));  // scales about 2^-24 .. 1
  c.bias = static_cast<int32_t>(rng.uniform(-(1 << 20), 1 << 20));
  switch (c.kind) {
    case Kind::ExactTie:
      c.mant = 1u << 23;  // a power of two: x * S = k + 0.5 exactly for suitable x
      c.shift = static_cast<int>(rng.uniform(24, 30));
      break;
    case Kind::DoubleRound:
      c.mant |= 1;  // odd significand: exact products rarely are ties, float32 ones can be
      c.shift = static_cast<int>(rng.uniform(36, 42));  // |x| ~ 2^20..2^24 lands in range
      break;
    case Kind::Saturate:
      c.shift = static_cast<int>(rng.uniform(0, 23));  // scales >= 2: most results saturate
      break;
    case Kind::Tiny:
      if (rng.chance(0.3)) {
        c.mant = 0;  // zero scale
      } else {
        c.mant = static_cast<uint32_t>(rng.uniform(1, (1 << 23) - 1));  // subnormal scale
        c.shift = 149;
      }
      break;
    default:
      break;
  }
  return c;
}

int32_t clamp_acc(int64_t x, const Channel& c, Rng& rng) {
  x = std::max(-kXLimit, std::min(kXLimit, x));
  const int64_t acc = x - c.bias;
  if (acc < kAccMin || acc > kAccMax || std::llabs(acc + c.bias) > kXLimit)
    return static_cast<int32_t>(rng.uniform(std::max(kAccMin, -kXLimit - c.bias),
                                            std::min(kAccMax, kXLimit - c.bias)));
  return static_cast<int32_t>(acc);
}

// An accumulator for channel c chosen by the channel's kind (|acc + bias| < 2^24).
int32_t make_acc(Rng& rng, const Channel& c) {
  const double s = double(c.scale());
  const int64_t y = rng.uniform(ACT_MIN - OUT_ZP - 2, ACT_MAX - OUT_ZP + 2);
  const double target = (double(y) + (rng.chance(0.5) ? 0.5 : -0.5)) / (s > 0 ? s : 1);
  switch (c.kind) {
    case Kind::ExactTie:
    case Kind::Random:
      return clamp_acc(static_cast<int64_t>(std::llround(target)) + rng.uniform(-1, 1), c, rng);
    case Kind::DoubleRound: {
      // walk from the target to an x whose float32 product is a tie the exact one is not
      const int64_t x0 = static_cast<int64_t>(std::llround(target));
      const int64_t dir = rng.chance(0.5) ? 1 : -1;
      for (int64_t i = 0; i < 40000; ++i) {
        const int64_t x = x0 + dir * i;
        if (std::llabs(x) > kXLimit) break;
        volatile float v = static_cast<float>(x) * c.scale();
        const float fv = v;
        if (fv * 2 == std::floor(fv * 2) && fv != std::floor(fv) &&
            static_cast<long double>(x) * static_cast<long double>(c.scale()) != fv)
          return clamp_acc(x, c, rng);
      }
      return clamp_acc(x0, c, rng);
    }
    case Kind::Big:
      return clamp_acc((rng.chance(0.5) ? 1 : -1) * (kXLimit - rng.uniform(0, 1000)), c, rng);
    default:
      return static_cast<int32_t>(rng.uniform(std::max(kAccMin, -kXLimit - c.bias),
                                              std::min(kAccMax, kXLimit - c.bias)));
  }
}

// One word per group of PE channels, lane p (channel g*PE + p) at bits [p*64 +: 64].
void write_params(const std::vector<Channel>& ch) {
  std::vector<MemWord> words;
  for (size_t g = 0; g * PE < ch.size(); ++g) {
    MemWord w(64 * PE);
    for (int p = 0; p < PE; ++p) {
      const Channel& c = ch[g * PE + p];
      w.set(p * 64 + 32, 32, static_cast<uint32_t>(c.bias));
      w.set(p * 64 + 8, 24, c.mant);
      w.set(p * 64, 8, static_cast<uint64_t>(c.shift));
    }
    words.push_back(w);
  }
  write_memh(PARAM_FILE, words);
}

}  // namespace

TEST_CASE("requant_float is bit-exact with ONNX Runtime's float32 requantization",
          "[requant_float]") {
  const uint64_t seed = seed_from_env(0x0f1 + CHANNELS * 31 + PE);
  Rng rng(seed);
  Coverage cov;
  const bool fault = std::getenv("RTLGEN_INJECT_FAULT") != nullptr;
  const int rounds = std::max(16, 400 / CHANNELS);
  const int groups = CHANNELS / PE;
  for (int round = 0; round < rounds; ++round) {
    std::vector<Channel> ch;
    for (int c = 0; c < CHANNELS; ++c) ch.push_back(random_channel(rng));
    write_params(ch);

    VerilatedContext ctx;
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>((seed + static_cast<uint64_t>(round)) & 0x7fffffff));
    Vrtlgen_requant_float dut(&ctx);
    Simulation<Vrtlgen_requant_float> sim(dut, dut.clk, dut.rst);
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

    const int beats = groups * std::max(4, 400 / CHANNELS);
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
        static_cast<uint64_t>(beats) * 50 + 1000, "requant_float");
    sim.step(20);
    INFO("round " << round << ", idle " << idle[round % 4] << ", ready " << ready[round % 4]);
    const std::string diff = compare_elements(sink.elements(), expected, PE);
    INFO(diff);
    REQUIRE(diff.empty());
    if (round % 4 == 0) CHECK(cycles <= static_cast<uint64_t>(beats) + 20);  // 1 beat/cycle
    dut.final();
  }
  std::printf("[%s] coverage: %llu in range, %llu exact ties, %llu double-rounding ties, %llu "
              "saturated, %llu with |x| > 2^23\n",
              RTLGEN_TEST_NAME, static_cast<unsigned long long>(cov.in_range),
              static_cast<unsigned long long>(cov.exact_ties),
              static_cast<unsigned long long>(cov.double_round),
              static_cast<unsigned long long>(cov.saturated),
              static_cast<unsigned long long>(cov.big));
  CHECK(cov.in_range > 100);
  CHECK(cov.exact_ties > 10);
  CHECK(cov.double_round > 10);
  CHECK(cov.saturated > 10);
  CHECK(cov.big > 10);
}
