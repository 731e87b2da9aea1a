// rtlgen_fifo: order and payload (tdata, tlast, tuser) preserved under random idle cycles and
// backpressure, full rate without stalls, capacity DEPTH + 1 (+ 1 with OUT_REG), the latency,
// reset empties it.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vrtlgen_fifo.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int WIDTH = RTLGEN_P_WIDTH;
constexpr int DEPTH = RTLGEN_P_DEPTH;
constexpr bool LAST_ENABLE = RTLGEN_P_LAST_ENABLE != 0;
constexpr int USER_WIDTH = RTLGEN_P_USER_WIDTH;
constexpr int OUT_REG = RTLGEN_P_OUT_REG;
// tdata as elements of at most 32 bits
constexpr int ELEM_BITS = WIDTH > 32 ? (WIDTH % 24 == 0 ? 24 : (WIDTH % 8 == 0 ? 8 : 1)) : WIDTH;
constexpr int ELEMS = WIDTH / ELEM_BITS;
static_assert(ELEMS * ELEM_BITS == WIDTH, "pick an element size that divides WIDTH");

struct Bench {
  VerilatedContext ctx;
  Vrtlgen_fifo dut{&ctx};
  Simulation<Vrtlgen_fifo> sim{dut, dut.clk, dut.rst};
  AxisDriver src;
  AxisMonitor sink;
  explicit Bench(uint64_t seed)
      : src("s_axis", dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready, ELEMS, ELEM_BITS,
            seed),
        sink("m_axis", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, ELEMS,
             ELEM_BITS, false, seed + 1) {
    if (LAST_ENABLE) {
      src.with_last(dut.s_axis_tlast);
      sink.with_last(dut.m_axis_tlast);
    }
    if (USER_WIDTH > 0) {
      src.with_user(dut.s_axis_tuser, USER_WIDTH);
      sink.with_user(dut.m_axis_tuser, USER_WIDTH);
    }
    sim.add(src).add(sink);
    sim.reset();
  }
  ~Bench() { dut.final(); }
};

std::vector<AxisBeat> random_beats(Rng& rng, int n) {
  std::vector<AxisBeat> v;
  for (int i = 0; i < n; ++i) {
    AxisBeat b;
    for (int e = 0; e < ELEMS; ++e) b.data.push_back(rng.element(ELEM_BITS, false));
    b.last = LAST_ENABLE && rng.chance(0.2);
    b.user = USER_WIDTH > 0 ? static_cast<uint64_t>(rng.element(USER_WIDTH, false)) : 0;
    v.push_back(b);
  }
  return v;
}

void check_same(const std::deque<AxisBeat>& got, const std::vector<AxisBeat>& exp) {
  REQUIRE(got.size() == exp.size());
  const bool fault = std::getenv("RTLGEN_INJECT_FAULT") != nullptr;
  for (std::size_t i = 0; i < exp.size(); ++i) {
    INFO("beat " << i);
    CHECK(got[i].data == exp[i].data);
    CHECK(got[i].last == (exp[i].last != (fault && i == exp.size() / 2)));
    CHECK(got[i].user == exp[i].user);
  }
}

}  // namespace

TEST_CASE("fifo preserves the stream under random stalls", "[fifo]") {
  const uint64_t seed = seed_from_env(0xf1f0 + WIDTH * 3 + DEPTH);
  Rng rng(seed);
  struct Mode {
    double idle, ready;
  };
  int round = 0;
  for (const Mode m : {Mode{0.0, 1.0}, Mode{0.5, 1.0}, Mode{0.0, 0.3}, Mode{0.4, 0.6},
                       Mode{0.9, 0.9}, Mode{0.05, 0.05}}) {
    INFO("idle " << m.idle << ", ready " << m.ready);
    Bench b(seed + static_cast<uint64_t>(++round));
    b.src.idle_probability(m.idle);
    b.sink.ready_probability(m.ready);
    const auto beats = random_beats(rng, 3000);
    for (const auto& x : beats) b.src.push(x);
    const uint64_t cycles = b.sim.run_until(
        [&] { return b.sink.received() == beats.size(); }, 200000, "fifo");
    b.sim.step(10);
    check_same(b.sink.beats(), beats);
    if (m.idle == 0.0 && m.ready == 1.0) CHECK(cycles <= beats.size() + 4);  // full rate
  }
}

TEST_CASE("fifo holds DEPTH + 1 + OUT_REG beats and reset empties it", "[fifo]") {
  Rng rng(seed_from_env(0xcafe));
  Bench b(9);
  b.sink.ready_probability(0.0);
  const auto beats = random_beats(rng, DEPTH + 8);
  for (const auto& x : beats) b.src.push(x);
  b.sim.step(DEPTH * 2 + 20);
  CHECK(b.src.sent() == static_cast<uint64_t>(DEPTH + 1 + OUT_REG));
  CHECK(b.dut.s_axis_tready == 0);
  CHECK(b.dut.m_axis_tvalid == 1);

  b.sim.reset(2);
  b.src.clear();
  b.sink.clear();
  b.sim.step(5);
  CHECK(b.dut.m_axis_tvalid == 0);
  CHECK(b.dut.s_axis_tready == 1);

  b.sink.ready_probability(1.0);
  const auto more = random_beats(rng, 50);
  for (const auto& x : more) b.src.push(x);
  b.sim.run_until([&] { return b.sink.received() == more.size(); }, 1000, "fifo after reset");
  b.sim.step(10);
  check_same(b.sink.beats(), more);
}

TEST_CASE("fifo latency is 2 + OUT_REG cycles", "[fifo]") {
  Rng rng(seed_from_env(0x1a7e));
  Bench b(11);
  b.sink.ready_probability(1.0);
  b.sim.step(3);
  REQUIRE(b.dut.m_axis_tvalid == 0);
  for (const auto& x : random_beats(rng, 1)) b.src.push(x);
  // latency counts clock edges from the one that accepts the beat (inside the step after which
  // sent() becomes 1) to the one after which m_axis_tvalid is high
  uint64_t edges = 0;
  while (b.src.sent() == 0 && edges < 10) {
    b.sim.step(1);
    ++edges;
  }
  REQUIRE(b.src.sent() == 1);
  int after = 0;
  while (!b.dut.m_axis_tvalid && after < 10) {
    b.sim.step(1);
    ++after;
  }
  CHECK(1 + after == 2 + OUT_REG);
}
