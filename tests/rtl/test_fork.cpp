// rtlgen_fork: every output sees exactly the input sequence (no duplicates, no drops) under
// random input idle cycles and random, independent backpressure per output (including one
// output stalled for long stretches), AXI-Stream stability on every output, a reset in the
// middle of traffic, and one beat per cycle when every output is ready.
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "Vrtlgen_fork.h"
#include "rtlgen_sim/rtlgen_sim.hpp"

using namespace rtlgen_sim;

namespace {

constexpr int WIDTH = RTLGEN_P_WIDTH;
constexpr int N_OUT = RTLGEN_P_N_OUT;
// tdata as elements of at most 32 bits
constexpr int ELEM_BITS = WIDTH > 32 ? (WIDTH % 8 == 0 ? 8 : 1) : WIDTH;
constexpr int ELEMS = WIDTH / ELEM_BITS;
static_assert(ELEMS * ELEM_BITS == WIDTH, "pick an element size that divides WIDTH");

// Sink for output i of the packed m_axis_* vectors: drives tready bit i (high with a
// probability that may change over time), collects beats, checks AXI-Stream stability.
class ForkSink : public Agent {
 public:
  ForkSink(int index, PortRef tdata, PortRef tvalid, PortRef tready, uint64_t seed)
      : Agent("m_axis[" + std::to_string(index) + "]"), i_(index), tdata_(tdata),
        tvalid_(tvalid), tready_(tready), rng_(seed) {}

  void ready_probability(double p) { ready_p_ = p; }
  const std::vector<std::vector<int64_t>>& beats() const { return beats_; }
  const std::vector<uint64_t>& cycles() const { return cycles_; }
  void clear() {
    beats_.clear();
    cycles_.clear();
    stalled_ = false;
  }

  void drive(uint64_t, bool in_reset) override {
    tready_.set(i_, 1, (!in_reset && rng_.chance(ready_p_)) ? 1 : 0);
  }
  void sample(uint64_t cycle, bool in_reset) override {
    if (in_reset) {
      stalled_ = false;
      return;
    }
    const bool valid = tvalid_.get(i_, 1) != 0;
    const bool ready = tready_.get(i_, 1) != 0;
    std::vector<int64_t> data;
    for (int e = 0; e < ELEMS; ++e)
      data.push_back(static_cast<int64_t>(tdata_.get(i_ * WIDTH + e * ELEM_BITS, ELEM_BITS)));
    if (stalled_) {
      if (!valid)
        throw ProtocolError(name() + ": tvalid dropped while stalled at cycle " +
                            std::to_string(cycle));
      if (data != stalled_data_)
        throw ProtocolError(name() + ": tdata changed while stalled at cycle " +
                            std::to_string(cycle));
    }
    if (valid && ready) {
      beats_.push_back(data);
      cycles_.push_back(cycle);
      stalled_ = false;
    } else if (valid) {
      stalled_ = true;
      stalled_data_ = data;
    } else {
      stalled_ = false;
    }
  }
  uint64_t transfers() const override { return beats_.size(); }
  std::string status() const override {
    std::ostringstream s;
    s << name() << ": received " << beats_.size() << (stalled_ ? " (stalled)" : "");
    return s.str();
  }

 private:
  int i_;
  PortRef tdata_, tvalid_, tready_;
  Rng rng_;
  double ready_p_ = 1.0;
  std::vector<std::vector<int64_t>> beats_;
  std::vector<uint64_t> cycles_;
  bool stalled_ = false;
  std::vector<int64_t> stalled_data_;
};

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vrtlgen_fork> dut;
  std::unique_ptr<Simulation<Vrtlgen_fork>> sim;
  std::unique_ptr<AxisDriver> src;
  std::vector<std::unique_ptr<ForkSink>> sinks;

  explicit Bench(uint64_t seed) {
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut = std::make_unique<Vrtlgen_fork>(&ctx);
    sim = std::make_unique<Simulation<Vrtlgen_fork>>(*dut, dut->clk, dut->rst);
    src = std::make_unique<AxisDriver>("s_axis", dut->s_axis_tdata, dut->s_axis_tvalid,
                                       dut->s_axis_tready, ELEMS, ELEM_BITS, seed * 7 + 1);
    sim->add(*src);
    for (int i = 0; i < N_OUT; ++i) {
      sinks.push_back(std::make_unique<ForkSink>(i, dut->m_axis_tdata, dut->m_axis_tvalid,
                                                 dut->m_axis_tready, seed * 7 + 2 + i));
      sim->add(*sinks.back());
    }
    sim->reset();
  }
  ~Bench() { dut->final(); }

