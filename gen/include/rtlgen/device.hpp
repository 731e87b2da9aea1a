// FPGA devices rtlgen folds to and writes project files for: a table of real parts with their
// resources, and board names that stand for a part in a package and speed grade.
//
// The figures are the vendors' data-sheet counts (Xilinx DS180/DS190/DS891/DS962, Intel Cyclone V
// device overview, Lattice ECP5 family data sheet FPGA-DS-02012). One device is one part in one
// package and speed grade: `find_device` resolves a part name ("xc7z020", "LFE5U-85F"), a full
// vendor part ("xc7z020clg400-1", "LFE5U-85F-6BG381C") or a board ("pynq-z2", "ulx3s-85f").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rtlgen {

enum class DeviceFamily {
  Xilinx7Series,         // DSP48E1, RAMB36E1/RAMB18E1, 6-input LUTs
  XilinxUltraScalePlus,  // DSP48E2, RAMB36E2/RAMB18E2, URAM288, 6-input LUTs
  IntelCycloneV,         // ALMs, variable-precision DSP blocks (two 18x19 multipliers), M10K
  LatticeECP5,           // LUT4, MULT18X18D, DP16KD (18 Kb)
};

struct Device {
  std::string name;    // canonical part name: "xc7z020", "5CSEMA5", "LFE5U-85F"
  std::string board;   // the board it was looked up by ("pynq-z2"), "" for a part name
  std::string vendor;  // "xilinx", "intel", "lattice"
  DeviceFamily family = DeviceFamily::Xilinx7Series;
  std::string family_name;  // "Artix-7", "Zynq-7000", "Zynq UltraScale+", "Cyclone V", "ECP5"
  // The orderable part the vendor tools are given: Vivado -part, Quartus DEVICE, the Lattice
  // ordering part number ("LFE5U-85F-6BG381C").
  std::string part;
  std::string package;  // "clg400", "F31", "CABGA381"
  std::string speed;    // "-1", "C6", "6"

  // Resources. Logic: 6-input LUTs (Xilinx), ALMs (Intel), LUT4s (Lattice); `lut_name` says
  // which. Flip-flops. LUT RAM: LUTs usable as distributed RAM (Xilinx SLICEM LUTs; ECP5 LUT4s
  // of RAM-capable slices), or for Intel the MLAB ALMs (10 ALMs per 640-bit MLAB).
  int64_t luts = 0, ffs = 0, lutram_luts = 0;
  int64_t lutram_bits = 0;  // distributed RAM capacity in bits
  int64_t dsps = 0;         // DSP48E1/E2 slices, Cyclone V DSP blocks, ECP5 MULT18X18D
  int64_t mults_18x18 = 0;  // 18x18 (or wider) multipliers the DSPs provide
  // Block RAM in the family's native block: RAMB36 (Xilinx, each splits into two RAMB18), M10K
  // (Intel), DP16KD (ECP5, 18 Kb). `bram36`/`bram18` are the Xilinx counts (bram18 = 2 x
  // bram36); for the other families `bram_blocks` of `bram_block_bits`.
  int64_t bram36 = 0, bram18 = 0;
  int64_t bram_blocks = 0, bram_block_bits = 0;
  int64_t uram = 0;  // UltraScale+ URAM288 blocks (288 Kb each)

  // Resource names as the synthesiser / place-and-route reports them.
  std::string lut_name, ff_name, dsp_name, bram_name, uram_name;

  // Lattice ECP5 only: what nextpnr-ecp5 needs (--25k/--45k/--85k, --package CABGA381,
  // --speed 6) and the speed grades that exist for the part.
  std::string nextpnr_device;             // "--85k"
  std::vector<std::string> packages;      // nextpnr names: "CABGA381", "CSFBGA285", ...
  std::vector<std::string> speed_grades;  // "6", "7", "8"

  int64_t bram_bits() const { return bram_blocks * bram_block_bits; }  // all block RAM
  int64_t uram_bits() const { return uram * 288 * 1024; }
  std::string describe() const;  // one line: part, board, resources
};

// Every device of the table (part names in their default package and speed grade).
const std::vector<Device>& known_devices();

// Board name -> the part it carries.
struct BoardAlias {
  std::string board;  // "pynq-z2"
  std::string part;   // full part as find_device accepts it: "xc7z020clg400-1"
  std::string note;   // "TUL PYNQ-Z2"
};
const std::vector<BoardAlias>& known_boards();

// Looks a device up by part name, full vendor part or board name (case-insensitive). Throws
// rtlgen::Error naming the unknown name and listing the known part and board names.
Device find_device(const std::string& name);

// "xc7z010, xc7z020, ... (boards: pynq-z2, ...)" for messages and --help.
std::string known_device_names();

}  // namespace rtlgen
