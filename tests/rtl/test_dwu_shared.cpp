// rtlgen_dwu_shared (one depthwise multiplier array time-shared by N layers) against per-layer
// C++ depthwise references:
//  - bit-exactness: random weights per layer (extremes far from / near the zero point in the
//    first channels) concatenated into WEIGHT_FILE with rtlgen::pack_depthwise_weights, rtlgen_swg
//    ORDER 1 style inputs (random, extreme and padding windows), every input stream driven
//    independently with its own random idle cycles (also in the middle of a chunk), every output
//    with its own random backpressure; each output's beats, in order, equal the reference;
//  - AXI-Stream rules on every output: tvalid and tdata hold while tvalid && !tready;
//  - a cycle-exact model of the documented scheduler, checked every cycle of every test: a chunk
//    (TAPS beats of one input) is granted, in the cycle it is offered, to the first input after
//    the last one served (round robin) that has a beat waiting and a free result slot (a credit:
//    OUT_DEPTH per output, taken by the grant, returned by the output handshake); the grant holds
//    until the chunk's last tap, and no other input is accepted meanwhile;
//  - steady-state throughput (all inputs valid, all outputs ready: one input beat accepted in
//    every cycle, no bubbles between chunks of the same or different inputs) and round-robin
//    fairness (chunk owners 0, 1, .., N-1, 0, ..; chunk counts per input equal within 1);
//  - credits: with one output never ready, its input gets at most OUT_DEPTH chunks (at most
//    OUT_DEPTH*TAPS beats) while the other inputs keep the array busy and their outputs keep
//    coming; after releasing the output every result is delivered, bit-exact;
//  - resets in the middle of traffic (chunks half done, results in flight, buffers and credits
//    used; random tvalid / tready while rst is high), at random points and, one cycle long, at
//    every cycle offset of full-speed traffic, then correct results; also a reset while an
//    output is blocked with its credits used up.
// REQUANT = 1 (one requantizer for every layer): the same checks on the 8-bit activations, the
// reference being rtlgen::multiply_by_quantized_multiplier of (accumulator + bias) per channel
// with random per-channel bias / multiplier / shift (bounded for MUL_BITS) written to
// PARAM_FILE, plus each layer's zero point and clamp (OUT_ZP, ACT_MIN, ACT_MAX).
//
// Configuration: RTLGEN_P_<PARAM> compile definitions (set by rtlgen_rtl_test from -G params).
// The per-layer vector parameters CHANNELS, IN_ZP and W_ZP are given to Verilator as sized hex
// literals (-GCHANNELS=96'h000000040000000200000006: layer 0 in the low 32 bits), decoded by
// verilog_fields() (verilog_fields.hpp).
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "Vrtlgen_dwu_shared.h"
#include "rtlgen/fixed_point.hpp"
#include "rtlgen/weight_packing.hpp"
#include "rtlgen_sim/rtlgen_sim.hpp"
#include "verilog_fields.hpp"

using namespace rtlgen_sim;

