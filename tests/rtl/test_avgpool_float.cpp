// rtlgen_avgpool_float against ONNX Runtime's QLinearAveragePool evaluated here in float32 as
// the kernel does (every tap dequantized and added in window order, divided by the count, over
// the output scale, plus the zero point (+ the x86 int8 -> uint8 offset), round half to even),
// not through the integer sum the module uses. Per round a fresh threshold file from
// rtlgen::golden::onnxruntime_pool_thresholds for a random input exponent, output scale, zero
// point, offset and upper clamp; windows steered at exact .5 ties of the quantized value and at
// windows whose float32 sum differs from the exact sum. Random idle cycles and backpressure;
// steady-state throughput check.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vrtlgen_avgpool_float.h"
#include "rtlgen/golden.hpp"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int kChannels = RTLGEN_P_CHANNELS;
constexpr int kSimd = RTLGEN_P_SIMD;
constexpr int kTaps = RTLGEN_P_K_H * RTLGEN_P_K_W;
constexpr bool kSigned = RTLGEN_P_IN_SIGNED != 0;
constexpr int64_t kInZp = RTLGEN_P_IN_ZP;
constexpr uint32_t kInMant = RTLGEN_P_IN_MANT;
constexpr int kActMin = RTLGEN_P_ACT_MIN;
const char* const kThreshFile = RTLGEN_P_THRESH_FILE;
constexpr int kLo = kSigned ? -128 : 0, kHi = kSigned ? 127 : 255;

struct Config {
  float in_scale, out_scale;
  int32_t out_zp, offset, act_max;
};

struct Coverage {
  uint64_t ties = 0, float_sum_differs = 0, clamped = 0;
};

// ONNX Runtime's float32 steps, one rounding each (volatile: no fused multiply-add).
int64_t reference(const std::vector<int64_t>& taps, const Config& c, Coverage* cov) {
  volatile float sum = 0.0f;
  double exact = 0.0;
  for (int64_t x : taps) {
    volatile float term = c.in_scale * static_cast<float>(x - kInZp);
    sum = sum + term;
    exact += double(c.in_scale) * double(x - kInZp);
  }
  volatile float avg = sum / static_cast<float>(kTaps);
  volatile float scaled = avg / c.out_scale;
  volatile float q = scaled + static_cast<float>(c.out_zp + c.offset);
  const float qc = std::min(std::max(static_cast<float>(q), -1e9f), 1e9f);
  const int64_t r = static_cast<int64_t>(std::nearbyint(qc)) - c.offset;
  if (qc - std::floor(qc) == 0.5f) ++cov->ties;
  if (double(static_cast<float>(sum)) != exact) ++cov->float_sum_differs;
  if (r < kActMin || r > c.act_max) ++cov->clamped;
  return std::min<int64_t>(std::max<int64_t>(r, kActMin), c.act_max);
}

Config random_config(Rng& rng, int round) {
  Config c;
  const int exponent = static_cast<int>(rng.uniform(-40, 4));  // in_scale = mant * 2^(e-24)
  c.in_scale = static_cast<float>(std::ldexp(double(kInMant), exponent - 24));
  // round 0 and 2: out_scale = in_scale (results step by quarters of the input: many ties)
  const double ratio = (round % 2 == 0) ? 1.0 : std::ldexp(rng.uniform(1 << 20, 1 << 22), -21);
  c.out_scale = static_cast<float>(double(c.in_scale) * ratio);
  c.offset = (kActMin < 0 && rng.chance(0.5)) ? 128 : 0;  // QDQ int8 run as uint8 on x86
  c.out_zp = static_cast<int32_t>(rng.uniform(kActMin, kActMin + 40));
  c.act_max = static_cast<int32_t>(rng.chance(0.5) ? kActMin + 255
                                                   : rng.uniform(kActMin + 100, kActMin + 255));
  return c;
}

void write_thresholds(const Config& c) {
  const rtlgen::golden::OnnxPoolThresholds t = rtlgen::golden::onnxruntime_pool_thresholds(
      c.in_scale, kTaps, c.out_scale, c.out_zp, c.offset, kActMin, c.act_max);
  REQUIRE(t.in_mant == kInMant);
  std::vector<MemWord> words;
  for (int64_t v : t.thresholds) {
    MemWord word(t.sum_bits + 1);
    word.set(0, t.sum_bits + 1, static_cast<uint64_t>(v));
    words.push_back(word);
  }
  write_memh(kThreshFile, words);
}

}  // namespace

