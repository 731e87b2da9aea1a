// rtlgen_width_converter: element order and tlast preserved (frames of random length, also
// not a multiple of the wide beat for upsizing), under random idle cycles and backpressure,
// and the narrow side runs at one beat per cycle without stalls.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vrtlgen_width_converter.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int IN_N = RTLGEN_P_IN_N;
constexpr int OUT_N = RTLGEN_P_OUT_N;
constexpr int ELEM_BITS = RTLGEN_P_ELEM_BITS;
constexpr int WIDE = IN_N > OUT_N ? IN_N : OUT_N;
constexpr int NARROW = IN_N > OUT_N ? OUT_N : IN_N;

struct Frame {
  std::vector<int64_t> elems;  // multiple of IN_N
};

// Expected output beats: frames cut into OUT_N-element beats, a short final beat padded with
// zeros, tlast on each frame's final beat.
std::vector<AxisBeat> expected_beats(const std::vector<Frame>& frames) {
  std::vector<AxisBeat> r;
  for (const auto& f : frames)
    for (std::size_t i = 0; i < f.elems.size(); i += OUT_N) {
      AxisBeat b;
      for (std::size_t j = i; j < i + OUT_N; ++j) b.data.push_back(j < f.elems.size() ? f.elems[j] : 0);
      b.last = i + OUT_N >= f.elems.size();
      r.push_back(b);
    }
  return r;
}

std::vector<Frame> random_frames(Rng& rng, int n, bool aligned) {
  std::vector<Frame> frames;
  for (int k = 0; k < n; ++k) {
    // aligned: a multiple of the wide beat; else any multiple of IN_N
    const int units = static_cast<int>(rng.uniform(1, 6));
    const int len = aligned ? units * WIDE : static_cast<int>(rng.uniform(1, 3 * WIDE / IN_N)) * IN_N;
    Frame f;
    for (int i = 0; i < len; ++i) f.elems.push_back(rng.element(ELEM_BITS, false));
    frames.push_back(f);
  }
  return frames;
}

struct Bench {
  VerilatedContext ctx;
  Vrtlgen_width_converter dut{&ctx};
  Simulation<Vrtlgen_width_converter> sim{dut, dut.clk, dut.rst};
  AxisDriver src;
  AxisMonitor sink;
  explicit Bench(uint64_t seed)
      : src("s_axis", dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready, IN_N, ELEM_BITS, seed),
        sink("m_axis", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, OUT_N, ELEM_BITS,
             false, seed + 1) {
    src.with_last(dut.s_axis_tlast);
    sink.with_last(dut.m_axis_tlast);
    sim.add(src).add(sink);
    sim.reset();
  }
  ~Bench() { dut.final(); }
};

void run_and_check(Bench& b, const std::vector<Frame>& frames) {
  for (const auto& f : frames) b.src.push_stream(f.elems, true);
  auto exp = expected_beats(frames);
  if (std::getenv("RTLGEN_INJECT_FAULT")) exp[exp.size() / 2].data[0] ^= 1;
  b.sim.run_until([&] { return b.sink.received() == exp.size(); }, 500000, "width converter");
  b.sim.step(20);
  const auto& got = b.sink.beats();
  REQUIRE(got.size() == exp.size());
  for (std::size_t i = 0; i < exp.size(); ++i) {
    INFO("beat " << i);
    CHECK(got[i].data == exp[i].data);
    CHECK(got[i].last == exp[i].last);
  }
}

}  // namespace

TEST_CASE("width converter preserves elements and tlast under random stalls", "[wc]") {
  const uint64_t seed = seed_from_env(0x3c + IN_N * 13 + OUT_N);
  Rng rng(seed);
  struct Mode {
    double idle, ready;
  };
  int round = 0;
  for (const Mode m : {Mode{0.0, 1.0}, Mode{0.5, 1.0}, Mode{0.0, 0.3}, Mode{0.4, 0.6},
                       Mode{0.8, 0.8}}) {
    INFO("idle " << m.idle << ", ready " << m.ready);
    Bench b(seed + static_cast<uint64_t>(++round));
    b.src.idle_probability(m.idle);
    b.sink.ready_probability(m.ready);
    run_and_check(b, random_frames(rng, 200, true));
  }
  if (IN_N < OUT_N) {
    SECTION("frames that end inside a wide beat are flushed, zero padded") {
      Bench b(seed + 100);
      b.src.idle_probability(0.3);
      b.sink.ready_probability(0.7);
      run_and_check(b, random_frames(rng, 200, false));
    }
  }
}

TEST_CASE("width converter runs the narrow side at one beat per cycle", "[wc][throughput]") {
  Rng rng(seed_from_env(0x77));
  Bench b(5);
  const auto frames = random_frames(rng, 100, true);
  std::size_t elems = 0;
  for (const auto& f : frames) elems += f.elems.size();
  const uint64_t start = b.sim.cycle();
  run_and_check(b, frames);
  const uint64_t narrow_beats = elems / NARROW;
  const uint64_t cycles = b.sink.last_handshake_cycle() - start;
  std::printf("[%s] %llu narrow beats in %llu cycles\n", RTLGEN_TEST_NAME,
              static_cast<unsigned long long>(narrow_beats), static_cast<unsigned long long>(cycles));
  CHECK(cycles <= narrow_beats + 4);
}
