// Differential test of rtlgen_pool against TFLite's AVERAGE_POOL_2D / MAX_POOL_2D reference
// rules (window clipped to the image, padding taps not counted), fed with rtlgen_swg ORDER 1
// beats built in C++ from random images (SAME and VALID padding, strides 1 and 2), random
// tuser patterns, and (average) an exhaustive sweep of every sum for every tap count n, which
// proves the reciprocal division exact over the whole range. Random input idle cycles and
// output backpressure; steady-state throughput check.
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "Vrtlgen_pool.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int kMode = RTLGEN_P_MODE;
constexpr int kChannels = RTLGEN_P_CHANNELS;
constexpr int kSimd = RTLGEN_P_SIMD;
constexpr int kKH = RTLGEN_P_K_H;
constexpr int kKW = RTLGEN_P_K_W;
constexpr bool kSigned = RTLGEN_P_IN_SIGNED != 0;
constexpr int kActMin = RTLGEN_P_ACT_MIN;
constexpr int kActMax = RTLGEN_P_ACT_MAX;
constexpr int kTaps = kKH * kKW;
constexpr int kLo = kSigned ? -128 : 0;
constexpr int kHi = kSigned ? 127 : 255;

// TFLite reference for one channel of one window: `vals` are the in-image taps.
int64_t ref_pool(const std::vector<int64_t>& vals) {
  int64_t r;
  if (kMode == 0) {
    const int64_t n = static_cast<int64_t>(vals.size());
    int64_t sum = 0;
    for (int64_t v : vals) sum += v;
    if (n == 0) {
      r = 0;
    } else if (kSigned) {
      r = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;  // C++ truncates toward zero
    } else {
      r = (sum + n / 2) / n;
    }
  } else {
    r = vals.empty() ? kActMin : *std::max_element(vals.begin(), vals.end());
  }
  return std::min<int64_t>(std::max<int64_t>(r, kActMin), kActMax);
}

// One window chunk as it arrives: K_H*K_W taps of SIMD lanes, each tap in or out of the image.
struct Chunk {
  std::vector<std::vector<int64_t>> taps;  // [tap][lane]
  std::vector<bool> inside;                // [tap]
  bool last = false;                       // last chunk of its window (tlast)
};

struct Stimulus {
  std::vector<AxisBeat> in;
  std::vector<std::vector<int64_t>> out;  // expected beats
  std::vector<bool> out_last;

  void add(const Chunk& c) {
    std::vector<int64_t> exp;
    for (int l = 0; l < kSimd; ++l) {
      std::vector<int64_t> vals;
      for (int t = 0; t < kTaps; ++t)
        if (c.inside[static_cast<std::size_t>(t)])
          vals.push_back(c.taps[static_cast<std::size_t>(t)][static_cast<std::size_t>(l)]);
      exp.push_back(ref_pool(vals));
    }
    for (int t = 0; t < kTaps; ++t) {
      AxisBeat b;
      b.data = c.taps[static_cast<std::size_t>(t)];
      b.user = c.inside[static_cast<std::size_t>(t)] ? 1 : 0;
      b.last = c.last && t == kTaps - 1;
      in.push_back(b);
    }
    out.push_back(exp);
    out_last.push_back(c.last);
  }
  void append(const Stimulus& s) {
    in.insert(in.end(), s.in.begin(), s.in.end());
    out.insert(out.end(), s.out.begin(), s.out.end());
    out_last.insert(out_last.end(), s.out_last.begin(), s.out_last.end());
  }
};

// TFLite padding: SAME pads (out - 1)*s + f - in in total, the odd one after.
struct Geometry {
  int h, w, stride;
  bool same;
};

