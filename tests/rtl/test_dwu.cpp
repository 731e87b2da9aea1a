// rtlgen_dwu against a C++ depthwise reference: random weights (extremes in the first channels)
// written to WEIGHT_FILE with rtlgen::pack_depthwise_weights, rtlgen_swg ORDER 1 style input
// (TAPS beats per chunk of PE channels, padding taps carrying IN_ZP with tuser = 0, tlast on the
// last beat of a window), random and extreme values, random idle cycles and backpressure, a
// reset in the middle of traffic, and steady-state throughput (one input beat per cycle, no
// bubbles between chunks, windows or frames).
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "Vrtlgen_dwu.h"
#include "rtlgen/weight_packing.hpp"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int C = RTLGEN_P_CHANNELS;
constexpr int PE = RTLGEN_P_PE;
constexpr int TAPS = RTLGEN_P_TAPS;
constexpr bool IN_SIGNED = RTLGEN_P_IN_SIGNED != 0;
constexpr int IN_ZP = RTLGEN_P_IN_ZP;
constexpr bool W_SIGNED = RTLGEN_P_W_SIGNED != 0;
constexpr int W_ZP = RTLGEN_P_W_ZP;
constexpr int ACC_BITS = RTLGEN_P_ACC_BITS;
constexpr int CHUNKS = C / PE;
const char* const WEIGHT_FILE = RTLGEN_P_WEIGHT_FILE;

constexpr int64_t kInLo = IN_SIGNED ? -128 : 0, kInHi = IN_SIGNED ? 127 : 255;
constexpr int64_t kWLo = W_SIGNED ? -128 : 0, kWHi = W_SIGNED ? 127 : 255;

using Weights = std::vector<int32_t>;  // w[c][t], row-major [C][TAPS]

Weights random_weights(Rng& rng) {
  Weights w(static_cast<std::size_t>(C * TAPS));
  for (auto& v : w) v = static_cast<int32_t>(rng.element(8, W_SIGNED));
  // channel 0: the weight farthest from W_ZP on one side, channel 1 on the other side
  const int64_t far = (W_ZP - kWLo) > (kWHi - W_ZP) ? kWLo : kWHi;
  const int64_t near = far == kWLo ? kWHi : kWLo;
  for (int t = 0; t < TAPS; ++t) {
    w[static_cast<std::size_t>(t)] = static_cast<int32_t>(far);
    if (C > 1) w[static_cast<std::size_t>(TAPS + t)] = static_cast<int32_t>(near);
  }
  return w;
}

void write_weights(const Weights& w) {
  const std::vector<std::string> lines = rtlgen::pack_depthwise_weights(w, C, TAPS, PE);
  REQUIRE(lines.size() == static_cast<std::size_t>(CHUNKS * TAPS));
  // the layout round-trips
  REQUIRE(rtlgen::unpack_depthwise_weights(lines, C, TAPS, PE, W_SIGNED) == w);
  std::ofstream f(WEIGHT_FILE);
  for (const auto& l : lines) f << l << "\n";
  REQUIRE(static_cast<bool>(f));
}

// One window: x[t][c] plus which taps are padding.
struct Window {
  std::vector<std::vector<int64_t>> x;  // [TAPS][C]
  std::vector<bool> inside;             // [TAPS]
};

Window random_window(Rng& rng, int kind) {
  Window win;
  win.x.assign(TAPS, std::vector<int64_t>(C));
  win.inside.assign(TAPS, true);
  for (int t = 0; t < TAPS; ++t) {
    // kind 0: random; 1: all at the extreme farthest from IN_ZP; 2: random with padding taps
    const bool pad = kind == 2 && rng.chance(0.4);
    win.inside[static_cast<std::size_t>(t)] = !pad;
    for (int c = 0; c < C; ++c) {
      int64_t v;
      if (pad) {
        v = IN_ZP;
      } else if (kind == 1) {
        v = (IN_ZP - kInLo) > (kInHi - IN_ZP) ? kInLo : kInHi;
      } else {
        const int64_t r = rng.uniform(0, 9);
        v = r == 0 ? kInLo : r == 1 ? kInHi : rng.element(8, IN_SIGNED);
      }
      win.x[static_cast<std::size_t>(t)][static_cast<std::size_t>(c)] = v;
    }
  }
  return win;
}

// Reference accumulators of a window, wrapped to ACC_BITS signed, in channel order.
std::vector<int64_t> reference(const Weights& w, const Window& win) {
  std::vector<int64_t> y(C);
  for (int c = 0; c < C; ++c) {
    int64_t acc = 0;
    for (int t = 0; t < TAPS; ++t)
      acc += (win.x[static_cast<std::size_t>(t)][static_cast<std::size_t>(c)] - IN_ZP) *
             (int64_t{w[static_cast<std::size_t>(c * TAPS + t)]} - W_ZP);
    y[static_cast<std::size_t>(c)] = sign_extend(static_cast<uint64_t>(acc), ACC_BITS);
  }
  return y;
}

