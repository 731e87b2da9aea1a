// `rtlgen pnr OUT`: the open FPGA flow on a generated design. Yosys synth_ecp5, nextpnr-ecp5
// (timing-driven, fixed seed) and ecppack on a Lattice ECP5 part; writes OUT/pnr/ (wrapper,
// constraints, scripts, logs, netlist, bitstream) and OUT/pnr_report.json: post-route Fmax per
// clock, utilisation of every resource type against the device, and the critical path named by
// rtlgen instance, template and layer. The design's report.txt, report.json and README.md are
// then restated at the measured clock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rtlgen/device.hpp"

namespace rtlgen {

struct PnrOptions {
  std::string out_dir;                // a directory written by `rtlgen generate`
  std::string device = "LFE5U-85F";   // part, full ordering part or board (find_device)
  double freq_mhz = 0;                // clock constraint; 0 = the YAML's target_clock_mhz
  uint64_t seed = 1;                  // nextpnr placer seed (a fixed seed gives the same result)
  std::string yosys, nextpnr, ecppack;  // executables; "" = native if new enough, else yowasp
};

// One port of a Verilog module header: `input wire [7:0] s_axis_tdata`.
struct VerilogPort {
  std::string name;
  bool input = true;
  int width = 1;
};

// The ports of `module_name` in Verilog source text (ANSI header, numeric widths, as rtlgen and
// the bench write them). Throws rtlgen::Error naming `what` when the header cannot be read.
std::vector<VerilogPort> parse_module_ports(const std::string& verilog,
                                            const std::string& module_name,
                                            const std::string& what);

// Instance name -> module name of the instances in a generated top.
std::map<std::string, std::string> parse_instances(const std::string& verilog);

// Verilog of the place-and-route wrapper `rtlgen_pnr_wrapper` around `top`: the clock goes
// straight in; every other 1-bit port is registered to or from a pin of its own; all wider
// inputs are loaded from one pin through a shift register and all wider outputs are captured in
// one register shifted out through one pin. Every path of the design then starts and ends at a
// flip-flop and a design with ports of any width needs a handful of pins.
std::string pnr_wrapper_verilog(const std::string& top, const std::vector<VerilogPort>& ports,
                                const std::string& clock_port, const std::string& banner);
// Pins the wrapper uses (the clock included).
int pnr_wrapper_pins(const std::vector<VerilogPort>& ports);

// A resource the synthesised netlist needs more of than the device has.
struct FitProblem {
  std::string resource;  // "MULT18X18D"
  int64_t needed = 0, available = 0;
  std::string advice;    // what to change
};
// Compares Yosys' synth_ecp5 cell counts with the device (logic: LUT4 + 2 per CCU2C + 4 per
// TRELLIS_DPR16X4, a lower bound of nextpnr's TRELLIS_COMB).
std::vector<FitProblem> check_ecp5_fit(const std::map<std::string, int64_t>& cells,
                                       const Device& device);

// What rtlgen knows about the design's hierarchy, to name netlist cells.
struct DesignNames {
  std::string wrapper_instance = "dut";             // the generated top inside the wrapper
  std::map<std::string, std::string> instances;     // instance -> template module
  std::vector<std::string> layers;                  // layer names (instance name prefixes)
  std::map<std::string, std::string> cell_types;    // netlist cell -> type (Yosys JSON)
};

// Where a flattened netlist cell comes from: "dut.conv1_swg.g_port[0].ky_reg_TRELLIS_FF_Q_2"
// -> instance conv1_swg, template rtlgen_swg, layer conv1.
struct CellOrigin {
  std::string instance, template_name, layer;
};
CellOrigin cell_origin(const std::string& cell, const DesignNames& names);

// nextpnr's --report JSON (with the design's names) -> the "clocks", "utilisation" and
// "critical_paths" parts of pnr_report.json.
struct PnrClock {
  std::string name, net;
  double fmax_mhz = 0, target_mhz = 0;
};
std::vector<PnrClock> parse_nextpnr_clocks(const std::string& report_json);
std::string summarise_nextpnr_report(const std::string& report_json, const DesignNames& names);

// Runs the flow; returns the exit code. Throws rtlgen::Error for a missing tool, a design that
// does not fit (before placement) or a failing tool (naming its log).
int run_pnr(const PnrOptions& opt, const std::string& command);

}  // namespace rtlgen
