// rtlgen_concat: per pixel, the A_BEATS beats of input A and then the B_BEATS beats of input B,
// unchanged, under random idle cycles on both inputs (independently) and random backpressure;
// AXI-Stream stability on the output; a reset in the middle of traffic (the next pixel starts
// with A again); one beat per cycle when both inputs are valid and the output is ready.
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "Vrtlgen_concat.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int N = RTLGEN_P_N;
constexpr int ELEM_BITS = RTLGEN_P_ELEM_BITS;
constexpr int A_BEATS = RTLGEN_P_A_BEATS;
constexpr int B_BEATS = RTLGEN_P_B_BEATS;

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vrtlgen_concat> dut;
  std::unique_ptr<Simulation<Vrtlgen_concat>> sim;
  std::unique_ptr<AxisDriver> a, b;
  std::unique_ptr<AxisMonitor> out;

  explicit Bench(uint64_t seed) {
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut = std::make_unique<Vrtlgen_concat>(&ctx);
    sim = std::make_unique<Simulation<Vrtlgen_concat>>(*dut, dut->clk, dut->rst);
    a = std::make_unique<AxisDriver>("s_a_axis", dut->s_a_axis_tdata, dut->s_a_axis_tvalid,
                                     dut->s_a_axis_tready, N, ELEM_BITS, seed * 5 + 1);
    b = std::make_unique<AxisDriver>("s_b_axis", dut->s_b_axis_tdata, dut->s_b_axis_tvalid,
                                     dut->s_b_axis_tready, N, ELEM_BITS, seed * 5 + 2);
    out = std::make_unique<AxisMonitor>("m_axis", dut->m_axis_tdata, dut->m_axis_tvalid,
                                        &dut->m_axis_tready, N, ELEM_BITS, false, seed * 5 + 3);
    sim->add(*a).add(*b).add(*out);
    sim->reset();
  }
  ~Bench() { dut->final(); }
};

AxisBeat random_beat(Rng& rng) {
  AxisBeat beat;
  for (int e = 0; e < N; ++e) beat.data.push_back(rng.element(ELEM_BITS, false));
  return beat;
}

// `pixels` pixels: queues A's and B's beats and returns the expected output beats.
std::vector<std::vector<int64_t>> queue_pixels(Bench& b, Rng& rng, int pixels) {
  std::vector<std::vector<int64_t>> expect;
  for (int p = 0; p < pixels; ++p) {
    std::vector<AxisBeat> tail;
    for (int k = 0; k < A_BEATS; ++k) {
      const AxisBeat beat = random_beat(rng);
      b.a->push(beat);
      expect.push_back(beat.data);
    }
    for (int k = 0; k < B_BEATS; ++k) tail.push_back(random_beat(rng));
    for (const auto& beat : tail) {
      b.b->push(beat);
      expect.push_back(beat.data);
    }
  }
  return expect;
}

}  // namespace

TEST_CASE("concat interleaves A's then B's beats of every pixel", "[concat]") {
  const uint64_t seed = seed_from_env(0xca + N * 7 + A_BEATS * 3 + B_BEATS);
  Rng rng(seed);
  const struct {
    double idle_a, idle_b, ready;
  } modes[] = {{0.0, 0.0, 1.0}, {0.5, 0.1, 0.7}, {0.1, 0.6, 0.3}, {0.8, 0.8, 1.0}, {0.0, 0.0, 0.1}};
  int mi = 0;
  for (const auto& m : modes) {
    INFO("mode " << mi << ", seed " << seed);
    Bench b(seed + uint64_t(mi++));
    b.a->idle_probability(m.idle_a);
    b.b->idle_probability(m.idle_b);
    b.out->ready_probability(m.ready);
    // traffic cut by a reset part-way through a pixel: afterwards A comes first again
    queue_pixels(b, rng, 3);
    b.sim->step(static_cast<uint64_t>(rng.uniform(1, 2 * (A_BEATS + B_BEATS))));
    b.sim->reset(2);
    b.a->clear();
    b.b->clear();
    b.out->clear();
    const auto expect = queue_pixels(b, rng, 200);
    b.sim->run_until([&] { return b.out->received() == expect.size(); }, 100 * expect.size() + 1000,
                     RTLGEN_TEST_NAME);
    b.sim->step(10);
    REQUIRE(b.out->received() == expect.size());
    for (size_t k = 0; k < expect.size(); ++k) {
      INFO("beat " << k);
      REQUIRE(b.out->beats()[k].data == expect[k]);
    }
  }
}

TEST_CASE("concat steady-state throughput", "[concat][perf]") {
  Bench b(4);
  Rng rng(9);
  const auto expect = queue_pixels(b, rng, 100);
  b.sim->run_until([&] { return b.out->received() == expect.size(); }, 10 * expect.size() + 100,
                   RTLGEN_TEST_NAME);
  const auto& beats = b.out->beats();
  CHECK(beats.back().cycle - beats.front().cycle == expect.size() - 1);
}