namespace {

using rtlgen_tb::verilog_fields;

constexpr int N = RTLGEN_P_N;
constexpr int PE = RTLGEN_P_PE;
constexpr int TAPS = RTLGEN_P_TAPS;
constexpr bool IN_SIGNED = RTLGEN_P_IN_SIGNED != 0;
constexpr bool W_SIGNED = RTLGEN_P_W_SIGNED != 0;
constexpr int ACC_BITS = RTLGEN_P_ACC_BITS;
constexpr int OUT_DEPTH = RTLGEN_P_OUT_DEPTH;
constexpr std::array<int64_t, N> CHANNELS = verilog_fields<N>(RTLGEN_STR(RTLGEN_P_CHANNELS));
constexpr std::array<int64_t, N> IN_ZPS = verilog_fields<N>(RTLGEN_STR(RTLGEN_P_IN_ZP));
constexpr std::array<int64_t, N> W_ZPS = verilog_fields<N>(RTLGEN_STR(RTLGEN_P_W_ZP));
const char* const WEIGHT_FILE = RTLGEN_P_WEIGHT_FILE;
#ifdef RTLGEN_P_REQUANT
constexpr bool REQUANT = RTLGEN_P_REQUANT != 0;
constexpr int RQ_PE = RTLGEN_P_RQ_PE;
constexpr int MUL_BITS = RTLGEN_P_MUL_BITS;
constexpr bool OUT_SIGNED = RTLGEN_P_OUT_SIGNED != 0;
constexpr std::array<int64_t, N> OUT_ZPS = verilog_fields<N>(RTLGEN_STR(RTLGEN_P_OUT_ZP));
constexpr std::array<int64_t, N> ACT_MINS = verilog_fields<N>(RTLGEN_STR(RTLGEN_P_ACT_MIN));
constexpr std::array<int64_t, N> ACT_MAXS = verilog_fields<N>(RTLGEN_STR(RTLGEN_P_ACT_MAX));
const char* const PARAM_FILE = RTLGEN_P_PARAM_FILE;
#ifdef RTLGEN_P_MUL_CYCLES
constexpr int MUL_CYCLES = RTLGEN_P_MUL_CYCLES;
#else
constexpr int MUL_CYCLES = 1;
#endif
static_assert(ACC_BITS <= 32 && PE % RQ_PE == 0, "REQUANT: ACC_BITS <= 32, RQ_PE divides PE");
#else
constexpr bool REQUANT = false;
constexpr int RQ_PE = PE;
constexpr int MUL_BITS = 32;
constexpr int MUL_CYCLES = 1;
constexpr bool OUT_SIGNED = true;
constexpr std::array<int64_t, N> OUT_ZPS{}, ACT_MINS{}, ACT_MAXS{};
const char* const PARAM_FILE = "";
#endif
constexpr int OUT_BITS = REQUANT ? 8 : ACC_BITS;
// cycles from a chunk's last tap to its output beat (the template's LATENCY)
constexpr int LATENCY = !REQUANT ? 6 : PE == RQ_PE ? 19 : 20 + (PE / RQ_PE - 1) * MUL_CYCLES;

constexpr int64_t kInLo = IN_SIGNED ? -128 : 0, kInHi = IN_SIGNED ? 127 : 255;
constexpr int64_t kWLo = W_SIGNED ? -128 : 0, kWHi = W_SIGNED ? 127 : 255;

constexpr bool config_ok() {
  for (int i = 0; i < N; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (CHANNELS[u] < PE || CHANNELS[u] % PE != 0) return false;
    if (IN_ZPS[u] < kInLo || IN_ZPS[u] > kInHi || W_ZPS[u] < kWLo || W_ZPS[u] > kWHi) return false;
    const int64_t out_lo = OUT_SIGNED ? -128 : 0, out_hi = OUT_SIGNED ? 127 : 255;
    if (REQUANT && (OUT_ZPS[u] < out_lo || OUT_ZPS[u] > out_hi || ACT_MINS[u] < out_lo ||
                    ACT_MAXS[u] > out_hi || ACT_MINS[u] > ACT_MAXS[u]))
      return false;
  }
  return true;
}
static_assert(config_ok(), "CHANNELS / IN_ZP / W_ZP do not decode to a valid configuration");

std::size_t sz(int64_t v) { return static_cast<std::size_t>(v); }

struct Layer {
  int c = 0, chunks = 0;
  int64_t in_zp = 0, w_zp = 0;
  std::vector<int32_t> w;  // w[c][t], row-major [c][TAPS]
  // REQUANT: per channel bias and quantized multiplier; the layer's zero point and clamp
  std::vector<int32_t> bias;
  std::vector<rtlgen::QuantizedMultiplier> qm;
  int64_t out_zp = 0, act_min = 0, act_max = 0;
};

// Per-channel requantization parameters a generator could declare MUL_BITS for: shifts -14..1
// (mostly in the range that maps depthwise sums onto activations, some far right shifts), and
// |acc + bias| << max(shift, 0) < 2^(MUL_BITS-1) for every ACC_BITS accumulator.
void random_requant(Rng& rng, Layer& l) {
  for (int c = 0; c < l.c; ++c) {
    const int shift = rng.chance(0.1) ? static_cast<int>(rng.uniform(-31, 1))
                                      : static_cast<int>(rng.uniform(-14, -6));
    const int left = shift > 0 ? shift : 0;
    const int64_t limit =
        MUL_BITS == 32
            ? int64_t{1} << 16
            : std::min<int64_t>(int64_t{1} << 16, (int64_t{1} << (MUL_BITS - 1 - left)) -
                                                      (int64_t{1} << (ACC_BITS - 1)) - 1);
    REQUIRE(limit >= 0);
    l.bias.push_back(static_cast<int32_t>(rng.uniform(-limit, limit)));
    l.qm.push_back(
        {static_cast<int32_t>(rng.uniform(int64_t{1} << 30, (int64_t{1} << 31) - 1)), shift});
  }
}

std::vector<Layer> make_layers(Rng& rng) {
  std::vector<Layer> layers(N);
  for (int i = 0; i < N; ++i) {
    Layer& l = layers[sz(i)];
    l.c = static_cast<int>(CHANNELS[sz(i)]);
    l.chunks = l.c / PE;
    l.in_zp = IN_ZPS[sz(i)];
    l.w_zp = W_ZPS[sz(i)];
    l.w.resize(sz(l.c * TAPS));
    for (auto& v : l.w) {
      const int64_t r = rng.uniform(0, 9);
      v = static_cast<int32_t>(r == 0 ? kWLo : r == 1 ? kWHi : rng.element(8, W_SIGNED));
    }
    // channel 0: the weight farthest from W_ZP on one side, channel 1 on the other side
    const int64_t far = (l.w_zp - kWLo) > (kWHi - l.w_zp) ? kWLo : kWHi;
    const int64_t near = far == kWLo ? kWHi : kWLo;
    for (int t = 0; t < TAPS; ++t) {
      l.w[sz(t)] = static_cast<int32_t>(far);
      if (l.c > 1) l.w[sz(TAPS + t)] = static_cast<int32_t>(near);
    }
    if (REQUANT) {
      random_requant(rng, l);
      l.out_zp = OUT_ZPS[sz(i)];
      l.act_min = ACT_MINS[sz(i)];
      l.act_max = ACT_MAXS[sz(i)];
    }
  }
  return layers;
}

// The requantizer's ROM: per layer (layer 0 first) one word per group of RQ_PE channels, lane p
// (channel g*RQ_PE + p) in [p*72 +: 72].
void write_requant_params(const std::vector<Layer>& layers) {
  std::ofstream f(PARAM_FILE);
  for (const Layer& l : layers)
    for (int g = 0; g < l.c / RQ_PE; ++g) {
      for (int p = RQ_PE - 1; p >= 0; --p)
        f << rtlgen::pack_requant(l.bias[sz(g * RQ_PE + p)], l.qm[sz(g * RQ_PE + p)]);
      f << "\n";
    }
  REQUIRE(static_cast<bool>(f));
}

// The ROM: the layers' pack_depthwise_weights lines, layer 0 first.
void write_weights(const std::vector<Layer>& layers) {
  std::ofstream f(WEIGHT_FILE);
  for (const Layer& l : layers) {
    const std::vector<std::string> lines = rtlgen::pack_depthwise_weights(l.w, l.c, TAPS, PE);
    REQUIRE(lines.size() == sz(l.chunks * TAPS));
    REQUIRE(rtlgen::unpack_depthwise_weights(lines, l.c, TAPS, PE, W_SIGNED) == l.w);
    for (const auto& line : lines) f << line << "\n";
  }
  REQUIRE(static_cast<bool>(f));
  if (REQUANT) write_requant_params(layers);
}

using Beat = std::vector<int64_t>;                 // PE lanes
using Window = std::vector<std::vector<int64_t>>;  // x[t][c]

// kind 0: random with extremes; 1: every element at the extreme farthest from the layer's
// IN_ZP; 2: the other extreme; 3: random with padding taps (all channels = IN_ZP)
Window random_window(Rng& rng, const Layer& l, int kind) {
  Window x(TAPS, std::vector<int64_t>(sz(l.c)));
  const int64_t far = (l.in_zp - kInLo) > (kInHi - l.in_zp) ? kInLo : kInHi;
  const int64_t near = far == kInLo ? kInHi : kInLo;
  for (int t = 0; t < TAPS; ++t) {
    const bool pad = kind == 3 && rng.chance(0.4);
    for (int c = 0; c < l.c; ++c) {
      int64_t v;
      if (pad) {
        v = l.in_zp;
      } else if (kind == 1) {
        v = far;
      } else if (kind == 2) {
        v = near;
      } else {
        const int64_t r = rng.uniform(0, 9);
        v = r == 0 ? kInLo : r == 1 ? kInHi : rng.element(8, IN_SIGNED);
      }
      x[sz(t)][sz(c)] = v;
    }
  }
  return x;
}

// n windows; with extremes_first the first two are the all-extreme ones (kinds 1, 2), else
// all are random (constant windows would hide a wrong tap order).
std::vector<Window> make_windows(Rng& rng, const Layer& l, int n, bool extremes_first = true) {
  std::vector<Window> v;
  for (int i = 0; i < n; ++i) {
    const int kind = extremes_first && i < 2 ? 1 + i : i % 4 == 3 ? 3 : 0;
    v.push_back(random_window(rng, l, kind));
  }
  return v;
}

// REQUANT: reference results inside / at the clamp bounds (the stimulus must reach both)
uint64_t g_inside = 0, g_clamped = 0;

// Output beats of a window: chunk j, lane p = sum_t (x - IN_ZP)*(w - W_ZP) wrapped to ACC_BITS;
// REQUANT: that requantized (TFLite's double rounding), plus the zero point, clamped, as the
// OUT_BITS lane reads (sign-extended).
std::vector<Beat> reference(const Layer& l, const Window& x) {
  std::vector<Beat> out(sz(l.chunks), Beat(PE));
  for (int c = 0; c < l.c; ++c) {
    int64_t acc = 0;
    for (int t = 0; t < TAPS; ++t)
      acc += (x[sz(t)][sz(c)] - l.in_zp) * (int64_t{l.w[sz(c * TAPS + t)]} - l.w_zp);
    int64_t v = sign_extend(static_cast<uint64_t>(acc), ACC_BITS);
    if (REQUANT) {
      const auto xb = static_cast<int32_t>(static_cast<uint32_t>(v + l.bias[sz(c)]));
      const int64_t y =
          int64_t{rtlgen::multiply_by_quantized_multiplier(xb, l.qm[sz(c)])} + l.out_zp;
      ++(y > l.act_min && y < l.act_max ? g_inside : g_clamped);
      v = sign_extend(static_cast<uint64_t>(std::clamp(y, l.act_min, l.act_max)), OUT_BITS);
    }
    out[sz(c / PE)][sz(c % PE)] = v;
  }
  return out;
}

// The ORDER 1 beats of a window: chunk j, tap t, lane p = channel j*PE + p.
std::vector<Beat> window_beats(const Layer& l, const Window& x) {
  std::vector<Beat> beats;
  for (int j = 0; j < l.chunks; ++j)
    for (int t = 0; t < TAPS; ++t) {
      Beat b(PE);
      for (int p = 0; p < PE; ++p) b[sz(p)] = x[sz(t)][sz(j * PE + p)];
      beats.push_back(b);
    }
  return beats;
}

// Source for input stream `idx` (its lanes of s_axis_tdata, bit idx of tvalid / tready), with
// random idle cycles between beats and garbage on its lanes while idle. While rst is high it
// drives random tvalid and garbage (like an upstream stage reset by the same rst, whose
// registered tvalid is still high in the reset cycle): nothing may be accepted from it.
class InPort : public Agent {
 public:
  InPort(int idx, PortRef tdata, PortRef tvalid, PortRef tready, uint64_t seed)
      : Agent("s_axis[" + std::to_string(idx) + "]"),
        idx_(idx),
        tdata_(tdata),
        tvalid_(tvalid),
        tready_(tready),
        rng_(seed) {}

