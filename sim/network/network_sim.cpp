// Network-level cycle-accurate regression of one generated design.
//
// Drives frames into <top>_sim with random idle cycles, applies random backpressure on the
// output, watches every layer's output stream (tap ports) and compares each beat with the
// golden model's tensor for that layer. A second, stall-free run measures steady-state cycles
// per frame and latency. Writes sim_report.json. Exit status: 0 = bit-exact, 1 = mismatches,
// 2 = deadlock / protocol error / bad arguments.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "Vnet.h"
#include "rtlgen/error.hpp"
#include "rtlgen/golden.hpp"
#include "rtlgen/hw_plan.hpp"
#include "rtlgen/frames.hpp"
#include "rtlgen/network_io.hpp"
#include "rtlgen_sim/rtlgen_sim.hpp"
#include "rtlgen_taps.hpp"

namespace fs = std::filesystem;
using namespace rtlgen;
using rtlgen_sim::AxisDriver;
using rtlgen_sim::AxisMonitor;

namespace {

struct Options {
  std::string net, mem_dir, inputs, labels, report = "sim_report.json";
  int frames = 0, skip = 0, random = 0, perf_frames = 8;
  uint64_t seed = 1;
  double idle = 0.3, ready = 0.7;
};

struct Frame {
  Tensor input;
  int label = -1;
};

std::vector<Frame> load_sim_frames(const Options& o, const Network& net) {
  FrameSource src;
  src.inputs = o.inputs;  // file frames first, then --random N random frames
  src.labels = o.labels;
  src.max_frames = o.frames;
  src.skip = o.skip;
  src.random = o.random;
  src.seed = o.seed;
  Frames loaded = load_frames(net, src);
  std::vector<Frame> frames;
  for (size_t i = 0; i < loaded.inputs.size(); ++i)
    frames.push_back({std::move(loaded.inputs[i]), loaded.labels[i]});
  return frames;
}

struct TapCheck {
  std::string layer;
  std::vector<int32_t> expected;  // all frames, stream order
  size_t cursor = 0;
  uint64_t mismatches = 0;
  std::string first;
  size_t frame_elems = 0;
  std::vector<uint64_t> frame_end;  // cycle of each frame's last element on this stream
};

// One simulation phase: all `frames` through the DUT; returns output tlast cycles.
struct PhaseResult {
  std::vector<uint64_t> frame_done;  // cycle of each output tlast
  uint64_t first_input = 0;
  uint64_t cycles = 0;
  double seconds = 0;
  std::vector<int> hw_argmax;
};

PhaseResult run_phase(const HwPlan& plan, const std::vector<Frame>& frames,
                      std::vector<TapCheck>& checks, double idle, double ready, uint64_t seed,
                      uint64_t budget_per_frame, std::vector<int32_t>* output_values) {
  auto ctx = std::make_unique<VerilatedContext>();
  auto dut = std::make_unique<Vnet>(ctx.get());
  rtlgen_sim::Simulation<Vnet> sim(*dut, dut->clk, dut->rst);
  sim.stall_timeout(std::max<uint64_t>(20000, 4 * budget_per_frame));
  const bool in_signed = plan.input.dtype == DType::Int8;
  (void)in_signed;
  AxisDriver src("s_axis", dut->s_axis_tdata, dut->s_axis_tvalid, dut->s_axis_tready,
                 plan.input.elems, 8, seed);
  src.idle_probability(idle);
  AxisMonitor sink("m_axis", dut->m_axis_tdata, dut->m_axis_tvalid, &dut->m_axis_tready,
                   plan.output.elems, 8, plan.output.dtype == DType::Int8, seed + 1);
  sink.with_last(dut->m_axis_tlast).ready_probability(ready).keep_beats(false);
  PhaseResult r;
  sink.on_beat([&](const rtlgen_sim::AxisBeat& b) {
    for (auto v : b.data) output_values->push_back(int32_t(v));
    if (b.last) {
      r.frame_done.push_back(b.cycle);
#if RTLGEN_SIM_CLASSIFY
      r.hw_argmax.push_back(int(dut->m_axis_tuser));  // the argmax side channel of this frame
#endif
    }
  });
  auto ports = tap_ports(*dut);
  std::vector<std::unique_ptr<AxisMonitor>> taps;
  for (size_t i = 0; i < ports.size(); ++i) {
    const auto& hw = plan.layers[i];
    auto m = std::make_unique<AxisMonitor>(std::string("tap ") + ports[i].layer, ports[i].tdata,
                                           *ports[i].tvalid, ports[i].tready, hw.out.elems, 8,
                                           hw.out.dtype == DType::Int8, seed + 2 + i);
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
                                   c->cursor / c->frame_elems, c->cursor % c->frame_elems, want,
                                   v, b.cycle);
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
  for (const auto& f : frames)
    src.push_stream(std::vector<int64_t>(f.input.data.begin(), f.input.data.end()));
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t start = sim.cycle();
  sim.run_until([&] { return r.frame_done.size() >= frames.size(); },
                budget_per_frame * (frames.size() + 4) * 8 + 100000, "network simulation");
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cycles = sim.cycle() - start;
  r.first_input = start;
  return r;
}

int run(const Options& o) {
  const Network net = load_network(o.net);
  const HwPlan plan = plan_hardware(net);
  const std::vector<Frame> frames = load_sim_frames(o, net);
  if (frames.empty()) throw Error("no input frames");
  fmt::print("network_sim: {} ({} hardware layers), {} frames\n", plan.top, plan.layers.size(),
             frames.size());

  // Golden tensors per hardware layer, concatenated over frames.
  std::map<std::string, size_t> layer_index;
  for (size_t i = 0; i < net.layers.size(); ++i) layer_index[net.layers[i].name] = i;
  std::vector<TapCheck> checks(plan.layers.size());
  for (size_t t = 0; t < plan.layers.size(); ++t) {
    checks[t].layer = plan.layers[t].layer;
    checks[t].frame_elems = size_t(plan.layers[t].out.shape.elements());
  }
  std::vector<int> golden_argmax;
  std::vector<int32_t> golden_out;
  for (const auto& f : frames) {
    const auto outs = golden::run_network(net, f.input);
    for (size_t t = 0; t < plan.layers.size(); ++t) {
      const auto& d = outs[layer_index.at(plan.layers[t].layer)].data;
      checks[t].expected.insert(checks[t].expected.end(), d.begin(), d.end());
    }
    const auto& o_data = outs[layer_index.at(plan.output.tensor)].data;
    golden_out.insert(golden_out.end(), o_data.begin(), o_data.end());
    golden_argmax.push_back(
        int(std::max_element(o_data.begin(), o_data.end()) - o_data.begin()));
  }

  fs::current_path(o.mem_dir);  // $readmemh file names are relative to the memory directory
  const uint64_t budget = uint64_t(std::max<int64_t>(plan.est_cycles_per_frame, 1000));

  // Phase 1: all frames with random idle cycles and backpressure, every layer checked.
  std::vector<int32_t> hw_out;
  const PhaseResult stalls = run_phase(plan, frames, checks, o.idle, o.ready, o.seed, budget, &hw_out);
  uint64_t mismatches = 0;
  for (const auto& c : checks) {
    mismatches += c.mismatches;
    if (c.cursor != c.expected.size()) {
      fmt::print("  {}: only {} of {} elements seen\n", c.layer, c.cursor, c.expected.size());
      ++mismatches;
    }
  }
  // The hardware's class output (m_axis_tuser on tlast) against the golden argmax.
  uint64_t class_mismatches = 0;
#if RTLGEN_SIM_CLASSIFY
  for (size_t i = 0; i < frames.size(); ++i) {
    const int got = i < stalls.hw_argmax.size() ? stalls.hw_argmax[i] : -1;
    if (got != golden_argmax[i]) {
      if (class_mismatches == 0)
        fmt::print("  class output: frame {} expected class {}, hardware m_axis_tuser {}\n", i,
                   golden_argmax[i], got);
      ++class_mismatches;
    }
  }
  mismatches += class_mismatches;
#endif
  // Phase 2: stall-free, back-to-back frames for the cycle measurement.
  const size_t np = std::min<size_t>(frames.size(), size_t(std::max(o.perf_frames, 2)));
  std::vector<Frame> perf_frames(frames.begin(), frames.begin() + np);
  std::vector<TapCheck> perf_checks = checks;
  for (auto& c : perf_checks) {
    c.expected.resize(c.frame_elems * np);
    c.mismatches = 0;
    c.first.clear();
  }
  std::vector<int32_t> perf_out;
  const PhaseResult perf = run_phase(plan, perf_frames, perf_checks, 0.0, 1.0, o.seed + 100, budget, &perf_out);
  for (const auto& c : perf_checks) mismatches += c.mismatches;
  // Per-layer steady-state cycles per frame (stall-free run): where the pipeline is limited.
  std::vector<double> layer_cycles(perf_checks.size(), 0.0);
  for (size_t i = 0; i < perf_checks.size(); ++i) {
    const auto& e = perf_checks[i].frame_end;
    if (e.size() >= 2) layer_cycles[i] = double(e.back() - e.front()) / double(e.size() - 1);
  }

  const double cycles_per_frame =
      np >= 2 ? double(perf.frame_done.back() - perf.frame_done.front()) / double(np - 1)
              : double(perf.frame_done[0] - perf.first_input);
  const uint64_t latency = perf.frame_done.front() - perf.first_input;
  const double fps = double(np) / std::max(perf.seconds, 1e-9);

  // Classification from the hardware's own output stream.
  const size_t out_elems = size_t(plan.output.shape.elements());
  int hw_correct = 0, golden_correct = 0, labelled = 0, argmax_agree = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto b = hw_out.begin() + std::ptrdiff_t(i * out_elems);
    const int hw_arg = int(std::max_element(b, b + std::ptrdiff_t(out_elems)) - b);
    argmax_agree += hw_arg == golden_argmax[i];
    if (frames[i].label >= 0) {
      ++labelled;
      hw_correct += hw_arg == frames[i].label;
      golden_correct += golden_argmax[i] == frames[i].label;
    }
  }

