// The building blocks of the ECP5 resource model (resource_model_ecp5.cpp: what its counts are
// and how they were fitted), shared by the model's own template terms and those of the
// op-table entries (OpDef::template_resources_ecp5).
#pragma once

#include <cstdint>
#include <vector>

#include "rtlgen/resource_model.hpp"

namespace rtlgen {

// TRELLIS_DPR16X4 cells of a words x width LUT RAM.
int64_t ecp5_dpr_cells(int64_t words, int64_t width);
// A multiplexer of `inputs` words of `width` bits: about one LUT4 per two inputs per bit (the
// slice's PFUMX / L6MUX21 join pairs and quads of LUT4s).
int64_t ecp5_mux_luts(int64_t inputs, int64_t width);
// MULT18X18D tiles of an a_bits x b_bits product.
int64_t ecp5_mult_tiles(int64_t a_bits, int64_t b_bits);
// Words of a block-RAM ROM (or rtlgen_mvu's input buffer) as the templates declare it in the
// open flow: wider than 18 bits and at most 512 words deep, it is declared 1024 deep, so that
// Yosys maps it in the DP16KD's 18-bit mode (whose output register `rtlgen pnr` moves into the
// block), not the 36-bit one (7d546e7, 2262ac9).
int64_t ecp5_declared_rom_words(int64_t words, int64_t declared_width);
// A written RAM in TRELLIS_DPR16X4 (asynchronous read) with its read register in flip-flops.
ResourceCounts ecp5_lut_ram(int64_t words, int64_t width);
// A RAM whose style Yosys chooses (no attribute): LUT RAM or block RAM, whichever costs less.
ResourceCounts ecp5_ram_auto(int64_t words, int64_t width);
// A ROM of `words` x `bits` varying bits, in LUT4s (MEM_STYLE 1) or block RAM;
// `declared_width`: its word as declared (its constant bit columns included).
ResourceCounts ecp5_rom(const Instance& inst, int64_t words, int64_t bits, int64_t declared_width);
// The 7-series estimate taken for ECP5 (a template not measured on ECP5).
ResourceCounts ecp5_from_xilinx7(const Instance& inst, const std::vector<MemFile>& mems);

}  // namespace rtlgen