TEST_CASE("avgpool_float is ONNX Runtime's float32 average pool", "[avgpool_float]") {
  const uint64_t seed = seed_from_env(0xf1a7 + kChannels * 13 + kSimd);
  Rng rng(seed);
  const bool fault = std::getenv("RTLGEN_INJECT_FAULT") != nullptr;
  Coverage cov;
  uint64_t checked = 0;
  for (int round = 0; round < 8; ++round) {
    const Config cfg = random_config(rng, round);
    write_thresholds(cfg);
    VerilatedContext ctx;
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>((seed + static_cast<uint64_t>(round)) & 0x7fffffff));
    Vrtlgen_avgpool_float dut(&ctx);
    Simulation<Vrtlgen_avgpool_float> sim(dut, dut.clk, dut.rst);
    AxisDriver src("s_axis", dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready, kSimd, 8,
                   seed * 7 + static_cast<uint64_t>(round));
    AxisMonitor sink("m_axis", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, kSimd, 8,
                     kActMin < 0, seed * 11 + static_cast<uint64_t>(round));
    const double idle[] = {0.0, 0.3, 0.0, 0.6};
    const double ready[] = {1.0, 0.7, 0.4, 1.0};
    src.idle_probability(idle[round % 4]);
    sink.ready_probability(ready[round % 4]);
    src.with_last(dut.s_axis_tlast);
    sim.add(src).add(sink);
    sim.reset();

    const int chunks_per_window = kChannels / kSimd;
    const int windows = 150;
    std::vector<int64_t> expected;
    for (int w = 0; w < windows; ++w)
      for (int ch = 0; ch < chunks_per_window; ++ch) {
        std::vector<std::vector<int64_t>> taps(kTaps, std::vector<int64_t>(kSimd));
        for (int l = 0; l < kSimd; ++l) {
          const int kind = static_cast<int>(rng.uniform(0, 3));
          std::vector<int64_t> window(kTaps);
          int64_t sum = 0;
          for (int t = 0; t < kTaps; ++t) {
            int64_t v = rng.uniform(kLo, kHi);
            if (kind == 1) v = rng.chance(0.5) ? kLo : kHi;
            if (kind == 2 && t == kTaps - 1 && kTaps > 1) {
              // steer sum(x - zp) to an odd multiple of count/2: a .5 tie when out = in scale
              const int64_t centred = sum - int64_t(t) * kInZp;
              const int64_t want =
                  (2 * (centred / kTaps) + (rng.chance(0.5) ? 1 : 3)) * (kTaps / 2);
              v = std::min<int64_t>(std::max<int64_t>(want - centred + kInZp, kLo), kHi);
            }
            window[size_t(t)] = v;
            taps[size_t(t)][size_t(l)] = v;
            sum += v;
          }
          expected.push_back(reference(window, cfg, &cov));
        }
        for (int t = 0; t < kTaps; ++t) {
          AxisBeat b;
          b.data = taps[size_t(t)];
          b.last = t == kTaps - 1 && ch == chunks_per_window - 1;
          src.push(b);
        }
      }
    if (fault && round == 3) expected[expected.size() / 2] ^= 1;
    const uint64_t beats_out = static_cast<uint64_t>(windows * chunks_per_window);
    const uint64_t cycles = sim.run_until([&] { return sink.received() == beats_out; },
                                          beats_out * kTaps * 40 + 1000, "avgpool_float");
    sim.step(10);
    const std::string diff = compare_elements(sink.elements(), expected, kSimd);
    INFO("round " << round << " in_scale " << cfg.in_scale << " out_scale " << cfg.out_scale
                  << " out_zp " << cfg.out_zp << " offset " << cfg.offset << " act_max "
                  << cfg.act_max);
    INFO(diff);
    REQUIRE(diff.empty());
    checked += expected.size();
    if (round == 0) CHECK(cycles <= beats_out * kTaps + 16);
    dut.final();
  }
  std::printf(
      "[%s] %llu results: %llu exact .5 ties, %llu float32 sums != exact sums, %llu "
      "clamped\n",
      RTLGEN_TEST_NAME, static_cast<unsigned long long>(checked),
      static_cast<unsigned long long>(cov.ties),
      static_cast<unsigned long long>(cov.float_sum_differs),
      static_cast<unsigned long long>(cov.clamped));
  if (kTaps % 2 == 0) CHECK(cov.ties > 50);
  // a power-of-two input scale makes every term and (for 2 taps) every sum exact
  if ((kInMant & (kInMant - 1)) != 0) CHECK(cov.float_sum_differs > 50);
}
