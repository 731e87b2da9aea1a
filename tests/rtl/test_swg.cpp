// Differential test of rtlgen_swg against a C++ im2col reference (explicit padding, as computed
// by the generator from TFLite SAME/VALID), under random input idle cycles and random output
// backpressure, several frames back to back; plus a steady-state throughput measurement and a
// check that the input side takes one beat per cycle while line buffer rows are free.
//
// The input is the NHWC image stream cut into beats of IN_N elements: IN_N divides IFM_C
// (several beats per pixel) or IN_N = PPB * IFM_C (PPB pixels per beat, in w order).
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "Vrtlgen_swg.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

struct SwgConfig {
  int ifm_h = RTLGEN_P_IFM_H, ifm_w = RTLGEN_P_IFM_W, ifm_c = RTLGEN_P_IFM_C;
  int k_h = RTLGEN_P_K_H, k_w = RTLGEN_P_K_W;
  int stride_h = RTLGEN_P_STRIDE_H, stride_w = RTLGEN_P_STRIDE_W;
  int pad_t = RTLGEN_P_PAD_T, pad_b = RTLGEN_P_PAD_B, pad_l = RTLGEN_P_PAD_L,
      pad_r = RTLGEN_P_PAD_R;
  int pad_value = RTLGEN_P_PAD_VALUE;
  int in_n = RTLGEN_P_IN_N, simd = RTLGEN_P_SIMD, order = RTLGEN_P_ORDER;

  int ofm_h() const { return (ifm_h + pad_t + pad_b - k_h) / stride_h + 1; }
  int ofm_w() const { return (ifm_w + pad_l + pad_r - k_w) / stride_w + 1; }
  int ppb() const { return in_n > ifm_c ? in_n / ifm_c : 1; }  // pixels per input beat
  int in_beats() const { return ifm_h * ifm_w * ifm_c / in_n; }  // = IFM_H*IFM_W/PPB if PPB > 1
  int window_beats() const { return k_h * k_w * ifm_c / simd; }
  int out_beats() const { return ofm_h() * ofm_w() * window_beats(); }
};

struct RefBeat {
  std::vector<int64_t> data;
  bool last;
  bool user;
};

// One tap of the window at (oy, ox): value of channel c, and whether it lies in the image.
struct Tap {
  int64_t value;
  bool inside;
};

Tap tap(const SwgConfig& k, const std::vector<int64_t>& img, int oy, int ox, int ky, int kx,
        int c) {
  const int iy = oy * k.stride_h - k.pad_t + ky;
  const int ix = ox * k.stride_w - k.pad_l + kx;
  if (iy < 0 || iy >= k.ifm_h || ix < 0 || ix >= k.ifm_w) return {k.pad_value & 0xff, false};
  return {img[static_cast<std::size_t>((iy * k.ifm_w + ix) * k.ifm_c + c)], true};
}

// The expected output beats of one frame.
std::vector<RefBeat> reference(const SwgConfig& k, const std::vector<int64_t>& img) {
  std::vector<RefBeat> out;
  for (int oy = 0; oy < k.ofm_h(); ++oy) {
    for (int ox = 0; ox < k.ofm_w(); ++ox) {
      std::vector<RefBeat> win;
      if (k.order == 0) {
        // (ky, kx, c) vector split into beats of SIMD elements
        std::vector<Tap> vec;
        for (int ky = 0; ky < k.k_h; ++ky)
          for (int kx = 0; kx < k.k_w; ++kx)
            for (int c = 0; c < k.ifm_c; ++c) vec.push_back(tap(k, img, oy, ox, ky, kx, c));
        for (std::size_t i = 0; i < vec.size(); i += static_cast<std::size_t>(k.simd)) {
          RefBeat b{{}, false, true};
          for (int s = 0; s < k.simd; ++s) {
            b.data.push_back(vec[i + static_cast<std::size_t>(s)].value);
            b.user = b.user && vec[i + static_cast<std::size_t>(s)].inside;
          }
          win.push_back(b);
        }
      } else {
        for (int c0 = 0; c0 < k.ifm_c; c0 += k.simd)
          for (int ky = 0; ky < k.k_h; ++ky)
            for (int kx = 0; kx < k.k_w; ++kx) {
              RefBeat b{{}, false, true};
              for (int s = 0; s < k.simd; ++s) {
                const Tap t = tap(k, img, oy, ox, ky, kx, c0 + s);
                b.data.push_back(t.value);
                b.user = t.inside;
              }
              win.push_back(b);
            }
      }
      win.back().last = true;
      out.insert(out.end(), win.begin(), win.end());
    }
  }
  return out;
}

struct Bench {
  SwgConfig k;
  VerilatedContext ctx;
  Vrtlgen_swg dut{&ctx};
  Simulation<Vrtlgen_swg> sim{dut, dut.clk, dut.rst};
  AxisDriver src;
  AxisMonitor sink;
  std::vector<RefBeat> expected;

  Bench(uint64_t seed, double idle_p, double ready_p)
      : src("in", dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready, k.in_n, 8, seed),
        sink("out", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, k.simd, 8, false,
             seed + 1000) {
    src.idle_probability(idle_p);
    sink.with_last(dut.m_axis_tlast).with_user(dut.m_axis_tuser, 1).ready_probability(ready_p);
    sim.add(src).add(sink);
    sim.reset();
  }

