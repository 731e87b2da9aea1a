// Differential test of rtlgen_global_pool (per-channel sums over H x W) against a C++ reference:
// random frames back to back (including all-minimum / all-maximum frames for the range of
// ACC_BITS), random input idle cycles and output backpressure, steady-state throughput.
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "Vrtlgen_global_pool.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int kH = RTLGEN_P_H;
constexpr int kW = RTLGEN_P_W;
constexpr int kC = RTLGEN_P_CHANNELS;
constexpr int kN = RTLGEN_P_IN_N;
constexpr bool kSigned = RTLGEN_P_IN_SIGNED != 0;
constexpr int kAcc = RTLGEN_P_ACC_BITS;
constexpr int kInBeats = kH * kW * kC / kN;
constexpr int kOutBeats = kC / kN;

struct Bench {
  VerilatedContext ctx;
  Vrtlgen_global_pool dut{&ctx};
  Simulation<Vrtlgen_global_pool> sim{dut, dut.clk, dut.rst};
  AxisDriver src;
  AxisMonitor sink;
  std::vector<int64_t> expected;  // sums, channel order, frame after frame

  Bench(uint64_t seed, double idle_p, double ready_p)
      : src("in", dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready, kN, 8, seed),
        sink("out", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, kN, kAcc, true,
             seed + 1000) {
    src.idle_probability(idle_p);
    sink.with_last(dut.m_axis_tlast).ready_probability(ready_p);
    sim.add(src).add(sink);
    sim.reset();
  }

  // kind 0: random, 1: all minimum, 2: all maximum
  void queue_frame(Rng& rng, int kind = 0) {
    std::vector<int64_t> img(static_cast<std::size_t>(kH * kW * kC));
    for (auto& v : img)
      v = kind == 1 ? (kSigned ? -128 : 0) : kind == 2 ? (kSigned ? 127 : 255) : rng.element(8, kSigned);
    std::vector<int64_t> sums(kC, 0);
    for (std::size_t i = 0; i < img.size(); ++i) sums[i % kC] += img[i];
    src.push_stream(img, false);
    expected.insert(expected.end(), sums.begin(), sums.end());
  }

  void run_and_check() {
    const uint64_t beats = expected.size() / kN;
    sim.run_until([&] { return sink.received() >= beats && src.done(); },
                  50 * static_cast<uint64_t>(kInBeats) * (beats / kOutBeats) + 10000,
                  RTLGEN_TEST_NAME);
    sim.step(10);
    REQUIRE(sink.received() == beats);
    REQUIRE(sink.elements() == expected);
    for (std::size_t i = 0; i < beats; ++i)
      REQUIRE(sink.beats()[i].last == ((i % kOutBeats) == kOutBeats - 1));
  }
};

}  // namespace

TEST_CASE("global_pool sums match under random stalls", "[global_pool]") {
  const uint64_t seed = seed_from_env(31);
  struct Mode {
    double idle, ready;
  };
  for (const Mode m : {Mode{0.3, 0.5}, Mode{0.0, 0.1}, Mode{0.7, 1.0}, Mode{0.0, 1.0}}) {
    INFO("idle " << m.idle << ", ready " << m.ready << ", seed " << seed);
    Bench b(seed, m.idle, m.ready);
    Rng rng(seed + 1);
    b.queue_frame(rng, 1);
    b.queue_frame(rng, 2);
    for (int f = 0; f < 4; ++f) b.queue_frame(rng);
    b.run_and_check();
  }
}

TEST_CASE("global_pool steady-state throughput", "[global_pool][perf]") {
  Bench b(2, 0.0, 1.0);
  Rng rng(8);
  for (int f = 0; f < 6; ++f) b.queue_frame(rng);
  b.run_and_check();
  const auto& got = b.sink.beats();
  const double cycles =
      static_cast<double>(got[5 * kOutBeats].cycle - got[2 * kOutBeats].cycle) / 3.0;
  const double bound = std::max(kInBeats, kOutBeats);
  std::printf("%s: %.1f cycles per frame, in %d beats, out %d beats, bound %.0f (ratio %.3f)\n",
              RTLGEN_TEST_NAME, cycles, kInBeats, kOutBeats, bound, cycles / bound);
  CHECK(cycles <= 1.10 * bound);
}
