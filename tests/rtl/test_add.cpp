// rtlgen_add against TFLite's ADD arithmetic computed with rtlgen::multiply_by_quantized_multiplier
// (the golden model's add(), gen/src/golden/golden_elementwise.cpp): every (a, b) input pair of the
// element type (exhaustive, shuffled into beats), plus random pairs biased to the edges
// -128/127/0/255 and the zero points, under random idle cycles on both inputs (independently)
// and random backpressure; a reset in the middle of traffic; one beat per cycle when not stalled.
// Multipliers, shifts and zero points are per-configuration parameters (tests/rtl/CMakeLists.txt:
// realistic TFLite ADD values and wilder ones that exercise wrapping and saturation).
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "Vrtlgen_add.h"
#include "rtlgen/fixed_point.hpp"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int N = RTLGEN_P_N;
constexpr bool SIGNED = RTLGEN_P_SIGNED != 0;
constexpr int64_t A_ZP = RTLGEN_P_A_ZP;
constexpr int64_t B_ZP = RTLGEN_P_B_ZP;
constexpr int64_t OUT_ZP = RTLGEN_P_OUT_ZP;
constexpr int LEFT_SHIFT = RTLGEN_P_LEFT_SHIFT;
constexpr int64_t A_MULT = RTLGEN_P_A_MULT;
constexpr int A_SHIFT = RTLGEN_P_A_SHIFT;
constexpr int64_t B_MULT = RTLGEN_P_B_MULT;
constexpr int B_SHIFT = RTLGEN_P_B_SHIFT;
constexpr int64_t OUT_MULT = RTLGEN_P_OUT_MULT;
constexpr int OUT_SHIFT = RTLGEN_P_OUT_SHIFT;
constexpr int64_t ACT_MIN = RTLGEN_P_ACT_MIN;
constexpr int64_t ACT_MAX = RTLGEN_P_ACT_MAX;
constexpr int64_t kLo = SIGNED ? -128 : 0, kHi = SIGNED ? 127 : 255;

rtlgen::QuantizedMultiplier qm(int64_t m, int shift) {
  rtlgen::QuantizedMultiplier q;
  q.multiplier = static_cast<int32_t>(m);
  q.shift = shift;
  return q;
}

// (x - zp) * 2^LEFT_SHIFT as int32 (wrapping for out-of-range configurations only)
int32_t scaled_input(int64_t x, int64_t zp) {
  return static_cast<int32_t>(static_cast<uint32_t>(x - zp) << LEFT_SHIFT);
}

int64_t reference(int64_t a, int64_t b) {
  const int32_t sa = rtlgen::multiply_by_quantized_multiplier(scaled_input(a, A_ZP), qm(A_MULT, A_SHIFT));
  const int32_t sb = rtlgen::multiply_by_quantized_multiplier(scaled_input(b, B_ZP), qm(B_MULT, B_SHIFT));
  const auto sum = static_cast<int32_t>(static_cast<uint32_t>(sa) + static_cast<uint32_t>(sb));
  const int64_t v =
      int64_t{rtlgen::multiply_by_quantized_multiplier(sum, qm(OUT_MULT, OUT_SHIFT))} + OUT_ZP;
  return std::min(std::max(v, ACT_MIN), ACT_MAX);
}

struct Pairs {
  std::vector<int64_t> a, b, out;
  void add(int64_t x, int64_t y) {
    a.push_back(x);
    b.push_back(y);
    out.push_back(reference(x, y));
  }
};

// every pair once, in random order, padded with random pairs to a multiple of N
Pairs exhaustive_pairs(Rng& rng) {
  std::vector<std::pair<int64_t, int64_t>> v;
  for (int64_t x = kLo; x <= kHi; ++x)
    for (int64_t y = kLo; y <= kHi; ++y) v.emplace_back(x, y);
  for (std::size_t i = v.size() - 1; i > 0; --i)
    std::swap(v[i], v[static_cast<std::size_t>(rng.uniform(0, static_cast<int64_t>(i)))]);
  while (v.size() % N) v.emplace_back(rng.element(8, SIGNED), rng.element(8, SIGNED));
  Pairs p;
  for (const auto& e : v) p.add(e.first, e.second);
  return p;
}

int64_t edge_value(Rng& rng, int64_t zp) {
  switch (rng.uniform(0, 7)) {
    case 0: return kLo;
    case 1: return kHi;
    case 2: return 0;
    case 3: return SIGNED ? -1 : 255;
    case 4: return zp;
    case 5: return std::min(kHi, std::max(kLo, zp + rng.uniform(-2, 2)));
    default: return rng.element(8, SIGNED);
  }
}

