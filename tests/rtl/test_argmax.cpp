// rtlgen_argmax: the stream passes unchanged (tdata, tlast) and tuser is the running argmax of
// the frame (lowest index wins ties) on every beat, checked against a C++ reference on random
// frames, frames with many ties (values from a two-element set), all-equal frames, extremes,
// and frames shorter than BEATS (framing comes from tlast); random idle cycles and
// backpressure, a reset in the middle of a frame, and one beat per cycle when not stalled.
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "Vrtlgen_argmax.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int N = RTLGEN_P_N;
constexpr int BEATS = RTLGEN_P_BEATS;
constexpr bool SIGNED = RTLGEN_P_SIGNED != 0;
constexpr int IDX_BITS = RTLGEN_P_IDX_BITS;
constexpr int64_t kLo = SIGNED ? -128 : 0, kHi = SIGNED ? 127 : 255;

using Frame = std::vector<int64_t>;  // elements in stream order, a multiple of N

Frame make_frame(Rng& rng, int kind, int beats) {
  Frame f(static_cast<std::size_t>(beats * N));
  const int64_t a = rng.element(8, SIGNED), b = rng.element(8, SIGNED);
  for (auto& v : f) {
    switch (kind) {
      case 0: v = rng.element(8, SIGNED); break;            // random
      case 1: v = rng.chance(0.5) ? a : b; break;           // many ties
      case 2: v = a; break;                                 // all equal
      case 3: v = rng.chance(0.7) ? kLo : kHi; break;       // extremes, ties at the top
      case 4: v = rng.chance(0.9) ? kLo : rng.uniform(kLo, kLo + 2); break;  // near the bottom
      default: v = rng.chance(0.5) ? kHi : rng.uniform(kHi - 1, kHi); break; // near the top
    }
  }
  return f;
}

// Expected beats: tdata/tlast as sent, tuser = running argmax (first index of the maximum).
std::vector<AxisBeat> expected_beats(const Frame& f) {
  std::vector<AxisBeat> r;
  int64_t best = 0;
  std::size_t best_i = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (i == 0 || f[i] > best) {
      best = f[i];
      best_i = i;
    }
    if ((i + 1) % N == 0) {
      AxisBeat b;
      b.data.assign(f.begin() + static_cast<std::ptrdiff_t>(i + 1 - N),
                    f.begin() + static_cast<std::ptrdiff_t>(i + 1));
      b.last = i + 1 == f.size();
      b.user = best_i;
      r.push_back(b);
    }
  }
  return r;
}

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vrtlgen_argmax> dut;
  std::unique_ptr<Simulation<Vrtlgen_argmax>> sim;
  std::unique_ptr<AxisDriver> src;
  std::unique_ptr<AxisMonitor> sink;

  Bench(uint64_t seed, double idle_p, double ready_p) {
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut = std::make_unique<Vrtlgen_argmax>(&ctx);
    sim = std::make_unique<Simulation<Vrtlgen_argmax>>(*dut, dut->clk, dut->rst);
    src = std::make_unique<AxisDriver>("s_axis", dut->s_axis_tdata, dut->s_axis_tvalid,
                                       dut->s_axis_tready, N, 8, seed * 3 + 1);
    sink = std::make_unique<AxisMonitor>("m_axis", dut->m_axis_tdata, dut->m_axis_tvalid,
                                         &dut->m_axis_tready, N, 8, SIGNED, seed * 3 + 2);
    src->with_last(dut->s_axis_tlast).idle_probability(idle_p);
    sink->with_last(dut->m_axis_tlast).with_user(dut->m_axis_tuser, IDX_BITS)
        .ready_probability(ready_p);
    sim->add(*src).add(*sink);
    sim->reset();
  }
  ~Bench() { dut->final(); }

  void run_and_check(const std::vector<Frame>& frames) {
    std::vector<AxisBeat> exp;
    for (const Frame& f : frames) {
      const auto e = expected_beats(f);
      exp.insert(exp.end(), e.begin(), e.end());
    }
    const uint64_t base = sink->received();
    for (const AxisBeat& b : exp) src->push(AxisBeat{b.data, b.last, 0, 0});
    const uint64_t want = base + exp.size();
    sim->run_until([&] { return sink->received() >= want && src->done(); },
                   60 * exp.size() + 10000, RTLGEN_TEST_NAME);
    sim->step(10);
    REQUIRE(sink->received() == want);
    for (std::size_t i = 0; i < exp.size(); ++i) {
      const AxisBeat& g = sink->beats()[base + i];
      INFO("output beat " << i);
      REQUIRE(g.data == exp[i].data);
      REQUIRE(g.last == exp[i].last);
      REQUIRE(g.user == exp[i].user);
    }
  }
};

std::vector<Frame> make_frames(Rng& rng, int n) {
  std::vector<Frame> v;
  for (int i = 0; i < n; ++i) {
    // mostly full frames; every fifth frame shorter (framing from tlast)
    const int beats = (i % 5 == 4) ? static_cast<int>(rng.uniform(1, BEATS)) : BEATS;
    v.push_back(make_frame(rng, i % 6, beats));
  }
  return v;
}

}  // namespace

TEST_CASE("argmax passes the stream and tracks the frame's argmax", "[argmax]") {
  const uint64_t seed = seed_from_env(0xa4 + N * 13 + BEATS);
  Rng rng(seed);
  const int nframes = std::max(30, 3000 / (N * BEATS));
  const auto frames = make_frames(rng, nframes);
  struct Mode {
    double idle, ready;
  };
  for (const Mode m : {Mode{0.0, 1.0}, Mode{0.5, 1.0}, Mode{0.0, 0.4}, Mode{0.3, 0.6},
                       Mode{0.8, 0.9}, Mode{0.1, 0.1}}) {
    INFO("idle probability " << m.idle << ", ready probability " << m.ready << ", seed " << seed);
    Bench b(seed + static_cast<uint64_t>(m.idle * 100 + m.ready * 10), m.idle, m.ready);
    // a frame interrupted by a reset must not leak into the next one
    for (const AxisBeat& beat : expected_beats(make_frame(rng, 5, BEATS)))
      b.src->push(AxisBeat{beat.data, false, 0, 0});
    b.sim->step(static_cast<uint64_t>(rng.uniform(1, BEATS + 3)));
    b.sim->reset(2);
    b.src->clear();
    b.sink->clear();
    b.run_and_check(frames);
  }
}

TEST_CASE("argmax steady-state throughput", "[argmax][perf]") {
  Rng rng(99);
  Bench b(5, 0.0, 1.0);
  std::vector<Frame> frames;
  for (int i = 0; i < 20; ++i) frames.push_back(make_frame(rng, i % 6, BEATS));
  b.run_and_check(frames);
  const auto& got = b.sink->beats();
  const double per_beat = static_cast<double>(got.back().cycle - got.front().cycle) /
                          static_cast<double>(got.size() - 1);
  std::printf("%s: %.3f cycles per beat\n", RTLGEN_TEST_NAME, per_beat);
  CHECK(per_beat == 1.0);
}