  InPort& idle_probability(double p) {
    idle_p_ = p;
    return *this;
  }
  void push(const Beat& b) { queue_.push_back(b); }
  void clear() {
    queue_.clear();
    presenting_ = false;
    tap_ = 0;
  }
  bool done() const { return queue_.empty(); }
  std::size_t pending() const { return queue_.size(); }
  uint64_t sent() const { return sent_; }
  // this cycle: tvalid high, handshake, tap index (within a chunk) before / after the cycle
  bool valid_now() const { return valid_now_; }
  bool fired() const { return fired_; }
  int tap_before() const { return tap_before_; }
  int tap() const { return tap_; }

  void drive(uint64_t, bool in_reset) override {
    fired_ = false;
    if (in_reset) {  // the DUT forgets a partial chunk; the beat on the bus is dropped
      presenting_ = false;
      tap_ = tap_before_ = 0;
      for (int p = 0; p < PE; ++p) tdata_.set((idx_ * PE + p) * 8, 8, rng_.next_u64());
      tvalid_.set(idx_, 1, rng_.next_u64() & 1);
      return;
    }
    tap_before_ = tap_;
    if (!presenting_ && !queue_.empty() && !rng_.chance(idle_p_)) {
      for (int p = 0; p < PE; ++p)
        tdata_.set((idx_ * PE + p) * 8, 8, static_cast<uint64_t>(queue_.front()[sz(p)]));
      presenting_ = true;
    } else if (!presenting_) {
      for (int p = 0; p < PE; ++p) tdata_.set((idx_ * PE + p) * 8, 8, rng_.next_u64());
    }
    tvalid_.set(idx_, 1, presenting_ ? 1 : 0);
  }
  void sample(uint64_t, bool in_reset) override {
    valid_now_ = !in_reset && presenting_;
    if (!valid_now_ || tready_.get(idx_, 1) == 0) return;
    queue_.pop_front();
    presenting_ = false;
    fired_ = true;
    ++sent_;
    tap_ = tap_ + 1 == TAPS ? 0 : tap_ + 1;
  }
  uint64_t transfers() const override { return sent_; }
  std::string status() const override {
    std::ostringstream s;
    s << "driver " << name() << ": sent " << sent_ << ", pending " << queue_.size()
      << (presenting_ ? " (tvalid high)" : "");
    return s.str();
  }