// The ORDER 1 stream rtlgen_swg produces for a random image (padding taps carry garbage: the
// pool must ignore them).
Stimulus image_stimulus(const Geometry& g, Rng& rng) {
  const int oh = g.same ? (g.h + g.stride - 1) / g.stride : (g.h - kKH) / g.stride + 1;
  const int ow = g.same ? (g.w + g.stride - 1) / g.stride : (g.w - kKW) / g.stride + 1;
  const int pt = g.same ? std::max(0, (oh - 1) * g.stride + kKH - g.h) / 2 : 0;
  const int pl = g.same ? std::max(0, (ow - 1) * g.stride + kKW - g.w) / 2 : 0;
  std::vector<int64_t> img(static_cast<std::size_t>(g.h * g.w * kChannels));
  for (auto& v : img) v = rng.element(8, kSigned);
  Stimulus s;
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox)
      for (int c0 = 0; c0 < kChannels; c0 += kSimd) {
        Chunk c;
        for (int ky = 0; ky < kKH; ++ky)
          for (int kx = 0; kx < kKW; ++kx) {
            const int iy = oy * g.stride - pt + ky, ix = ox * g.stride - pl + kx;
            const bool in = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
            std::vector<int64_t> lanes;
            for (int l = 0; l < kSimd; ++l)
              lanes.push_back(in ? img[static_cast<std::size_t>((iy * g.w + ix) * kChannels + c0 + l)]
                                 : rng.element(8, kSigned));
            c.taps.push_back(lanes);
            c.inside.push_back(in);
          }
        c.last = c0 + kSimd == kChannels;
        s.add(c);
      }
  return s;
}

// Random windows with random in-image patterns (at least one tap inside).
Stimulus random_stimulus(int chunks, Rng& rng) {
  Stimulus s;
  for (int i = 0; i < chunks; ++i) {
    Chunk c;
    bool any = false;
    for (int t = 0; t < kTaps; ++t) {
      std::vector<int64_t> lanes;
      for (int l = 0; l < kSimd; ++l) {
        // bias towards the extremes to exercise clamping and rounding ties
        const int64_t r = rng.uniform(0, 9);
        lanes.push_back(r == 0 ? kLo : r == 1 ? kHi : rng.element(8, kSigned));
      }
      c.taps.push_back(lanes);
      const bool in = rng.chance(0.7);
      any = any || in;
      c.inside.push_back(in);
    }
    if (!any) c.inside[static_cast<std::size_t>(rng.uniform(0, kTaps - 1))] = true;
    c.last = (i % (kChannels / kSimd)) == kChannels / kSimd - 1;
    s.add(c);
  }
  return s;
}

// Every (n, sum) with n = 1..K_H*K_W in-image taps and sum over its whole range: SIMD sums
// per chunk, the taps of each lane chosen to add up to its sum.
Stimulus sweep_stimulus(Rng& rng) {
  Stimulus s;
  int chunk_index = 0;
  for (int n = 1; n <= kTaps; ++n) {
    std::vector<int64_t> sums;
    for (int64_t sum = int64_t{n} * kLo; sum <= int64_t{n} * kHi; ++sum) sums.push_back(sum);
    for (std::size_t i = 0; i < sums.size(); i += kSimd) {
      Chunk c;
      // which taps are inside: a random subset of size n
      std::vector<int> order(kTaps);
      for (int t = 0; t < kTaps; ++t) order[static_cast<std::size_t>(t)] = t;
      for (int t = kTaps - 1; t > 0; --t)
        std::swap(order[static_cast<std::size_t>(t)],
                  order[static_cast<std::size_t>(rng.uniform(0, t))]);
      c.inside.assign(kTaps, false);
      for (int k = 0; k < n; ++k) c.inside[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] = true;
      c.taps.assign(kTaps, std::vector<int64_t>(kSimd, 0));
      for (int l = 0; l < kSimd; ++l) {
        const int64_t target = sums[std::min(i + static_cast<std::size_t>(l), sums.size() - 1)];
        int64_t extra = target - int64_t{n} * kLo;  // spread over the n inside taps
        for (int t = 0; t < kTaps; ++t) {
          int64_t v;
          if (c.inside[static_cast<std::size_t>(t)]) {
            const int64_t add = std::min<int64_t>(extra, kHi - kLo);
            v = kLo + add;
            extra -= add;
          } else {
            v = rng.element(8, kSigned);
          }
          c.taps[static_cast<std::size_t>(t)][static_cast<std::size_t>(l)] = v;
        }
      }
      c.last = (chunk_index++ % (kChannels / kSimd)) == kChannels / kSimd - 1;
      s.add(c);
    }
  }
  return s;
}

