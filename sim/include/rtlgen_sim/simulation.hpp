// Clock, reset and run loop over a Verilator model, with cycle counting, deadlock detection
// and optional FST tracing.
//
// One cycle (Simulation::step):
//   1. clk low: every agent's drive() sets its inputs (tvalid/tdata of sources, tready of sinks)
//   2. eval(): combinational logic settles (e.g. s_axis_tready following m_axis_tready)
//   3. every agent's sample() sees the handshakes that happen at this rising edge
//   4. cycle hooks run; trace dump at time 10*cycle
//   5. clk high, eval(); trace dump at 10*cycle + 5; clk low again (settled in the next step)
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "rtlgen_sim/axis.hpp"
#include "verilated.h"

#if defined(VM_TRACE_FST) && VM_TRACE_FST
#include "verilated_fst_c.h"
#define RTLGEN_SIM_HAVE_FST 1
#else
#define RTLGEN_SIM_HAVE_FST 0
#endif

namespace rtlgen_sim {

// Thrown by run_until when the design stops making progress or exceeds its cycle budget.
// what() starts with "deadlock" and lists every agent's status.
class DeadlockError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class Model>
class Simulation {
 public:
  // Model is a Verilator-generated class; clk/rst are its clock and active-high reset ports.
  // If environment variable RTLGEN_FST names a file and the model was verilated with
  // TRACE_FST, the waveform is written there (later simulations in the same process append
  // .1, .2, ... to the name).
  Simulation(Model& model, CData& clk, CData& rst) : model_(model), clk_(clk), rst_(rst) {
    clk_ = 0;
    rst_ = 0;
    const char* fst = std::getenv("RTLGEN_FST");
    if (fst && *fst) {
      // several simulations in one process: w.fst, w.fst.1, w.fst.2, ...
      static int instances = 0;
      const int n = instances++;
      open_trace(n == 0 ? std::string(fst) : std::string(fst) + "." + std::to_string(n));
    }
  }
  ~Simulation() { close_trace(); }
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  Model& model() { return model_; }
  uint64_t cycle() const { return cycle_; }

  // Registers an agent (kept by reference; it must outlive the simulation's use).
  Simulation& add(Agent& a) {
    agents_.push_back(&a);
    return *this;
  }
  // Runs f(cycle) every cycle after the agents sampled (checks, measurements, custom stimuli).
  Simulation& add_hook(std::function<void(uint64_t)> f) {
    hooks_.push_back(std::move(f));
    return *this;
  }
  // From the second cycle on, evaluates the model with `eval` instead of Model::eval(). The
  // first cycle always goes through Model::eval(), which also runs the model's initialisation.
  // The network harness passes Verilator's root evaluation: it skips the bookkeeping that
  // eval_step() does on every call, which takes and releases a mutex twice per cycle (about 6%
  // of a small network's simulation time).
  Simulation& eval_with(void (*eval)(Model&)) {
    fast_eval_ = eval;
    return *this;
  }
  // A run fails if no agent transfers anything for this many cycles (0 = off). Default 10000.
  Simulation& stall_timeout(uint64_t cycles) {
    stall_timeout_ = cycles;
    return *this;
  }

  // Holds rst high for `cycles` cycles (agents idle), then releases it.
  void reset(int cycles = 4) {
    rst_ = 1;
    for (int i = 0; i < cycles; ++i) tick(true);
    rst_ = 0;
  }

  void step(uint64_t n = 1) {
    for (uint64_t i = 0; i < n; ++i) tick(false);
  }

  // Steps until done() holds (checked before each cycle). Throws DeadlockError after
  // max_cycles cycles, or after stall_timeout cycles without any transfer. Returns the number
  // of cycles run.
  uint64_t run_until(const std::function<bool()>& done, uint64_t max_cycles,
                     const std::string& what = "run") {
    const uint64_t start = cycle_;
    uint64_t progress = total_transfers();
    uint64_t progress_cycle = cycle_;
    while (!done()) {
      if (cycle_ - start >= max_cycles)
        throw DeadlockError("deadlock: " + what + " not finished after " +
                            std::to_string(max_cycles) + " cycles (cycle " +
                            std::to_string(cycle_) + ")\n" + status());
      tick(false);
      // Progress is summed every 64 cycles (a virtual call per agent): a stall is reported
      // at most 63 cycles after it lasted stall_timeout cycles.
      if ((cycle_ & 63) != 0) continue;
      const uint64_t p = total_transfers();
      if (p != progress) {
        progress = p;
        progress_cycle = cycle_;
      } else if (stall_timeout_ && cycle_ - progress_cycle >= stall_timeout_) {
        throw DeadlockError("deadlock: " + what + ": no stream transfer for " +
                            std::to_string(stall_timeout_) + " cycles (cycle " +
                            std::to_string(cycle_) + ")\n" + status());
      }
    }
    return cycle_ - start;
  }

  std::string status() const {
    std::ostringstream s;
    for (const Agent* a : agents_) s << "  " << a->status() << "\n";
    return s.str();
  }

  // Starts an FST waveform (needs TRACE_FST at verilate time; call before the first step).
  void open_trace(const std::string& path) {
#if RTLGEN_SIM_HAVE_FST
    if (trace_) return;
    Verilated::traceEverOn(true);
    trace_ = std::make_unique<VerilatedFstC>();
    model_.trace(trace_.get(), 99);
    trace_->open(path.c_str());
#else
    std::fprintf(stderr,
                 "rtlgen_sim: tracing to %s requested but the model was verilated without "
                 "TRACE_FST (configure with -DRTLGEN_RTL_TRACE=ON)\n",
                 path.c_str());
#endif
  }
  void close_trace() {
#if RTLGEN_SIM_HAVE_FST
    if (trace_) {
      trace_->close();
      trace_.reset();
    }
#endif
  }

 private:
  uint64_t total_transfers() const {
    uint64_t t = 0;
    for (const Agent* a : agents_) t += a->transfers();
    return t;
  }

  void tick(bool in_reset) {
    clk_ = 0;
    for (Agent* a : agents_) a->drive(cycle_, in_reset);
    eval();
    for (Agent* a : agents_) a->sample(cycle_, in_reset);
    for (auto& h : hooks_) h(cycle_);
    dump(cycle_ * 10);
    clk_ = 1;
    eval();
    dump(cycle_ * 10 + 5);
    ++cycle_;
  }

  void eval() {
    if (fast_eval_ && cycle_ > 0)
      fast_eval_(model_);
    else
      model_.eval();
  }

  void dump(uint64_t t) {
#if RTLGEN_SIM_HAVE_FST
    if (trace_) trace_->dump(t);
#else
    (void)t;
#endif
  }

  Model& model_;
  CData& clk_;
  CData& rst_;
  std::vector<Agent*> agents_;
  std::vector<std::function<void(uint64_t)>> hooks_;
  void (*fast_eval_)(Model&) = nullptr;
  uint64_t cycle_ = 0;
  uint64_t stall_timeout_ = 10000;
#if RTLGEN_SIM_HAVE_FST
  std::unique_ptr<VerilatedFstC> trace_;
#endif
};

}  // namespace rtlgen_sim