 private:
  int idx_;
  PortRef tdata_, tvalid_, tready_;
  Rng rng_;
  double idle_p_ = 0.0;
  std::deque<Beat> queue_;
  bool presenting_ = false, valid_now_ = false, fired_ = false;
  int tap_ = 0, tap_before_ = 0;
  uint64_t sent_ = 0;
};

// Sink for output stream `idx`: random tready (also while rst is high), collects beats, checks
// that tvalid and tdata hold while tvalid && !tready (violations are counted, the first
// described).
class OutPort : public Agent {
 public:
  OutPort(int idx, PortRef tdata, PortRef tvalid, PortRef tready, uint64_t seed)
      : Agent("m_axis[" + std::to_string(idx) + "]"),
        idx_(idx),
        tdata_(tdata),
        tvalid_(tvalid),
        tready_(tready),
        rng_(seed) {}

  OutPort& ready_probability(double p) {
    ready_p_ = p;
    return *this;
  }
  void clear() {
    beats_.clear();
    stalled_ = false;
  }
  const std::vector<Beat>& beats() const { return beats_; }
  uint64_t received() const { return beats_.size(); }
  bool fired() const { return fired_; }
  uint64_t stall_cycles() const { return stall_cycles_; }
  uint64_t violations() const { return violations_; }
  const std::string& first_violation() const { return first_violation_; }

  void drive(uint64_t, bool in_reset) override {
    tready_.set(idx_, 1, (in_reset ? (rng_.next_u64() & 1) != 0 : rng_.chance(ready_p_)) ? 1 : 0);
  }
  void sample(uint64_t cycle, bool in_reset) override {
    fired_ = false;
    if (in_reset) {
      stalled_ = false;
      return;
    }
    const bool valid = tvalid_.get(idx_, 1) != 0;
    const bool ready = tready_.get(idx_, 1) != 0;
    if (stalled_) {
      if (!valid)
        violation(cycle, "tvalid dropped while stalled");
      else if (capture() != stalled_beat_)
        violation(cycle, "tdata changed while stalled");
    }
    if (valid && ready) {
      beats_.push_back(capture());
      ++transfers_;
      fired_ = true;
      stalled_ = false;
    } else if (valid) {
      if (!stalled_) stalled_beat_ = capture();
      stalled_ = true;
      ++stall_cycles_;
    } else {
      stalled_ = false;
    }
  }
  uint64_t transfers() const override { return transfers_; }
  std::string status() const override {
    std::ostringstream s;
    s << "monitor " << name() << ": received " << beats_.size() << (stalled_ ? " (stalled)" : "");
    return s.str();
  }

