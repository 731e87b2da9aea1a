// `rtlgen sim`: builds (cached) the Verilator harness of a generated design and runs it.
#pragma once

#include <string>
#include <vector>

namespace rtlgen {

struct SimOptions {
  std::string network;      // NET.yaml or MODEL.tflite
  std::string out_dir;      // generated design (must exist: written by `rtlgen generate`)
  std::string top;          // top module name
  std::string trace;        // FST file ("" = none)
  std::vector<std::string> harness_args;  // passed through to network_sim
};

// Returns the harness's exit status (0 bit-exact, 1 mismatches, 2 error).
int run_simulation(const SimOptions& o);

}  // namespace rtlgen