// The ORDER 1 beats of a window: chunk j, tap t, lane p = channel j*PE + p.
std::vector<AxisBeat> window_beats(const Window& win) {
  std::vector<AxisBeat> beats;
  for (int j = 0; j < CHUNKS; ++j)
    for (int t = 0; t < TAPS; ++t) {
      AxisBeat b;
      for (int p = 0; p < PE; ++p)
        b.data.push_back(win.x[static_cast<std::size_t>(t)][static_cast<std::size_t>(j * PE + p)]);
      b.user = win.inside[static_cast<std::size_t>(t)] ? 1 : 0;
      b.last = j == CHUNKS - 1 && t == TAPS - 1;
      beats.push_back(b);
    }
  return beats;
}

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vrtlgen_dwu> dut;
  std::unique_ptr<Simulation<Vrtlgen_dwu>> sim;
  std::unique_ptr<AxisDriver> src;
  std::unique_ptr<AxisMonitor> sink;

  Bench(uint64_t seed, double idle_p, double ready_p) {
    ctx.randReset(2);  // random initial values for everything not reset
    ctx.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut = std::make_unique<Vrtlgen_dwu>(&ctx);
    sim = std::make_unique<Simulation<Vrtlgen_dwu>>(*dut, dut->clk, dut->rst);
    src = std::make_unique<AxisDriver>("s_axis", dut->s_axis_tdata, dut->s_axis_tvalid,
                                       dut->s_axis_tready, PE, 8, seed * 3 + 1);
    sink = std::make_unique<AxisMonitor>("m_axis", dut->m_axis_tdata, dut->m_axis_tvalid,
                                         &dut->m_axis_tready, PE, ACC_BITS, true, seed * 3 + 2);
    src->with_last(dut->s_axis_tlast).with_user(dut->s_axis_tuser, 1).idle_probability(idle_p);
    sink->with_last(dut->m_axis_tlast).ready_probability(ready_p);
    sim->add(*src).add(*sink);
    sim->reset();
  }
  ~Bench() { dut->final(); }

  // Sends the windows, checks every output beat (data and tlast).
  void run_and_check(const Weights& w, const std::vector<Window>& wins) {
    const uint64_t base = sink->received();
    std::vector<std::vector<int64_t>> exp;
    std::vector<bool> exp_last;
    std::size_t in_beats = 0;
    for (const Window& win : wins) {
      for (const AxisBeat& b : window_beats(win)) {
        src->push(b);
        ++in_beats;
      }
      const auto y = reference(w, win);
      for (int j = 0; j < CHUNKS; ++j) {
        exp.emplace_back(y.begin() + j * PE, y.begin() + (j + 1) * PE);
        exp_last.push_back(j == CHUNKS - 1);
      }
    }
    const uint64_t want = base + exp.size();
    sim->run_until([&] { return sink->received() >= want && src->done(); },
                   60 * in_beats + 10000, RTLGEN_TEST_NAME);
    sim->step(20);
    REQUIRE(sink->received() == want);
    for (std::size_t i = 0; i < exp.size(); ++i) {
      const AxisBeat& g = sink->beats()[base + i];
      INFO("output beat " << i << " (window " << i / CHUNKS << ", chunk " << i % CHUNKS << ")");
      REQUIRE(g.data == exp[i]);
      REQUIRE(g.last == exp_last[i]);
    }
  }
};

std::vector<Window> make_windows(Rng& rng, int n) {
  std::vector<Window> v;
  v.push_back(random_window(rng, 1));
  for (int i = 1; i < n; ++i) v.push_back(random_window(rng, i % 3 == 0 ? 2 : 0));
  return v;
}

}  // namespace

TEST_CASE("dwu matches the depthwise reference under random stalls", "[dwu]") {
  const uint64_t seed = seed_from_env(0xd00 + C * 7 + TAPS);
  Rng rng(seed);
  const Weights w = random_weights(rng);
  write_weights(w);
  const int nwin = std::max(6, 1200 / (CHUNKS * TAPS));
  const auto wins = make_windows(rng, nwin);

  struct Mode {
    double idle, ready;
  };
  for (const Mode m : {Mode{0.0, 1.0}, Mode{0.5, 1.0}, Mode{0.0, 0.4}, Mode{0.3, 0.6},
                       Mode{0.8, 0.9}, Mode{0.1, 0.1}}) {
    INFO("idle probability " << m.idle << ", ready probability " << m.ready << ", seed " << seed);
    Bench b(seed + static_cast<uint64_t>(m.idle * 100 + m.ready * 10), m.idle, m.ready);

    // traffic interrupted by a reset: the partial window and pending results must vanish
    for (const AxisBeat& beat : window_beats(wins[1])) b.src->push(beat);
    b.sim->step(static_cast<uint64_t>(rng.uniform(1, 2 * CHUNKS * TAPS + 6)));
    b.sim->reset(2);
    b.src->clear();
    b.sink->clear();

    b.run_and_check(w, wins);
  }
}

TEST_CASE("dwu steady-state throughput", "[dwu][perf]") {
  Rng rng(0xabc + C);
  const Weights w = random_weights(rng);
  write_weights(w);
  Bench b(11, 0.0, 1.0);
  // a "frame" of 4 windows, sent 6 times back to back
  const auto frame = make_windows(rng, 4);
  std::vector<Window> all;
  const int frames = 6;
  for (int f = 0; f < frames; ++f) all.insert(all.end(), frame.begin(), frame.end());
  b.run_and_check(w, all);
  const std::size_t per = frame.size() * CHUNKS;
  const auto& got = b.sink->beats();
  const double cycles = static_cast<double>(got[5 * per].cycle - got[1 * per].cycle) / 4.0;
  const double in_beats = static_cast<double>(frame.size() * CHUNKS * TAPS);
  std::printf("%s: %.2f cycles per frame, %.0f input beats, %zu output beats (ratio %.3f)\n",
              RTLGEN_TEST_NAME, cycles, in_beats, per, cycles / in_beats);
  CHECK(cycles <= in_beats);
  // and every output beat follows the previous one exactly TAPS cycles later
  for (std::size_t i = per + 1; i < got.size(); ++i)
    CHECK(got[i].cycle - got[i - 1].cycle == static_cast<uint64_t>(TAPS));
}