  nlohmann::ordered_json j;
  j["top"] = plan.top;
  j["frames"] = frames.size();
  j["mismatches"] = mismatches;
  j["layers"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < checks.size(); ++i)
    j["layers"].push_back({{"name", checks[i].layer},
                           {"mismatches", checks[i].mismatches},
                           {"first", checks[i].first},
                           {"cycles_per_frame", layer_cycles[i]},
                           {"estimated_cycles_per_frame", plan.layers[i].est_cycles}});
  j["cycles_per_frame"] = cycles_per_frame;
  j["latency_cycles"] = latency;
  j["ideal_cycles_per_frame"] = plan.ideal_cycles_per_frame;
  j["estimated_cycles_per_frame"] = plan.est_cycles_per_frame;
  j["ratio_measured_to_ideal"] = cycles_per_frame / double(std::max<int64_t>(plan.ideal_cycles_per_frame, 1));
  j["estimate_error"] = (double(plan.est_cycles_per_frame) - cycles_per_frame) / cycles_per_frame;
  j["multipliers"] = plan.multipliers;
  j["sim_frames_per_second"] = fps;
  j["stall_phase"] = {{"idle_probability", o.idle}, {"ready_probability", o.ready},
                      {"cycles", stalls.cycles}, {"seconds", stalls.seconds}};
  j["argmax_agree_with_golden"] = argmax_agree;
  j["class_output"] = RTLGEN_SIM_CLASSIFY ? (class_mismatches ? "MISMATCH" : "bit-exact") : "none";
  j["class_output_mismatches"] = class_mismatches;
  if (labelled) {
    j["labelled_frames"] = labelled;
    j["hw_accuracy"] = double(hw_correct) / labelled;
    j["golden_accuracy"] = double(golden_correct) / labelled;
  }
  std::ofstream(o.report) << j.dump(2) << "\n";