Pairs random_pairs(Rng& rng, int beats) {
  Pairs p;
  for (int i = 0; i < beats * N; ++i) p.add(edge_value(rng, A_ZP), edge_value(rng, B_ZP));
  return p;
}

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vrtlgen_add> dut;
  std::unique_ptr<Simulation<Vrtlgen_add>> sim;
  std::unique_ptr<AxisDriver> src_a, src_b;
  std::unique_ptr<AxisMonitor> sink;

  Bench(uint64_t seed, double idle_a, double idle_b, double ready_p) {
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut = std::make_unique<Vrtlgen_add>(&ctx);
    sim = std::make_unique<Simulation<Vrtlgen_add>>(*dut, dut->clk, dut->rst);
    src_a = std::make_unique<AxisDriver>("s_a_axis", dut->s_a_axis_tdata, dut->s_a_axis_tvalid,
                                         dut->s_a_axis_tready, N, 8, seed * 5 + 1);
    src_b = std::make_unique<AxisDriver>("s_b_axis", dut->s_b_axis_tdata, dut->s_b_axis_tvalid,
                                         dut->s_b_axis_tready, N, 8, seed * 5 + 2);
    sink = std::make_unique<AxisMonitor>("m_axis", dut->m_axis_tdata, dut->m_axis_tvalid,
                                         &dut->m_axis_tready, N, 8, SIGNED, seed * 5 + 3);
    src_a->idle_probability(idle_a);
    src_b->idle_probability(idle_b);
    sink->ready_probability(ready_p);
    sim->add(*src_a).add(*src_b).add(*sink);
    sim->reset();
  }
  ~Bench() { dut->final(); }

  void run_and_check(const Pairs& p) {
    const uint64_t base = sink->received();
    src_a->push_stream(p.a, false);
    src_b->push_stream(p.b, false);
    const uint64_t want = base + p.out.size() / N;
    sim->run_until([&] { return sink->received() >= want && src_a->done() && src_b->done(); },
                   60 * (want - base) + 10000, RTLGEN_TEST_NAME);
    sim->step(20);
    REQUIRE(sink->received() == want);
    std::vector<int64_t> got;
    for (uint64_t i = base; i < want; ++i) {
      const auto& d = sink->beats()[i].data;
      got.insert(got.end(), d.begin(), d.end());
    }
    const std::string diff = compare_elements(got, p.out, N);
    INFO(diff);
    REQUIRE(diff.empty());
  }
};

}  // namespace

TEST_CASE("add matches TFLite's arithmetic for every input pair", "[add]") {
  const uint64_t seed = seed_from_env(0xadd + N);
  Rng rng(seed);
  const Pairs all = exhaustive_pairs(rng);
  // the reference itself: some outputs inside the clamp range, i.e. not a constant
  int64_t lo = kHi, hi = kLo;
  for (int64_t v : all.out) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  std::printf("%s: outputs over all pairs span %lld .. %lld\n", RTLGEN_TEST_NAME,
              static_cast<long long>(lo), static_cast<long long>(hi));
  struct Mode {
    double idle_a, idle_b, ready;
  };
  for (const Mode m : {Mode{0.0, 0.0, 1.0}, Mode{0.3, 0.0, 0.7}, Mode{0.0, 0.5, 0.5}}) {
    INFO("idle a " << m.idle_a << ", idle b " << m.idle_b << ", ready " << m.ready
                   << ", seed " << seed);
    Bench b(seed + static_cast<uint64_t>(m.idle_a * 100 + m.idle_b * 10 + m.ready), m.idle_a,
            m.idle_b, m.ready);
    b.run_and_check(all);
  }
}

TEST_CASE("add: edge values under random stalls, reset mid-traffic", "[add]") {
  const uint64_t seed = seed_from_env(0xedd + N);
  Rng rng(seed);
  struct Mode {
    double idle_a, idle_b, ready;
  };
  for (const Mode m : {Mode{0.5, 0.5, 1.0}, Mode{0.8, 0.1, 0.9}, Mode{0.1, 0.8, 0.3},
                       Mode{0.2, 0.2, 0.1}}) {
    INFO("idle a " << m.idle_a << ", idle b " << m.idle_b << ", ready " << m.ready
                   << ", seed " << seed);
    Bench b(seed + static_cast<uint64_t>(m.idle_a * 100 + m.idle_b * 10 + m.ready), m.idle_a,
            m.idle_b, m.ready);
    // traffic interrupted by a reset: everything in flight vanishes; afterwards A and B must
    // again be paired beat by beat
    const Pairs junk = random_pairs(rng, 30);
    b.src_a->push_stream(junk.a, false);
    b.src_b->push_stream(junk.b, false);
    b.sim->step(static_cast<uint64_t>(rng.uniform(1, 40)));
    b.sim->reset(2);
    b.src_a->clear();
    b.src_b->clear();
    b.sink->clear();
    b.run_and_check(random_pairs(rng, 2000));
  }
}

TEST_CASE("add steady-state throughput", "[add][perf]") {
  Rng rng(3);
  Bench b(17, 0.0, 0.0, 1.0);
  const Pairs p = random_pairs(rng, 500);
  b.run_and_check(p);
  const auto& got = b.sink->beats();
  const double per_beat = static_cast<double>(got.back().cycle - got.front().cycle) /
                          static_cast<double>(got.size() - 1);
  std::printf("%s: %.3f cycles per beat, latency %llu cycles\n", RTLGEN_TEST_NAME, per_beat,
              static_cast<unsigned long long>(got.back().cycle - b.src_a->last_handshake_cycle()));
  CHECK(per_beat == 1.0);
}
