// rtlgen_avgpool_shift against round(sum / 2^m) from the definition (floor / half up / half
// even, 128-bit-free: sums of K_H*K_W elements of up to 32 bits fit int64), fed with rtlgen_swg
// ORDER 1 style beats (K_H*K_W taps per chunk, tlast on a window's last chunk) built here:
// random elements of ELEM_BITS bits, and chunks whose taps make exact halves of both parities
// (the ties that tell half even from half up and floor) and the extremes of the element range.
// Random input idle cycles and output backpressure; steady-state throughput check.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vrtlgen_avgpool_shift.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int kChannels = RTLGEN_P_CHANNELS;
constexpr int kSimd = RTLGEN_P_SIMD;
constexpr int kTaps = RTLGEN_P_K_H * RTLGEN_P_K_W;
constexpr int kBits = RTLGEN_P_ELEM_BITS;
constexpr bool kSigned = RTLGEN_P_IN_SIGNED != 0;
constexpr int kRounding = RTLGEN_P_ROUNDING;
constexpr int64_t kLo = kSigned ? -(int64_t{1} << (kBits - 1)) : 0;
constexpr int64_t kHi = kSigned ? (int64_t{1} << (kBits - 1)) - 1 : (int64_t{1} << kBits) - 1;

int64_t reference(int64_t sum, uint64_t* ties) {
  int64_t q = sum / kTaps, r = sum % kTaps;
  if (r < 0) q -= 1, r += kTaps;  // floor
  if (kTaps > 1 && 2 * r == kTaps) ++*ties;
  if (kRounding == 1 && 2 * r >= kTaps && kTaps > 1) q += 1;
  if (kRounding == 2 && (2 * r > kTaps || (2 * r == kTaps && (q & 1)))) q += 1;
  return q;
}

}  // namespace

TEST_CASE("avgpool_shift is round(sum / K_H*K_W) with the selected rounding", "[avgpool_shift]") {
  const uint64_t seed = seed_from_env(0xa7e + kChannels * 13 + kSimd);
  Rng rng(seed);
  const bool fault = std::getenv("RTLGEN_INJECT_FAULT") != nullptr;
  uint64_t ties = 0;
  for (int round = 0; round < 8; ++round) {
    VerilatedContext ctx;
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>((seed + static_cast<uint64_t>(round)) & 0x7fffffff));
    Vrtlgen_avgpool_shift dut(&ctx);
    Simulation<Vrtlgen_avgpool_shift> sim(dut, dut.clk, dut.rst);
    AxisDriver src("s_axis", dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready, kSimd, kBits,
                   seed * 7 + static_cast<uint64_t>(round));
    AxisMonitor sink("m_axis", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, kSimd,
                     kBits, kSigned, seed * 11 + static_cast<uint64_t>(round));
    const double idle[] = {0.0, 0.3, 0.0, 0.6};
    const double ready[] = {1.0, 0.7, 0.4, 1.0};
    src.idle_probability(idle[round % 4]);
    sink.ready_probability(ready[round % 4]);
    src.with_last(dut.s_axis_tlast);
    sim.add(src).add(sink);
    sim.reset();

    const int chunks_per_window = kChannels / kSimd;
    const int windows = 60;
    std::vector<int64_t> expected;
    for (int w = 0; w < windows; ++w)
      for (int ch = 0; ch < chunks_per_window; ++ch) {
        std::vector<std::vector<int64_t>> taps(kTaps, std::vector<int64_t>(kSimd));
        for (int l = 0; l < kSimd; ++l) {
          const int kind = static_cast<int>(rng.uniform(0, 3));
          int64_t sum = 0;
          for (int t = 0; t < kTaps; ++t) {
            int64_t v = rng.uniform(kLo, kHi);
            if (kind == 1) v = rng.chance(0.5) ? kLo : kHi;
            if (kind == 2 && t == kTaps - 1 && kTaps > 1) {
              // steer the sum to a tie: sum = (2j+1) * kTaps / 2 for a random j
              const int64_t want = (2 * (sum / kTaps) + (rng.chance(0.5) ? 1 : 3)) * (kTaps / 2);
              v = std::min(std::max(want - sum, kLo), kHi);
            }
            taps[size_t(t)][size_t(l)] = v;
            sum += v;
          }
          expected.push_back(0);  // filled below in lane order
          expected.back() = reference(sum, &ties);
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
                                          beats_out * kTaps * 40 + 1000, "avgpool_shift");
    sim.step(10);
    const std::string diff = compare_elements(sink.elements(), expected, kSimd);
    INFO("round " << round);
    INFO(diff);
    REQUIRE(diff.empty());
    if (round == 0) CHECK(cycles <= beats_out * kTaps + 8);
    dut.final();
  }
  std::printf("[%s] %llu exact halves\n", RTLGEN_TEST_NAME, static_cast<unsigned long long>(ties));
  if (kTaps > 1) CHECK(ties > 50);
}