  for (size_t i = 0; i < checks.size(); ++i) {
    const auto& c = checks[i];
    fmt::print("  {:<28} {:>10} elements  {}", c.layer, c.expected.size(),
               c.mismatches ? fmt::format("{} MISMATCHES, first: {}", c.mismatches, c.first)
                            : "bit-exact");
    if (layer_cycles[i] > 0)
      fmt::print("  {:.0f} cycles/frame (estimate {})", layer_cycles[i], plan.layers[i].est_cycles);
    fmt::print("\n");
  }
  fmt::print("frames {}, mismatches {}, cycles/frame {:.1f} (ideal {}, ratio {:.3f}; estimate {}), "
             "latency {} cycles, {} multipliers, {:.1f} frames/s simulated\n",
             frames.size(), mismatches, cycles_per_frame, plan.ideal_cycles_per_frame,
             cycles_per_frame / double(std::max<int64_t>(plan.ideal_cycles_per_frame, 1)),
             plan.est_cycles_per_frame, latency, plan.multipliers, fps);
  if (RTLGEN_SIM_CLASSIFY)
    fmt::print("class output (m_axis_tuser): {} of {} frames equal the golden argmax\n",
               frames.size() - class_mismatches, frames.size());
  if (labelled)
    fmt::print("accuracy: hardware {:.2f}%, golden {:.2f}% ({} labelled frames)\n",
               100.0 * hw_correct / labelled, 100.0 * golden_correct / labelled, labelled);
  return mismatches ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument("missing value after " + a);
      return argv[++i];
    };
    if (a == "--net") o.net = next();
    else if (a == "--mem-dir") o.mem_dir = next();
    else if (a == "--inputs") o.inputs = next();
    else if (a == "--labels") o.labels = next();
    else if (a == "--report") o.report = next();
    else if (a == "--frames") o.frames = std::stoi(next());
    else if (a == "--skip") o.skip = std::stoi(next());
    else if (a == "--random") o.random = std::stoi(next());
    else if (a == "--perf-frames") o.perf_frames = std::stoi(next());
    else if (a == "--seed") o.seed = std::stoull(next());
    else if (a == "--idle") o.idle = std::stod(next());
    else if (a == "--ready") o.ready = std::stod(next());
    else {
      fmt::print(stderr, "network_sim: unknown argument '{}'\n", a);
      return 2;
    }
  }
  try {
    o.report = fs::absolute(o.report).string();
    o.net = fs::absolute(o.net).string();
    if (!o.inputs.empty()) o.inputs = fs::absolute(o.inputs).string();
    if (!o.labels.empty()) o.labels = fs::absolute(o.labels).string();
    return run(o);
  } catch (const rtlgen_sim::DeadlockError& e) {
    fmt::print(stderr, "network_sim: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "network_sim: error: {}\n", e.what());
    return 2;
  }
}
