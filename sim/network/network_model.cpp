// The design-dependent half of the network harness (see network_sim.hpp): one simulation phase
// on the verilated model Vnet, with a monitor on every layer's tap port. Compiled with each
// design; keep it small, it is rebuilt for every harness.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <memory>

#include "Vnet.h"
#include "Vnet___024root.h"
#include "network_sim.hpp"
#include "rtlgen_sim/rtlgen_sim.hpp"
#include "rtlgen_taps.hpp"

// Verilator's evaluation of the model's root module, defined in the generated C++ (Verilator 5
// declares it there, not in a header). Vnet::eval() calls it after per-call bookkeeping that a
// single-threaded harness without dynamic objects does not need; a traced model also flags
// activity for the waveform writer there, so a traced harness keeps Vnet::eval().
void Vnet___024root___eval(Vnet___024root* vlSelf);

namespace network_sim {

namespace {

#if !VM_TRACE
void eval_root(Vnet& model) { Vnet___024root___eval(model.rootp); }
#endif

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

}  // namespace

bool design_classifies() { return RTLGEN_SIM_CLASSIFY != 0; }

PhaseResult run_phase(const rtlgen::HwPlan& plan, const std::vector<Frame>& frames, size_t first,
                      size_t count, std::vector<TapCheck>& checks, const PhaseOptions& opt) {
  using rtlgen::DType;
  using rtlgen_sim::AxisDriver;
  using rtlgen_sim::AxisMonitor;
  const double cpu0 = cpu_seconds();
  auto ctx = std::make_unique<VerilatedContext>();
  auto dut = std::make_unique<Vnet>(ctx.get());
  rtlgen_sim::Simulation<Vnet> sim(*dut, dut->clk, dut->rst);
  sim.stall_timeout(std::max<uint64_t>(20000, 4 * opt.budget_per_frame));
#if !VM_TRACE
  sim.eval_with(&eval_root);
#endif
  AxisDriver src("s_axis", dut->s_axis_tdata, dut->s_axis_tvalid, dut->s_axis_tready,
                 plan.input.elems, plan.input.bits, opt.seed);
  const bool prefix = opt.stall_free_frames > 0;
  src.idle_probability(prefix ? 0.0 : opt.idle);
  AxisMonitor sink("m_axis", dut->m_axis_tdata, dut->m_axis_tvalid, &dut->m_axis_tready,
                   plan.output.elems, plan.output.bits, plan.output.dtype == DType::Int8,
                   opt.seed + 1);
  sink.with_last(dut->m_axis_tlast).ready_probability(prefix ? 1.0 : opt.ready).keep_beats(false);
  PhaseResult r;
  const size_t out_elems = size_t(plan.output.shape.elements());
  size_t out_seen = 0;
  int32_t best = 0;
  int best_index = 0;
  sink.on_beat([&](const rtlgen_sim::AxisBeat& b) {
    for (auto v : b.data) {  // running argmax of the output frame (lowest index on ties)
      const size_t i = out_seen++ % out_elems;
      if (i == 0 || int32_t(v) > best) {
        best = int32_t(v);
        best_index = int(i);
      }
    }
    if (b.last) {
      r.frame_done.push_back(b.cycle);
      r.hw_argmax.push_back(best_index);
#if RTLGEN_SIM_CLASSIFY
      r.hw_class.push_back(int(dut->m_axis_tuser));  // the argmax side channel of this frame
#endif
      if (r.frame_done.size() == opt.stall_free_frames) {  // the stall-free prefix is done
        src.idle_probability(opt.idle);
        sink.ready_probability(opt.ready);
      }
      if (opt.on_frame) opt.on_frame(r.frame_done.size());
    }
  });
  auto ports = tap_ports(*dut);
  std::vector<std::unique_ptr<AxisMonitor>> taps;
  for (size_t i = 0; i < ports.size(); ++i) {
    const auto& hw = plan.layers[i];
    auto m = std::make_unique<AxisMonitor>(
        std::string("tap ") + ports[i].layer, ports[i].tdata, *ports[i].tvalid, ports[i].tready,
        hw.out.elems, hw.out.bits, hw.out.dtype == DType::Int8, opt.seed + 2 + i);
    TapCheck* c = &checks[i];
    c->cursor = 0;
    c->frame_end.clear();
    m->passive().keep_beats(false).on_beat([c](const rtlgen_sim::AxisBeat& b) {
      for (auto v : b.data) {
        if (c->cursor >= c->expected.size()) {
          ++c->mismatches;
          if (c->first.empty()) c->first = "extra beat beyond the expected frames";
          continue;
        }
        const int32_t want = c->expected[c->cursor];
        if (int32_t(v) != want) {
          if (c->mismatches == 0)
            c->first = fmt::format("frame {} element {}: expected {}, got {} (cycle {})",
                                   c->frame_offset + c->cursor / c->frame_elems,
                                   c->cursor % c->frame_elems, want, v, b.cycle);
          ++c->mismatches;
        }
        ++c->cursor;
        if (c->cursor % c->frame_elems == 0) c->frame_end.push_back(b.cycle);
      }
    });
    sim.add(*m);
    taps.push_back(std::move(m));
  }
  sim.add(src).add(sink);
  sim.reset();
  for (size_t k = 0; k < count; ++k) {
    const auto& in = frames[(first + k) % frames.size()].input.data;
    src.push_stream(std::vector<int64_t>(in.begin(), in.end()));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t start = sim.cycle();
  sim.run_until([&] { return r.frame_done.size() >= count; },
                opt.budget_per_frame * (count + 4) * 8 + 100000, "network simulation");
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cycles = sim.cycle() - start;
  r.first_input = start;
  r.cpu_seconds = cpu_seconds() - cpu0;
  return r;
}

}  // namespace network_sim