 private:
  Beat capture() const {
    Beat b(PE);
    for (int p = 0; p < PE; ++p) b[sz(p)] = tdata_.get_signed((idx_ * PE + p) * OUT_BITS, OUT_BITS);
    return b;
  }
  void violation(uint64_t cycle, const char* what) {
    if (violations_++ == 0)
      first_violation_ = name() + ": " + what + " at cycle " + std::to_string(cycle);
  }

  int idx_;
  PortRef tdata_, tvalid_, tready_;
  Rng rng_;
  double ready_p_ = 1.0;
  std::vector<Beat> beats_;
  bool stalled_ = false, fired_ = false;
  Beat stalled_beat_;
  uint64_t transfers_ = 0, stall_cycles_ = 0, violations_ = 0;
  std::string first_violation_;
};

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vrtlgen_dwu_shared> dut;
  std::unique_ptr<Simulation<Vrtlgen_dwu_shared>> sim;
  std::vector<std::unique_ptr<InPort>> in;
  std::vector<std::unique_ptr<OutPort>> out;
  const std::vector<Layer>& layers;
  std::vector<std::vector<Beat>> expected;  // [output][beat]

  // scheduler model (checked every cycle while model_on)
  bool model_on = false;
  int last = 0;    // last input served (sel_reg resets to 0)
  int owner = -1;  // input inside a chunk
  std::array<int, N> credit{};
  uint64_t sched_errors = 0;
  std::string first_sched_error;
  uint64_t midchunk_idle = 0;      // cycles inside a chunk with the owner's tvalid low
  std::vector<int> grants;         // owner of every chunk started, in order
  std::vector<uint64_t> grant_at;  // and its cycle
  // throughput window: from measure_from while every input offers a beat
  bool measuring = false;
  uint64_t measure_from = 0, measure_end = 0, meas_cycles = 0, meas_beats = 0;

  Bench(uint64_t seed, const std::vector<Layer>& ls) : layers(ls), expected(N) {
    ctx.randReset(2);  // random initial values for everything not reset
    ctx.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut = std::make_unique<Vrtlgen_dwu_shared>(&ctx);
    sim = std::make_unique<Simulation<Vrtlgen_dwu_shared>>(*dut, dut->clk, dut->rst);
    for (int i = 0; i < N; ++i) {
      in.push_back(std::make_unique<InPort>(i, dut->s_axis_tdata, dut->s_axis_tvalid,
                                            dut->s_axis_tready, seed * 7 + 2 * sz(i) + 1));
      out.push_back(std::make_unique<OutPort>(i, dut->m_axis_tdata, dut->m_axis_tvalid,
                                              dut->m_axis_tready, seed * 7 + 2 * sz(i) + 2));
      sim->add(*in.back()).add(*out.back());
    }
    sim->add_hook([this](uint64_t cycle) { on_cycle(cycle); });
    reset(4);
  }
  ~Bench() { dut->final(); }

  // Reset (rst high for `cycles` cycles): queued input, collected output and expectations go.
  void reset(int cycles) {
    model_on = false;
    sim->reset(cycles);
    for (auto& p : in) p->clear();
    for (auto& p : out) p->clear();
    for (auto& e : expected) e.clear();
    last = 0;
    owner = -1;
    credit.fill(OUT_DEPTH);
    model_on = true;
  }

  void sched_error(uint64_t cycle, const std::string& what) {
    if (sched_errors++ == 0) first_sched_error = "cycle " + std::to_string(cycle) + ": " + what;
  }

  void on_cycle(uint64_t cycle) {
    if (!model_on) return;
    std::vector<int> fired;
    bool all_valid = true;
    for (int i = 0; i < N; ++i) {
      if (in[sz(i)]->fired()) fired.push_back(i);
      all_valid = all_valid && in[sz(i)]->valid_now();
    }
    // the input the documented scheduler accepts in this cycle (-1: none)
    int expect = -1;
    if (owner >= 0) {
      expect = in[sz(owner)]->valid_now() ? owner : -1;
      if (expect < 0) ++midchunk_idle;
    } else {
      for (int k = 1; k <= N && expect < 0; ++k) {
        const int j = (last + k) % N;
        if (in[sz(j)]->valid_now() && credit[sz(j)] > 0) expect = j;
      }
    }
    if (fired.size() > 1 || (expect < 0) != fired.empty() || (expect >= 0 && fired[0] != expect)) {
      std::ostringstream s;
      s << "accepted input(s) {";
      for (int f : fired) s << " " << f;
      s << " }, scheduler model expects " << expect << " (last served " << last
        << ", inside a chunk of " << owner << ", credits";
      for (int c : credit) s << " " << c;
      s << ", tvalid";
      for (int i = 0; i < N; ++i) s << " " << in[sz(i)]->valid_now();
      s << ")";
      sched_error(cycle, s.str());
    }
    for (int j : fired) {  // follow the DUT (so one error does not cascade)
      if (in[sz(j)]->tap_before() == 0) {
        --credit[sz(j)];
        grants.push_back(j);
        grant_at.push_back(cycle);
      }
      last = j;
      owner = in[sz(j)]->tap() == 0 ? -1 : j;
    }
    for (int i = 0; i < N; ++i)
      if (out[sz(i)]->fired()) ++credit[sz(i)];
    if (measuring && cycle >= measure_from) {
      if (all_valid) {
        ++meas_cycles;
        meas_beats += fired.size();
      } else {
        measuring = false;
        measure_end = cycle;
      }
    }
  }

