// rtlgen_concat: every output pixel is the channels of input 0, then input 1, ..., cut into beats
// of N elements, whatever the inputs' beat widths (IN_N) and beats per pixel (IN_BEATS); under
// random idle cycles on every input (independently, garbage on an idle input's lanes) and random
// backpressure; a reset in the middle of traffic (the next pixel starts with input 0 again); one
// output beat per cycle when the inputs are valid and the output is ready.
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params);
// IN_N and IN_BEATS are vector parameters (verilog_fields.hpp).
#include <array>
#include <catch2/catch.hpp>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "Vrtlgen_concat.h"
#include "rtlgen_sim/rtlgen_sim.hpp"
#include "verilog_fields.hpp"

using namespace rtlgen_sim;

namespace {

using rtlgen_tb::verilog_fields;

constexpr int N_IN = RTLGEN_P_N_IN;
constexpr int N = RTLGEN_P_N;
constexpr int ELEM_BITS = RTLGEN_P_ELEM_BITS;
constexpr std::array<int64_t, N_IN> IN_N = verilog_fields<N_IN>(RTLGEN_STR(RTLGEN_P_IN_N));
constexpr std::array<int64_t, N_IN> IN_BEATS =
    verilog_fields<N_IN>(RTLGEN_STR(RTLGEN_P_IN_BEATS));

using Beat = std::vector<int64_t>;

size_t sz(int64_t i) { return static_cast<size_t>(i); }

// Input `idx`: its IN_N[idx] lanes of the packed s_axis_tdata, bit idx of tvalid / tready.
class InPort : public Agent {
 public:
  InPort(int idx, PortRef tdata, PortRef tvalid, PortRef tready, uint64_t seed)
      : Agent("s_axis[" + std::to_string(idx) + "]"),
        idx_(idx),
        tdata_(tdata),
        tvalid_(tvalid),
        tready_(tready),
        rng_(seed) {
    for (int i = 0; i < idx; ++i) base_ += int(IN_N[sz(i)]);
  }
  void idle_probability(double p) { idle_p_ = p; }
  void push(const Beat& b) { queue_.push_back(b); }
  void clear() {
    queue_.clear();
    presenting_ = false;
  }

  void drive(uint64_t, bool in_reset) override {
    if (in_reset) presenting_ = false;
    if (!in_reset && !presenting_ && !queue_.empty() && !rng_.chance(idle_p_)) {
      for (int e = 0; e < lanes(); ++e)
        tdata_.set((base_ + e) * ELEM_BITS, ELEM_BITS, uint64_t(queue_.front()[sz(e)]));
      presenting_ = true;
    } else if (!presenting_) {
      for (int e = 0; e < lanes(); ++e)
        tdata_.set((base_ + e) * ELEM_BITS, ELEM_BITS, rng_.next_u64());
    }
    // in reset: random tvalid, as from an upstream stage reset by the same rst
    tvalid_.set(idx_, 1, in_reset ? rng_.next_u64() & 1 : presenting_ ? 1 : 0);
  }
  void sample(uint64_t, bool in_reset) override {
    if (in_reset || !presenting_ || tready_.get(idx_, 1) == 0) return;
    queue_.pop_front();
    presenting_ = false;
    ++sent_;
  }
  uint64_t transfers() const override { return sent_; }
  std::string status() const override {
    return name() + ": " + std::to_string(queue_.size()) + " beats queued";
  }

 private:
  int lanes() const { return int(IN_N[sz(idx_)]); }
  int idx_, base_ = 0;
  PortRef tdata_, tvalid_, tready_;
  Rng rng_;
  double idle_p_ = 0.0;
  std::deque<Beat> queue_;
  bool presenting_ = false;
  uint64_t sent_ = 0;
};

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vrtlgen_concat> dut;
  std::unique_ptr<Simulation<Vrtlgen_concat>> sim;
  std::vector<std::unique_ptr<InPort>> in;
  std::unique_ptr<AxisMonitor> out;

  explicit Bench(uint64_t seed) {
    ctx.randReset(2);
    ctx.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut = std::make_unique<Vrtlgen_concat>(&ctx);
    sim = std::make_unique<Simulation<Vrtlgen_concat>>(*dut, dut->clk, dut->rst);
    for (int i = 0; i < N_IN; ++i) {
      in.push_back(std::make_unique<InPort>(i, dut->s_axis_tdata, dut->s_axis_tvalid,
                                            dut->s_axis_tready, seed * 7 + uint64_t(i) + 1));
      sim->add(*in.back());
    }
    out = std::make_unique<AxisMonitor>("m_axis", dut->m_axis_tdata, dut->m_axis_tvalid,
                                        &dut->m_axis_tready, N, ELEM_BITS, false, seed * 7 + 6);
    sim->add(*out);
    sim->reset();
  }
  ~Bench() { dut->final(); }
  void clear() {
    for (auto& p : in) p->clear();
    out->clear();
  }
};

// `pixels` pixels of random channels: queues every input's beats and returns the expected output
// beats (the pixel's channels, input 0 first, in beats of N).
std::vector<Beat> queue_pixels(Bench& b, Rng& rng, int pixels) {
  std::vector<Beat> expect;
  for (int p = 0; p < pixels; ++p) {
    Beat pixel;
    for (int i = 0; i < N_IN; ++i)
      for (int64_t k = 0; k < IN_BEATS[sz(i)]; ++k) {
        Beat beat;
        for (int64_t e = 0; e < IN_N[sz(i)]; ++e) beat.push_back(rng.element(ELEM_BITS, false));
        b.in[sz(i)]->push(beat);
        pixel.insert(pixel.end(), beat.begin(), beat.end());
      }
    REQUIRE(pixel.size() % N == 0);
    for (size_t e = 0; e < pixel.size(); e += N)
      expect.emplace_back(pixel.begin() + std::ptrdiff_t(e), pixel.begin() + std::ptrdiff_t(e + N));
  }
  return expect;
}

}  // namespace

TEST_CASE("concat joins the inputs' channels of every pixel", "[concat]") {
  const uint64_t seed = seed_from_env(0xca + N * 7 + N_IN * 3);
  Rng rng(seed);
  const struct {
    double idle, ready;
  } modes[] = {{0.0, 1.0}, {0.5, 0.7}, {0.1, 0.3}, {0.8, 1.0}, {0.0, 0.1}};
  int mi = 0;
  for (const auto& m : modes) {
    INFO("mode " << mi << ", seed " << seed);
    Bench b(seed + uint64_t(mi++));
    for (int i = 0; i < N_IN; ++i)  // idle rates differ per input
      b.in[sz(i)]->idle_probability(i % 2 ? m.idle * 0.3 : m.idle);
    b.out->ready_probability(m.ready);
    // traffic cut by a reset part-way through a pixel: afterwards input 0 comes first again
    queue_pixels(b, rng, 3);
    b.sim->step(static_cast<uint64_t>(rng.uniform(1, 12)));
    b.sim->reset(2);
    b.clear();
    const auto expect = queue_pixels(b, rng, 200);
    b.sim->run_until([&] { return b.out->received() == expect.size(); },
                     100 * expect.size() + 1000, RTLGEN_TEST_NAME);
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