struct Bench {
  VerilatedContext ctx;
  Vrtlgen_pool dut{&ctx};
  Simulation<Vrtlgen_pool> sim{dut, dut.clk, dut.rst};
  AxisDriver src;
  AxisMonitor sink;

  Bench(uint64_t seed, double idle_p, double ready_p)
      : src("in", dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready, kSimd, 8, seed),
        sink("out", dut.m_axis_tdata, dut.m_axis_tvalid, &dut.m_axis_tready, kSimd, 8, kSigned,
             seed + 1000) {
    src.with_last(dut.s_axis_tlast).with_user(dut.s_axis_tuser, 1).idle_probability(idle_p);
    sink.with_last(dut.m_axis_tlast).ready_probability(ready_p);
    sim.add(src).add(sink);
    sim.reset();
  }

  void run_and_check(const Stimulus& s) {
    const uint64_t base = sink.received();
    for (const auto& b : s.in) src.push(b);
    const uint64_t want = base + s.out.size();
    sim.run_until([&] { return sink.received() >= want && src.done(); },
                  40 * s.in.size() + 10000, RTLGEN_TEST_NAME);
    sim.step(10);
    REQUIRE(sink.received() == want);
    for (std::size_t i = 0; i < s.out.size(); ++i) {
      const AxisBeat& g = sink.beats()[base + i];
      INFO("output beat " << i);
      REQUIRE(g.data == s.out[i]);
      REQUIRE(g.last == s.out_last[i]);
    }
  }
};

const std::vector<Geometry> kGeometries = {
    {2 * kKH + 1, 2 * kKW + 2, 1, true},  // SAME, stride 1: clipped windows on every side
    {2 * kKH + 2, 2 * kKW + 1, 2, true},  // SAME, stride 2: asymmetric padding
    {2 * kKH + 1, 2 * kKW + 1, 2, false}, // VALID
    {kKH, kKW, 1, true},                  // window as large as the image
};

}  // namespace

TEST_CASE("pool matches the TFLite reference on images, random stalls", "[pool]") {
  const uint64_t seed = seed_from_env(21);
  struct Mode {
    double idle, ready;
  };
  for (const Mode m : {Mode{0.3, 0.6}, Mode{0.0, 0.3}, Mode{0.6, 1.0}}) {
    INFO("idle " << m.idle << ", ready " << m.ready << ", seed " << seed);
    Bench b(seed, m.idle, m.ready);
    Rng rng(seed + 3);
    Stimulus all;
    for (const Geometry& g : kGeometries) all.append(image_stimulus(g, rng));
    all.append(random_stimulus(200, rng));
    b.run_and_check(all);
  }
}

TEST_CASE("pool average: every sum for every tap count (exact division)", "[pool]") {
  if (kMode != 0) return;
  Bench b(seed_from_env(5), 0.1, 0.8);
  Rng rng(77);
  b.run_and_check(sweep_stimulus(rng));
}

TEST_CASE("pool steady-state throughput", "[pool][perf]") {
  Bench b(9, 0.0, 1.0);
  Rng rng(4);
  const Geometry g = kGeometries[0];
  const Stimulus frame = image_stimulus(g, rng);
  Stimulus all;
  const int frames = 5;
  for (int f = 0; f < frames; ++f) all.append(frame);
  b.run_and_check(all);
  const std::size_t per = frame.out.size();
  const auto& got = b.sink.beats();
  const double cycles = static_cast<double>(got[4 * per].cycle - got[1 * per].cycle) / 3.0;
  const double in_beats = static_cast<double>(frame.in.size());
  const double bound = std::max(in_beats, static_cast<double>(per));
  std::printf("%s: %.1f cycles per frame, in %zu beats, out %zu beats, bound %.0f (ratio %.3f)\n",
              RTLGEN_TEST_NAME, cycles, frame.in.size(), per, bound, cycles / bound);
  CHECK(cycles <= 1.10 * bound);
}