  void push_windows(int i, const std::vector<Window>& wins) {
    const Layer& l = layers[sz(i)];
    for (const Window& x : wins) {
      for (const Beat& b : window_beats(l, x)) in[sz(i)]->push(b);
      for (const Beat& b : reference(l, x)) expected[sz(i)].push_back(b);
    }
  }

  // Received beats equal the expected ones (all of them if complete, else a prefix).
  void check_outputs(bool complete) {
    for (int i = 0; i < N; ++i) {
      const auto& got = out[sz(i)]->beats();
      const auto& exp = expected[sz(i)];
      INFO("output " << i << ": received " << got.size() << " beats, expected " << exp.size());
      if (complete)
        REQUIRE(got.size() == exp.size());
      else
        REQUIRE(got.size() <= exp.size());
      const int chunks = layers[sz(i)].chunks;
      for (std::size_t b = 0; b < got.size(); ++b) {
        INFO("output " << i << " beat " << b << " (window " << b / sz(chunks) << ", chunk "
                       << b % sz(chunks) << ")");
        REQUIRE(got[b] == exp[b]);
      }
    }
  }
  void check_rules() {
    for (int i = 0; i < N; ++i) {
      INFO(out[sz(i)]->first_violation());
      REQUIRE(out[sz(i)]->violations() == 0);
    }
    INFO("scheduler: " << first_sched_error);
    REQUIRE(sched_errors == 0);
  }

  bool all_in() const {
    for (const auto& p : in)
      if (!p->done()) return false;
    return true;
  }
  bool all_out() const {
    for (int i = 0; i < N; ++i)
      if (out[sz(i)]->received() < expected[sz(i)].size()) return false;
    return true;
  }
  uint64_t total_expected() const {
    uint64_t n = 0;
    for (int i = 0; i < N; ++i) n += expected[sz(i)].size() * sz(TAPS);
    return n;
  }

  // Runs until every queued beat is in and every expected result out, then checks everything.
  void run_to_completion() {
    sim->run_until([&] { return all_in() && all_out(); }, 80 * total_expected() + 20000,
                   RTLGEN_TEST_NAME);
    sim->step(30);  // nothing extra may come
    check_outputs(true);
    check_rules();
  }
};

int window_beats_of(int i) { return static_cast<int>(CHANNELS[sz(i)]) / PE * TAPS; }

}  // namespace

TEST_CASE(
    "dwu_shared matches the per-layer references under independent idle cycles and "
    "backpressure, across resets in the middle of traffic",
    "[dwu_shared]") {
  const uint64_t seed = seed_from_env(0x5d00 + N * 131 + PE * 17 + TAPS);
  Rng rng(seed);
  const std::vector<Layer> layers = make_layers(rng);
  write_weights(layers);

  struct Mode {
    double idle, ready;
  };
  const Mode modes[] = {{0.0, 1.0}, {0.5, 1.0}, {0.0, 0.4}, {0.3, 0.6},
                        {0.8, 0.9}, {0.1, 0.1}, {0.6, 0.3}};
  int m = 0;
  int resets_with_work_in_flight = 0;
  for (const Mode mode : modes) {
    ++m;
    INFO("idle probability " << mode.idle << ", ready probability " << mode.ready << ", seed "
                             << seed);
    Bench b(seed + 1000 * static_cast<uint64_t>(m), layers);
    // each stream its own rates: input i idles with mode.idle*(i+1)/N, output i is ready with
    // 1 - (1 - mode.ready)*(N-i)/N
    for (int i = 0; i < N; ++i) {
      b.in[sz(i)]->idle_probability(mode.idle * (i + 1) / N);
      b.out[sz(i)]->ready_probability(1.0 - (1.0 - mode.ready) * (N - i) / N);
    }

    // traffic interrupted by resets (1..3 cycles) at random points: partial chunks, results in
    // the pipeline and in the buffers, used credits and ROM addresses inside a layer's region
    // must all be forgotten; what came out before each reset must be right
    for (int r = 0; r < 3; ++r) {
      int all_beats = 0;
      for (int i = 0; i < N; ++i) {
        b.push_windows(i, make_windows(rng, layers[sz(i)], 2, false));
        all_beats += 2 * window_beats_of(i);
      }
      b.sim->step(static_cast<uint64_t>(rng.uniform(TAPS + 3, all_beats + 20)));
      b.check_outputs(false);
      b.check_rules();
      uint64_t accepted = 0;
      for (auto& p : b.in) accepted += p->sent();
      if (accepted > 0 && !b.all_out()) ++resets_with_work_in_flight;
      b.reset(static_cast<int>(rng.uniform(1, 3)));
    }

    uint64_t stalls_before = 0;
    for (auto& p : b.out) stalls_before += p->stall_cycles();
    const uint64_t midchunk_before = b.midchunk_idle;
    for (int i = 0; i < N; ++i)
      b.push_windows(i, make_windows(rng, layers[sz(i)], std::max(6, 3000 / window_beats_of(i))));
    b.run_to_completion();

    // the stimulus really exercised what it is meant to
    uint64_t stalls = 0;
    for (auto& p : b.out) stalls += p->stall_cycles();
    if (mode.ready < 1.0) CHECK(stalls > stalls_before);
    if (mode.idle > 0.0 && TAPS > 1) CHECK(b.midchunk_idle > midchunk_before);
    std::printf(
        "%s: mode %d (idle %.1f, ready %.1f): %llu output stall cycles, %llu idle "
        "cycles inside chunks, %llu cycles\n",
        RTLGEN_TEST_NAME, m, mode.idle, mode.ready, static_cast<unsigned long long>(stalls),
        static_cast<unsigned long long>(b.midchunk_idle),
        static_cast<unsigned long long>(b.sim->cycle()));
  }
  std::printf("%s: %d of 21 resets hit accepted input with results still to come\n",
              RTLGEN_TEST_NAME, resets_with_work_in_flight);
  CHECK(resets_with_work_in_flight >= 15);
  if (REQUANT) {  // results inside the activation range, not only clamped ones
    std::printf("%s: requantized results: %llu inside the clamp bounds, %llu at them\n",
                RTLGEN_TEST_NAME, static_cast<unsigned long long>(g_inside),
                static_cast<unsigned long long>(g_clamped));
    CHECK(g_inside >= (g_inside + g_clamped) / 8);
  }
}