  bool all_received(std::size_t n) const {
    for (const auto& s : sinks)
      if (s->beats().size() < n) return false;
    return true;
  }
};

std::vector<AxisBeat> random_beats(Rng& rng, int n) {
  std::vector<AxisBeat> v;
  for (int i = 0; i < n; ++i) {
    AxisBeat b;
    for (int e = 0; e < ELEMS; ++e) b.data.push_back(rng.element(ELEM_BITS, false));
    v.push_back(b);
  }
  return v;
}

}  // namespace

TEST_CASE("fork delivers every beat exactly once to every output", "[fork]") {
  const uint64_t seed = seed_from_env(0xf0 + WIDTH * 5 + N_OUT);
  Rng rng(seed);
  struct Mode {
    double idle;
    std::vector<double> ready;  // per output; cycled if shorter than N_OUT
    bool bursts;                // ready probabilities re-drawn every 50 cycles
  };
  const std::vector<Mode> modes = {
      {0.0, {1.0}, false},       {0.0, {1.0, 0.3}, false}, {0.5, {0.6, 0.9, 0.2}, false},
      {0.0, {0.1, 1.0}, false},  {0.2, {0.5}, true},       {0.7, {1.0, 0.05}, false},
  };
  for (std::size_t mi = 0; mi < modes.size(); ++mi) {
    const Mode& m = modes[mi];
    INFO("mode " << mi << ", seed " << seed);
    Bench b(seed + mi);
    b.src->idle_probability(m.idle);
    for (int i = 0; i < N_OUT; ++i)
      b.sinks[static_cast<std::size_t>(i)]->ready_probability(
          m.ready[static_cast<std::size_t>(i) % m.ready.size()]);
    if (m.bursts) {
      // every 50 cycles each output becomes fast, slow or stopped
      Rng* r = &rng;
      Bench* bp = &b;
      b.sim->add_hook([r, bp](uint64_t cycle) {
        if (cycle % 50 != 0) return;
        for (auto& s : bp->sinks) {
          const int64_t k = r->uniform(0, 2);
          s->ready_probability(k == 0 ? 0.0 : k == 1 ? 0.3 : 1.0);
        }
      });
    }

    // traffic interrupted by a reset: outputs that took the pending beat must not see it again
    for (const auto& beat : random_beats(rng, 20)) b.src->push(beat);
    b.sim->step(static_cast<uint64_t>(rng.uniform(1, 30)));
    b.sim->reset(2);
    b.src->clear();
    for (auto& s : b.sinks) s->clear();

    const auto beats = random_beats(rng, 1500);
    for (const auto& beat : beats) b.src->push(beat);
    b.sim->run_until([&] { return b.all_received(beats.size()) && b.src->done(); },
                     200 * beats.size() + 10000, RTLGEN_TEST_NAME);
    b.sim->step(20);
    for (int i = 0; i < N_OUT; ++i) {
      INFO("output " << i);
      const auto& got = b.sinks[static_cast<std::size_t>(i)]->beats();
      REQUIRE(got.size() == beats.size());
      for (std::size_t k = 0; k < beats.size(); ++k) {
        INFO("beat " << k);
        REQUIRE(got[k] == beats[k].data);
      }
    }
  }
}

TEST_CASE("fork steady-state throughput", "[fork][perf]") {
  Bench b(3);
  Rng rng(8);
  const auto beats = random_beats(rng, 400);
  for (const auto& beat : beats) b.src->push(beat);
  b.sim->run_until([&] { return b.all_received(beats.size()) && b.src->done(); },
                   10 * beats.size() + 1000, RTLGEN_TEST_NAME);
  for (const auto& s : b.sinks) {
    const auto& c = s->cycles();
    REQUIRE(c.size() == beats.size());
    CHECK(c.back() - c.front() == c.size() - 1);
  }
}
