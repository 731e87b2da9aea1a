// rtlgen_add_float against ONNX Runtime's QLinearAdd rule evaluated here in float32 with
// std::fmaf (v = fma(a', ra, fma(b', rb, F)), round half to even, saturate, - OFFSET, clamp),
// with ra, rb and F rebuilt from the module's parameters (ra = A_MANT * 2^(SH_A - K), rb =
// B_MANT * 2^(SH_B + SH_I - K), F = F_MANT * 2^(SH_F + SH_I - K)), not through the integer
// alignment the module does. Every (a, b) pair, then random pairs, under random idle cycles on
// both inputs and output backpressure.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vrtlgen_add_float.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int kN = RTLGEN_P_N;
constexpr bool kSigned = RTLGEN_P_SIGNED != 0;
constexpr int kOffset = RTLGEN_P_OFFSET;
constexpr int kK = RTLGEN_P_K;
constexpr int kLo = kSigned ? -128 : 0, kHi = kSigned ? 127 : 255;

const float kRa = static_cast<float>(std::ldexp(double(RTLGEN_P_A_MANT), RTLGEN_P_SH_A - kK));
const float kRb =
    static_cast<float>(std::ldexp(double(RTLGEN_P_B_MANT), RTLGEN_P_SH_B + RTLGEN_P_SH_I - kK));
const float kF =
    static_cast<float>(std::ldexp(double(RTLGEN_P_F_MANT), RTLGEN_P_SH_F + RTLGEN_P_SH_I - kK));

struct Coverage {
  uint64_t ties = 0, saturated = 0;
};

int64_t reference(int64_t a, int64_t b, Coverage* cov) {
  const float inner = std::fmaf(static_cast<float>(b + kOffset), kRb, kF);
  const float v = std::fmaf(static_cast<float>(a + kOffset), kRa, inner);
  if (v - std::floor(v) == 0.5f) ++cov->ties;
  int64_t y = static_cast<int64_t>(std::nearbyint(v));
  if (y < RTLGEN_P_RUN_MIN || y > RTLGEN_P_RUN_MAX) ++cov->saturated;
  y = std::min<int64_t>(std::max<int64_t>(y, RTLGEN_P_RUN_MIN), RTLGEN_P_RUN_MAX) - kOffset;
  return std::min<int64_t>(std::max<int64_t>(y, RTLGEN_P_ACT_MIN), RTLGEN_P_ACT_MAX);
}

}  // namespace

TEST_CASE("add_float is ONNX Runtime's float32 QLinearAdd", "[add_float]") {
  const uint64_t seed = seed_from_env(0xadd + kN * 7 + kOffset);
  Rng rng(seed);
  const bool fault = std::getenv("RTLGEN_INJECT_FAULT") != nullptr;
  Coverage cov;
  uint64_t checked = 0;
  for (int round = 0; round < 4; ++round) {
    VerilatedContext ctx;
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>((seed + static_cast<uint64_t>(round)) & 0x7fffffff));
    Vrtlgen_add_float dut(&ctx);
    Simulation<Vrtlgen_add_float> sim(dut, dut.clk, dut.rst);
    AxisDriver src_a("s_a_axis", dut.s_a_axis_tdata, dut.s_a_axis_tvalid, dut.s_a_axis_tready, kN,
                     8, seed * 3 + static_cast<uint64_t>(round));
    AxisDriver src_b("s_b_axis", dut.s_b_axis_tdata, dut.s_b_axis_tvalid, dut.s_b_axis_tready, kN,
                     8, seed * 5 + static_cast<uint64_t>(round));
    AxisMonitor sink("m_axis", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, kN, 8,
                     kSigned, seed * 11 + static_cast<uint64_t>(round));
    const double idle[] = {0.0, 0.3, 0.5, 0.1};
    const double ready[] = {1.0, 0.6, 0.8, 0.3};
    src_a.idle_probability(idle[round]);
    src_b.idle_probability(round == 0 ? 0.0 : idle[4 - round]);  // round 0: no stalls
    sink.ready_probability(ready[round]);
    sim.add(src_a).add(src_b).add(sink);
    sim.reset();

    // round 0: every pair; then random pairs
    std::vector<int64_t> as, bs;
    if (round == 0) {
      for (int a = kLo; a <= kHi; ++a)
        for (int b = kLo; b <= kHi; ++b) as.push_back(a), bs.push_back(b);
    } else {
      for (int i = 0; i < 4000; ++i)
        as.push_back(rng.uniform(kLo, kHi)), bs.push_back(rng.uniform(kLo, kHi));
    }
    while (as.size() % kN != 0) as.push_back(kLo), bs.push_back(kHi);
    std::vector<int64_t> expected;
    for (size_t i = 0; i < as.size(); i += kN) {
      AxisBeat ba, bb;
      for (int l = 0; l < kN; ++l) {
        ba.data.push_back(as[i + size_t(l)]);
        bb.data.push_back(bs[i + size_t(l)]);
        expected.push_back(reference(as[i + size_t(l)], bs[i + size_t(l)], &cov));
      }
      src_a.push(ba);
      src_b.push(bb);
    }
    if (fault && round == 1) expected[expected.size() / 2] ^= 1;
    const uint64_t beats = as.size() / kN;
    const uint64_t cycles =
        sim.run_until([&] { return sink.received() == beats; }, beats * 40 + 1000, "add_float");
    sim.step(10);
    const std::string diff = compare_elements(sink.elements(), expected, kN);
    INFO("round " << round << " ra " << kRa << " rb " << kRb << " F " << kF);
    INFO(diff);
    REQUIRE(diff.empty());
    checked += expected.size();
    if (round == 0) CHECK(cycles <= beats + 20);
    dut.final();
  }
  std::printf("[%s] %llu results: %llu exact .5 ties, %llu saturated\n", RTLGEN_TEST_NAME,
              static_cast<unsigned long long>(checked), static_cast<unsigned long long>(cov.ties),
              static_cast<unsigned long long>(cov.saturated));
  CHECK(cov.saturated > 0);
}