TEST_CASE("dwu_shared one-cycle reset at every cycle offset of full-speed traffic",
          "[dwu_shared]") {
  const uint64_t seed = seed_from_env(0x3e00 + N * 131 + PE * 17 + TAPS);
  Rng rng(seed);
  const std::vector<Layer> layers = make_layers(rng);
  write_weights(layers);
  Bench b(seed, layers);  // inputs never idle, outputs always ready: the pipeline is full
  int round_beats = 0;
  for (int i = 0; i < N; ++i) round_beats += window_beats_of(i);
  // every phase of the schedule, of the pipeline and of the credits, at least twice
  const int offsets = std::max(2 * round_beats, 4 * TAPS + 12) + 8;
  for (int off = 0; off < offsets; ++off) {
    INFO("reset " << off << " cycles into the traffic");
    for (int i = 0; i < N; ++i) b.push_windows(i, make_windows(rng, layers[sz(i)], 3, false));
    b.sim->step(sz(off));
    b.check_outputs(false);
    b.check_rules();
    b.reset(1);
    // afterwards: a short burst, every result exact, nothing left over from before the reset
    for (int i = 0; i < N; ++i) b.push_windows(i, make_windows(rng, layers[sz(i)], 1, false));
    b.run_to_completion();
  }
}

TEST_CASE("dwu_shared steady-state throughput and round-robin fairness", "[dwu_shared][perf]") {
  const uint64_t seed = seed_from_env(0x7e00 + N * 131 + PE * 17 + TAPS);
  Rng rng(seed);
  const std::vector<Layer> layers = make_layers(rng);
  write_weights(layers);
  Bench b(seed, layers);  // inputs never idle, outputs always ready

  const int rounds = std::max(200, 6000 / (N * TAPS));  // chunks per input
  for (int i = 0; i < N; ++i) {
    const int chunks = layers[sz(i)].chunks;
    b.push_windows(i, make_windows(rng, layers[sz(i)], (rounds + chunks - 1) / chunks + 2));
  }
  b.measuring = true;
  b.measure_from = b.sim->cycle() + 20;  // warm-up
  b.run_to_completion();
  if (b.measuring) b.measure_end = b.sim->cycle();

  // fairness: chunks granted in turn, equal shares within 1
  std::array<uint64_t, N> share{};
  int prev = -1;
  uint64_t out_of_turn = 0;
  for (std::size_t g = 0; g < b.grants.size(); ++g) {
    if (b.grant_at[g] < b.measure_from || b.grant_at[g] >= b.measure_end) continue;
    const int j = b.grants[g];
    ++share[sz(j)];
    if (prev >= 0 && j != (prev + 1) % N) ++out_of_turn;
    prev = j;
  }
  const auto mm = std::minmax_element(share.begin(), share.end());
  std::printf("%s: chunks granted per input:", RTLGEN_TEST_NAME);
  for (uint64_t s : share) std::printf(" %llu", static_cast<unsigned long long>(s));
  std::printf(" (%llu out of turn)\n", static_cast<unsigned long long>(out_of_turn));
  REQUIRE(*mm.first > 0);
  REQUIRE(*mm.second - *mm.first <= 1);
  REQUIRE(out_of_turn == 0);

  // throughput: one input beat in every cycle in which every input offers one
  std::printf("%s: %llu input beats accepted in %llu cycles with every input valid (%.4f/cycle)\n",
              RTLGEN_TEST_NAME, static_cast<unsigned long long>(b.meas_beats),
              static_cast<unsigned long long>(b.meas_cycles),
              b.meas_cycles ? static_cast<double>(b.meas_beats) / b.meas_cycles : 0.0);
  REQUIRE(b.meas_cycles >= static_cast<uint64_t>(rounds) * N * TAPS * 9 / 10);
  // The header promises this unconditionally. But a chunk granted in cycle c returns its credit
  // for a grant in cycle c + TAPS + LATENCY (last tap c + TAPS-1, result valid LATENCY cycles
  // later, credit back after its handshake), and with all N inputs valid each input is granted
  // every N*TAPS cycles: one beat per cycle needs OUT_DEPTH*N*TAPS >= TAPS + LATENCY (fails for
  // N = 1, TAPS = 1, OUT_DEPTH = 2: a third of a beat per cycle).
  INFO("credit round trip TAPS + LATENCY = " << TAPS + LATENCY << " cycles, OUT_DEPTH*N*TAPS = "
                                             << OUT_DEPTH * N * TAPS << " cycles of credits");
  CHECK(static_cast<double>(b.meas_beats) >= 0.99 * static_cast<double>(b.meas_cycles));
  CHECK(b.meas_beats == b.meas_cycles);
}

