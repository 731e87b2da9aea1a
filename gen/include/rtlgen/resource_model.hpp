// Analytic resource and latency model of a hardware plan (before any synthesis).
//
// Per template instance, from its parameters and memory contents: LUTs (logic, excluding LUT
// RAM), flip-flops, DSP48E1s, LUT RAM cells, and block RAM as RAMB36E1 / RAMB18E1 counts.
// Calibrated against Yosys 0.23 `synth_xilinx -family xc7` (what `rtlgen synth` runs) on the
// LeNet foldings; the formulas and the measured errors are documented in resource_model.cpp
// and bench/README.md. Block RAM follows Yosys' memory_libmap cost rules for 7-series (RAMB18
// cost 129, RAMB36 cost 257, one copy per read port or per port pair, constant bit columns of
// ROMs removed, depth-1 ROMs become logic), so it is usually exact; logic is a linear fit.
//
// The latency model is a fluid model of the streaming pipeline: for every stage the cycle its
// first output beat can leave (after the rows its first window needs have arrived) and the
// cycle its last output beat of a frame leaves (no earlier than the stage's own cycles per
// frame after its start, and no earlier than the tail of work left after its last input).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtlgen/hw_plan.hpp"

namespace rtlgen {

struct ResourceCounts {
  int64_t lut = 0;     // logic LUTs (Yosys LUT1..LUT6), LUT RAM not included
  int64_t ff = 0;      // flip-flops (FD*)
  int64_t dsp = 0;     // DSP48E1
  int64_t lutram = 0;  // LUT RAM cells (RAM32M / RAM64M / RAM64X1D ...)
  int64_t ramb36 = 0;  // RAMB36E1
  int64_t ramb18 = 0;  // RAMB18E1
  double bram36() const { return double(ramb36) + 0.5 * double(ramb18); }  // 36 Kb equivalents
  void add(const ResourceCounts& o);
};

struct LayerEstimate {
  std::string layer;
  ResourceCounts res;
  int64_t first_out_cycle = 0;  // frame 0: first output beat of this stage (from first input)
  int64_t last_out_cycle = 0;   // frame 0: last output beat of this stage
};

struct ResourceEstimate {
  std::vector<LayerEstimate> layers;  // plan.layers order
  ResourceCounts glue;                // output framer, argmax, forks / skip FIFOs between layers
  ResourceCounts total;
  int64_t latency_cycles = 0;         // first input beat to last output beat of frame 0
  int64_t cycles_per_frame = 0;       // = plan.est_cycles_per_frame (the bottleneck)
};

// Estimates of one template instance (exposed for tests). `mems` are the plan's memory files
// (ROM contents decide constant bit columns).
ResourceCounts estimate_instance(const Instance& inst, const std::vector<MemFile>& mems);

// Block RAM of one memory (words x width bits, `read_ports` synchronous read ports) as Yosys
// maps it to 7-series RAMB18E1 / RAMB18E1: the cheapest of the SDP / TDP shapes.
ResourceCounts block_ram(int64_t words, int64_t width, int read_ports);

ResourceEstimate estimate_resources(const HwPlan& plan);

// Two lines: resource totals and latency (printed by `rtlgen fold`, in report.txt).
std::string resource_summary(const ResourceEstimate& est);

}  // namespace rtlgen