  // Queues `frames` random frames and their expected windows.
  void queue_frames(int frames, Rng& rng) {
    for (int f = 0; f < frames; ++f) {
      std::vector<int64_t> img(static_cast<std::size_t>(k.ifm_h * k.ifm_w * k.ifm_c));
      for (auto& v : img) v = rng.uniform(0, 255);
      src.push_stream(img, false);
      const auto ref = reference(k, img);
      expected.insert(expected.end(), ref.begin(), ref.end());
    }
  }

  void run() {
    const uint64_t budget = 50 * (expected.size() + src.pending()) + 100000;
    sim.run_until([&] { return sink.received() >= expected.size() && src.done(); }, budget,
                  RTLGEN_TEST_NAME);
    sim.step(20);  // nothing extra may appear
  }

  void check() {
    REQUIRE(sink.received() == expected.size());
    const auto& got = sink.beats();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const RefBeat& e = expected[i];
      const AxisBeat& g = got[i];
      INFO("beat " << i << " (window " << i / static_cast<std::size_t>(k.window_beats())
                   << ", beat in window " << i % static_cast<std::size_t>(k.window_beats())
                   << ")");
      REQUIRE(g.data == e.data);
      REQUIRE(g.last == e.last);
      REQUIRE((g.user != 0) == e.user);
    }
  }
};

}  // namespace

TEST_CASE("swg matches im2col under random stalls", "[swg]") {
  const uint64_t seed = seed_from_env(11);
  struct Mode {
    double idle, ready;
  };
  for (const Mode m : {Mode{0.3, 0.6}, Mode{0.0, 0.25}, Mode{0.7, 1.0}, Mode{0.0, 1.0}}) {
    INFO("idle probability " << m.idle << ", ready probability " << m.ready << ", seed " << seed);
    Bench b(seed, m.idle, m.ready);
    Rng rng(seed + 7);
    b.queue_frames(3, rng);
    b.run();
    b.check();
  }
}

TEST_CASE("swg handles a consumer that takes one beat every NF cycles", "[swg]") {
  for (int nf : {2, 3}) {
    Bench b(5, 0.0, 1.0);
    Rng rng(99);
    b.queue_frames(2, rng);
    // periodic tready: high once every nf cycles
    uint64_t c = 0;
    const uint64_t budget = 100 * b.expected.size() + 100000;
    const uint64_t start = b.sim.cycle();
    while (b.sink.received() < b.expected.size()) {
      REQUIRE(b.sim.cycle() - start < budget);
      b.sink.ready_probability((c++ % static_cast<uint64_t>(nf)) == 0 ? 1.0 : 0.0);
      b.sim.step();
    }
    b.check();
  }
}

TEST_CASE("swg steady-state throughput", "[swg][perf]") {
  Bench b(3, 0.0, 1.0);
  Rng rng(1234);
  const int frames = 6;
  b.queue_frames(frames, rng);
  b.run();
  b.check();
  const auto& got = b.sink.beats();
  const std::size_t per_frame = static_cast<std::size_t>(b.k.out_beats());
  // cycles between the first beats of frames 2 and 5 (pipeline filled, no stalls)
  const double cycles =
      static_cast<double>(got[5 * per_frame].cycle - got[2 * per_frame].cycle) / 3.0;
  const double bound = static_cast<double>(std::max(b.k.in_beats(), b.k.out_beats()));
  std::printf("%s: %.1f cycles per frame, in %d beats (IN_N %d, PPB %d), out %d beats, "
              "bound %.0f (ratio %.3f)\n",
              RTLGEN_TEST_NAME, cycles, b.k.in_beats(), b.k.in_n, b.k.ppb(), b.k.out_beats(), bound,
              cycles / bound);
  // max(input beats, output beats) plus at most about one cycle per frame; input beats count
  // PPB pixels each, so in input-bound configurations an input side taking fewer than PPB
  // pixels per cycle fails here (the next test checks the input rate directly)
  CHECK(cycles <= 1.10 * bound);
  CHECK(cycles <= bound + 2.0);
}

TEST_CASE("swg input takes one beat per cycle while row slots are free", "[swg][perf]") {
  // With the consumer stalled the window side stays on the first output row (rows 0 ..), so
  // at least K_H + STRIDE_H + 1 line buffer rows (of any frame) may be written: those beats
  // (IFM_W/PPB per row) must be accepted on consecutive cycles.
  Bench b(21, 0.0, 0.0);
  Rng rng(4321);
  b.queue_frames(2, rng);
  const uint64_t total = b.src.pending();
  const uint64_t rows = static_cast<uint64_t>(b.k.k_h + b.k.stride_h + 1);
  const uint64_t row_beats = static_cast<uint64_t>(b.k.ifm_w * b.k.ifm_c / b.k.in_n);
  const uint64_t free_beats = std::min<uint64_t>(total, rows * row_beats);
  uint64_t guard = 0;
  while (b.src.sent() == 0) {
    REQUIRE(++guard < 100);
    b.sim.step();
  }
  for (uint64_t n = 2; n <= free_beats; ++n) {
    b.sim.step();
    INFO("beat " << n << " of " << free_beats);
    REQUIRE(b.src.sent() == n);
  }
  // then the rest of the two frames, released consumer, bit-exact
  b.sink.ready_probability(0.7);
  b.run();
  b.check();
}