TEST_CASE("dwu_shared credits: a blocked output stops only its own input", "[dwu_shared]") {
  const uint64_t seed = seed_from_env(0x9c00 + N * 131 + PE * 17 + TAPS);
  Rng rng(seed);
  const std::vector<Layer> layers = make_layers(rng);
  write_weights(layers);
  const int half = std::max(1000, 30 * N * TAPS);  // cycles per half of the blocked phase

  for (int k = 0; k < N; ++k) {
    INFO("output " << k << " held not ready");
    Bench b(seed + 100 * sz(k), layers);
    // the others must not run dry within 2*half cycles; input k gets more than its credits
    auto fill = [&] {
      for (int i = 0; i < N; ++i) {
        const Layer& l = layers[sz(i)];
        const int nwin = i == k ? (OUT_DEPTH + 2 + l.chunks - 1) / l.chunks + 1
                                : 2 * half / (l.chunks * TAPS) + 2;
        b.push_windows(i, make_windows(rng, l, nwin));
      }
    };
    fill();
    b.out[sz(k)]->ready_probability(0.0);

    b.sim->step(sz(half));
    std::vector<uint64_t> in_mid, out_mid;
    for (int i = 0; i < N; ++i) {
      in_mid.push_back(b.in[sz(i)]->sent());
      out_mid.push_back(b.out[sz(i)]->received());
    }
    b.sim->step(sz(half));

    // the blocked input: at most OUT_DEPTH chunks (all of them, the unit is work-conserving)
    const uint64_t blocked_beats = b.in[sz(k)]->sent();
    std::printf("%s: output %d blocked: its input accepted %llu beats (OUT_DEPTH*TAPS = %d)",
                RTLGEN_TEST_NAME, k, static_cast<unsigned long long>(blocked_beats),
                OUT_DEPTH * TAPS);
    REQUIRE(blocked_beats <= static_cast<uint64_t>(OUT_DEPTH * TAPS));
    CHECK(blocked_beats == static_cast<uint64_t>(OUT_DEPTH * TAPS));
    REQUIRE(b.in[sz(k)]->pending() > 0);  // it still had beats to offer
    REQUIRE(b.out[sz(k)]->received() == 0);
    REQUIRE(((b.dut->m_axis_tvalid >> k) & 1) == 1);  // results waiting, held
    REQUIRE(b.out[sz(k)]->stall_cycles() > 0);

    // the others: the array stays busy in the second half, and every other output progresses
    if (N > 1) {
      uint64_t others = 0;
      for (int i = 0; i < N; ++i)
        if (i != k) others += b.in[sz(i)]->sent() - in_mid[sz(i)];
      std::printf(", the other inputs %llu beats in the last %d cycles",
                  static_cast<unsigned long long>(others), half);
      REQUIRE(others == static_cast<uint64_t>(half));
      for (int i = 0; i < N; ++i) {
        if (i == k) continue;
        INFO("output " << i);
        const uint64_t got = b.out[sz(i)]->received() - out_mid[sz(i)];
        // round robin among N-1 inputs: a chunk every (N-1)*TAPS cycles each
        REQUIRE(got + 2 >= static_cast<uint64_t>(half / (std::max(1, N - 1) * TAPS)));
      }
    }
    std::printf("\n");
    b.check_outputs(false);
    b.check_rules();

    // release the output: everything arrives, bit-exact, nothing lost or duplicated
    b.out[sz(k)]->ready_probability(0.7);
    b.run_to_completion();

    // block it again until its credits are gone, then reset: the credits must come back
    fill();
    b.out[sz(k)]->ready_probability(0.0);
    const uint64_t before = b.in[sz(k)]->sent();
    b.sim->run_until([&] { return b.in[sz(k)]->sent() == before + OUT_DEPTH * TAPS; },
                     sz(4 * N * OUT_DEPTH * TAPS + 100), RTLGEN_TEST_NAME);
    b.sim->step(sz(2 * N * TAPS + 10));
    b.check_rules();
    b.reset(1);
    for (auto& p : b.out) p->ready_probability(1.0);
    for (int i = 0; i < N; ++i)
      b.push_windows(
          i, make_windows(rng, layers[sz(i)], (OUT_DEPTH + 3) / layers[sz(i)].chunks + 2, false));
    b.run_to_completion();
  }
}
