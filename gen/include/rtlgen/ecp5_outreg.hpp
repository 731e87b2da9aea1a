// Block-RAM output registers for the open ECP5 flow: a netlist pass between Yosys and nextpnr.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace rtlgen {

struct OutregResult {
  int ports = 0;               // DP16KD read ports now in REGMODE OUTREG
  int flip_flops_removed = 0;  // TRELLIS_FF cells that became those output registers
  int ports_left = 0;          // DP16KD ports left alone (two per block in the 36-bit mode)
};

// Yosys (0.70 and older) never uses the output register of an ECP5 DP16KD: a read port's data
// leaves the block 5.6 ns after the clock (nextpnr's figure for speed 6), against about 1 ns
// from its output register, and that clock-to-out sits in front of whatever follows. Every
// rtlgen template registers a block RAM's read data once more in fabric, so this pass moves that
// fabric register into the block: for a read port in REGMODE NOREG each of whose used data bits
// drives exactly one TRELLIS_FF and nothing else, and those flip-flops share the port's clock
// (same polarity), one clock enable (or none) and have no set/reset, the port is switched to
// REGMODE OUTREG with OCE = that clock enable, each flip-flop's output net is driven by the data
// bit, and the flip-flops are deleted. The output register loads the block's read data on the
// clock edges where the flip-flops did, so the netlist computes the same values cycle for cycle
// (power-up contents aside: both are zero). Ports that do not match are left alone, and so are
// blocks in the 36-bit mode (DATA_WIDTH 36: one read port on both ports' data pins).
// `module` is the flattened top of Yosys' JSON netlist (modules.<top>).
OutregResult absorb_dp16kd_output_registers(nlohmann::json& module);

}  // namespace rtlgen
