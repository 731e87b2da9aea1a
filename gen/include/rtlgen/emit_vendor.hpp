// Drop-in files for vendor FPGA projects, emitted next to the RTL by `rtlgen generate`:
// vivado/create_project.tcl + XDC, quartus/<top>.qsf + create_project.tcl + SDC, an integration
// guide README.md, and a self-checking Verilog-2005 testbench (tb/) with golden-model vectors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rtlgen/hw_plan.hpp"
#include "rtlgen/ir.hpp"
#include "rtlgen/tensor.hpp"

namespace rtlgen {

// Everything the vendor files print, derived from the network and its plan (no decisions in the
// emitters).
struct VendorInfo {
  std::string top;
  double clock_mhz = 200.0;
  double period_ns = 5.0;
  std::vector<std::string> sources;  // "rtl/<file>.v", filelist order (top last)
  std::vector<std::string> mems;     // "mem/<file>.mem"
  int in_bits = 8, out_bits = 8;     // tdata widths
  int64_t cycles_per_frame = 0;      // plan estimate (bottleneck stage)
  double frames_per_second = 0.0;    // at clock_mhz
  int64_t latency_bound_cycles = 0;  // sum of the stage estimates: a frame's latency is below it
  // Parts: the network's device where it is of that vendor, else the smallest part of the
  // device table that holds the resource model's estimate (resource_model.hpp); `*_why` says
  // which, for the scripts' comments.
  std::string device;  // the network's device (YAML `device`), "" = none
  std::string vivado_part, vivado_why;
  std::string quartus_family, quartus_device, quartus_why;
  std::string input_rule;            // how to turn pixels / real values into input codes
};
VendorInfo vendor_info(const Network& net, const HwPlan& plan);

// Where the testbench vectors come from.
struct TestbenchOptions {
  std::string inputs;  // .npy/.pgm/.bmp file, directory of them, or IDX images; "" = random
  int frames = 20;     // at most this many frames
  uint64_t seed = 1;   // random frames
};

struct TestbenchVectors {
  int frames = 0;
  std::string source;                      // human description of the inputs
  std::vector<Tensor> inputs;              // network input per frame
  std::vector<std::string> input_lines;    // one hex beat per line, frames back to back
  std::vector<std::string> expected_lines; // hardware output stream (plan.output), golden model
  std::vector<std::string> class_lines;    // classifiers: golden argmax per frame (hex)
};
// Loads the inputs (IDX images and images use q = pixel - 128 for int8 inputs, as `rtlgen eval`)
// and runs the golden model. Throws rtlgen::Error for unreadable or mismatched inputs.
TestbenchVectors testbench_vectors(const Network& net, const HwPlan& plan,
                                   const TestbenchOptions& opt);
// One beat of `elems` elements starting at data[first] as hex, element i at bits [i*8 +: 8].
std::string pack_beat_hex(const std::vector<int32_t>& data, size_t first, int elems, int bits = 8);

std::string emit_testbench(const HwPlan& plan, const VendorInfo& info, const TestbenchVectors& v,
                           const std::string& command);
std::string emit_run_icarus(const HwPlan& plan, const std::string& command);
std::string emit_vivado_tcl(const VendorInfo& info, const std::string& command);
std::string emit_vivado_xdc(const VendorInfo& info, const std::string& command);
std::string emit_quartus_qsf(const VendorInfo& info, const std::string& command);
std::string emit_quartus_sdc(const VendorInfo& info, const std::string& command);
std::string emit_quartus_tcl(const VendorInfo& info, const std::string& command);
std::string emit_integration_readme(const Network& net, const HwPlan& plan,
                                    const VendorInfo& info, const TestbenchVectors& v,
                                    const std::string& command);

// Adds (or replaces) tb/<top>_tb.v, tb/input.hex, tb/expected.hex, tb/run_icarus.sh and the
// README (which names the testbench inputs).
void add_testbench_files(const Network& net, const HwPlan& plan, const std::string& command,
                         const TestbenchOptions& opt, std::map<std::string, std::string>& files);
// Packaging for other flows (gen/src/emit/emit_ip.cpp): OUT/<top>.core (FuseSoC CAPI2: targets
// default, sim under Icarus or Verilator, lint), OUT/ip/component.xml (IP-XACT 1685-2014 with
// AXI4-Stream, clock and reset bus interfaces, file set with the .mem files) and
// OUT/tb/cocotb/ (test_<top>.py + run_cocotb.py), all reading the tb/ vectors.
std::string emit_fusesoc_core(const HwPlan& plan, const VendorInfo& info, const std::string& command);
std::string emit_ipxact_component(const Network& net, const HwPlan& plan, const VendorInfo& info,
                                  const std::string& command);
std::string emit_cocotb_test(const HwPlan& plan, const VendorInfo& info, const std::string& command);
std::string emit_cocotb_runner(const HwPlan& plan, const VendorInfo& info,
                               const std::string& command);
void add_integration_files(const Network& net, const HwPlan& plan, const std::string& command,
                           std::map<std::string, std::string>& files);
// All vendor files (testbench with default options: 20 random frames, seed 1).
void add_vendor_files(const Network& net, const HwPlan& plan, const std::string& command,
                      std::map<std::string, std::string>& files);

}  // namespace rtlgen
