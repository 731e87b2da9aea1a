// The resource model for Lattice ECP5 (ResourceFamily::Ecp5 in resource_model.hpp): the cells
// of the open flow's synthesis, Yosys synth_ecp5 with RTLGEN_ECP5 defined (what `rtlgen pnr`
// runs; by default YoWASP Yosys 0.70, whose LUT4 counts are about 25% below Debian's 0.23 on
// the same RTL: LeNet small 10,537 against 14,292 LUT4 sites), per template instance:
//
//   lut     LUT4 sites of logic: LUT4 + 2 per CCU2C (a carry cell is the two LUT4s of a
//           slice); PFUMX / L6MUX21 sit beside the LUT4s of their slice and are not counted
//   ff      TRELLIS_FF
//   dsp     MULT18X18D
//   lutram  TRELLIS_DPR16X4 (16 words x 4 bits)
//   ramb18  DP16KD / PDPW16KD (18 Kb blocks; ramb36 stays 0)
//
// Multipliers, block RAM and LUT RAM are structural, and exact on the calibration designs:
//   - rtlgen_mul: one MULT18X18D per rtlgen_mvu product (operands of at most 18 bits);
//     rtlgen_mul_wide in <= 18 x 18 tiles (four when both operands are wider than 18 bits, two
//     when one is), whatever MUL_CYCLES is; a fabric multiply (rtlgen_pool's reciprocal,
//     rtlgen_dwu's product) in 18 x 18 tiles likewise;
//   - block RAM: memory_libmap's packing (block_ram_modes) over DP16KD and PDPW16KD; a weight
//     ROM read in banks (ROM_BANK_WORDS) is one bank-deep memory per bank;
//   - LUT RAM: TRELLIS_DPR16X4 per 16 words x 4 bits; rtlgen_swg's distributed line buffer is
//     one memory per row slot (LUT_ROW_BANKS), each with a read register.
// LUT4 sites and flip-flops are least-squares fits per template over 81 instances of LeNet small,
// LeNet at 64 multipliers and the DS-CNN folded to the LFE5U-85F (Yosys 0.70 synth_ecp5
// -noflatten, per instance); tests/test_resource_model.cpp holds the design totals.
// Templates not measured (rtlgen_concat, the float requantizers, ...) take the 7-series estimate
// converted: LUT4 = 2 x LUT6, a LUT RAM cell = 3 DPR16X4.
//
// This file holds the building blocks (resource_model_ecp5.hpp) and the terms of the stages
// every op's lowering shares (rtlgen_swg, rtlgen_requant, rtlgen_fifo, rtlgen_width_converter);
// the terms of an op's own templates (rtlgen_mvu, rtlgen_dwu, rtlgen_pool, rtlgen_add, ...) are
// in its op-table entry (OpDef::template_resources_ecp5, gen/src/ops/).
#include "resources/resource_model_ecp5.hpp"

#include <algorithm>
#include <cmath>

#include "ops/op.hpp"
#include "plan/instance_params.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen {

int64_t ecp5_dpr_cells(int64_t words, int64_t width) {
  return ceil_div(words, 16) * ceil_div(width, 4);
}

int64_t ecp5_mux_luts(int64_t inputs, int64_t width) {
  return inputs > 1 ? ceil_div(inputs, 2) * width : 0;
}

int64_t ecp5_mult_tiles(int64_t a_bits, int64_t b_bits) {
  return ceil_div(std::max<int64_t>(a_bits, 1), 18) * ceil_div(std::max<int64_t>(b_bits, 1), 18);
}

int64_t ecp5_declared_rom_words(int64_t words, int64_t declared_width) {
  return declared_width > 18 && words <= 512 ? 1024 : words;
}

ResourceCounts ecp5_lut_ram(int64_t words, int64_t width) {
  ResourceCounts c;
  if (words <= 0 || width <= 0) return c;
  c.lutram = ecp5_dpr_cells(words, width);
  c.lut = ecp5_mux_luts(ceil_div(words, 16), width);
  c.ff = width;
  return c;
}

// LUT RAM when its cost (4 per DPR16X4 and one per bit of each further 16-word range) is below
// block RAM's (128 per block). (The one per bit is fitted: the DS-CNN fc's 128 x 9 input buffer,
// 24 DPR16X4 or one block, is a block.)
ResourceCounts ecp5_ram_auto(int64_t words, int64_t width) {
  if (words <= 0 || width <= 0) return {};
  const ResourceCounts b = block_ram_ecp5(words, width, 1, true);
  const double lutram_cost =
      4.0 * double(ecp5_dpr_cells(words, width)) + double((ceil_div(words, 16) - 1) * width);
  if (lutram_cost < 128.0 * double(b.ramb18)) return ecp5_lut_ram(words, width);
  return b;
}

namespace {

int64_t ecp5_round(double v) { return round_count(v); }  // (the shared stages' fits)

// A ROM built from LUT4s (MEM_STYLE 1, rom_block "logic"): per varying bit column one LUT4 per
// 16 words, joined by the slice multiplexers up to 64 words and by LUT4s beyond; the read
// register in flip-flops.
ResourceCounts ecp5_lut_rom(int64_t words, int64_t bits) {
  ResourceCounts c;
  if (words <= 1 || bits <= 0) return c;
  c.lut = bits * ceil_div(words, 16) + (words > 64 ? ecp5_mux_luts(ceil_div(words, 64), bits) : 0);
  c.ff = bits;
  return c;
}

}  // namespace

ResourceCounts ecp5_rom(const Instance& inst, int64_t words, int64_t bits, int64_t declared_width) {
  if (words <= 1 || bits <= 0) return {};
  return param(inst, "MEM_STYLE") == 1
             ? ecp5_lut_rom(words, bits)
             : block_ram_ecp5(ecp5_declared_rom_words(words, declared_width), bits, 1);
}

ResourceCounts ecp5_from_xilinx7(const Instance& inst, const std::vector<MemFile>& mems) {
  const ResourceCounts x = estimate_instance(inst, mems);
  ResourceCounts c;
  c.lut = 2 * x.lut;
  c.ff = x.ff;
  c.dsp = x.dsp;
  c.lutram = 3 * x.lutram;
  c.ramb18 = x.ramb18 + 2 * x.ramb36;
  return c;
}

namespace {

// rtlgen_swg: per tap port (TPB) its counters and second read register; a LUT RAM line buffer
// as one memory per row slot (2^(CB+CWB) words: columns, and chunk words per column) whose read
// registers load zero unless theirs is the row read, ORed into the word (the open flow's
// LUT_ROW_BANKS).
ResourceCounts swg(const Instance& inst) {
  ResourceCounts c;
  const int64_t ic = param(inst, "IFM_C"), simd = param(inst, "SIMD", 1),
                eb = param(inst, "ELEM_BITS", 8), in_n = param(inst, "IN_N", 1);
  const int64_t tpb = simd > ic ? simd / ic : 1;
  const auto [depth, width] = memory_shape(inst, {});
  const SwgWord word = swg_word(inst);
  const int64_t part = in_n < word.elems ? (word.elems - in_n) * eb : 0;
  const int64_t ppb = in_n > ic && ic > 0 ? in_n / ic : 1;
  const int64_t slot = int64_t(1) << (clog2(std::max<int64_t>(param(inst, "IFM_W") / ppb, 1)) +
                                      clog2(word.per_pixel));
  const int64_t nrows = depth / slot;
  c.ff = 109 + part + tpb * (45 + width) + simd * eb;
  if (param(inst, "MEM_STYLE") == 1 && slot > 1 && nrows > 1) {
    const int64_t deep = ceil_div(slot, 16);
    c.lutram = tpb * nrows * deep * ceil_div(width, 4);
    c.ff += tpb * nrows * (width + 1);
    // (refitted after cd027a6's pixel assembly by shifting: Yosys 0.70 on the 15 LUT-RAM
    // windows of LeNet small, LeNet at 64 multipliers and the DS-CNN folded to the LFE5U-85F,
    // within 83 LUT4 sites each; before, 142.4 TPB + 2.83 ... + 1.49 ..., up to 60% over)
    c.lut =
        ecp5_round(302 + 149 * double(tpb) + 1.405 * double(tpb * width * ceil_div(nrows - 1, 3)) +
                   0.69 * double(tpb * nrows * width * (deep - 1)));
    return c;
  }
  // block RAM (or one distributed memory): the 7-series logic times 1.65 (Yosys 0.70 on the 30
  // block-RAM windows of the DS-CNN and mobilenet96)
  const ResourceCounts line = param(inst, "MEM_STYLE") == 1 ? ecp5_lut_ram(depth, width)
                                                            : block_ram_ecp5(depth, width, 1, true);
  for (int64_t i = 0; i < tpb; ++i) c.add(line);
  const bool chunks = word.tap_elems > simd;
  c.lut += ecp5_round(1.65 * (224 + 25.4 * double(tpb) +
                              (chunks ? 2.0 * double(word.tap_elems * eb) : 0.0) +
                              0.75 * double(simd * eb)));
  return c;
}

// DP16KD blocks of rtlgen_requant's block-RAM parameter ROM declared 1024 deep (18-bit mode, one
// address range), or -1 when the ROM is another shape. Yosys drops the bit columns that are the
// same in every word and lays the others, lowest first, 18 to a block; a block whose columns are
// all bits the lanes never read is removed after mapping (the ROM itself is not narrowed). A
// lane reads its bias below MUL_BITS + 1 (the multiplier takes MUL_BITS of x = acc + bias;
// Yosys 0.70 keeps one bit more behind the shifter) or, with single rounding (a = x, no
// shifter), below MUL_BITS, where shift bits 6 and 7 are unread too. Measured (synth_ecp5
// -noflatten; synthetic 64-word ROMs and the DS-CNN's): 62 columns, MUL_BITS 20-23: 3 blocks,
// not 4; MUL_BITS 24 and 25: 4.
int64_t ecp5_requant_rom_blocks(const Instance& inst, const std::vector<MemFile>& mems,
                                int64_t declared_words) {
  const std::string file = param_str(inst, "PARAM_FILE");
  const auto mem =
      std::find_if(mems.begin(), mems.end(), [&](const MemFile& m) { return m.name == file; });
  const int64_t pe = std::max<int64_t>(param(inst, "PE", 1), 1);
  if (declared_words != 1024 || mem == mems.end() || mem->words.empty()) return -1;
  const int64_t width = pe * 72;
  const std::vector<bool> varies = mem->varying_columns();
  if (int64_t(varies.size()) < width) return -1;
  const bool single_rounding = param(inst, "ROUNDING") == 1;
  const int64_t bias_read =
      std::min<int64_t>(param(inst, "MUL_BITS", 32) + (single_rounding ? 0 : 1), 32);
  std::vector<bool> read;  // per varying column, lowest first: read by the lane
  for (int64_t b = 0; b < width; ++b) {
    const int64_t field_bit = b % 72;  // {bias[31:0], M[31:0], shift[7:0]}
    if (varies[size_t(b)])
      read.push_back(field_bit >= 40 ? field_bit - 40 < bias_read
                                     : field_bit >= 8 || field_bit < 6 || !single_rounding);
  }
  int64_t blocks = 0;
  for (size_t col = 0; col < read.size(); col += 18)
    blocks += std::any_of(read.begin() + std::ptrdiff_t(col),
                          read.begin() + std::ptrdiff_t(std::min(read.size(), col + 18)),
                          [](bool r) { return r; });
  return blocks;
}

}  // namespace

ResourceCounts block_ram_ecp5(int64_t words, int64_t width, int read_ports, bool written) {
  return block_ram_modes(words, width, read_ports, written, BlockRamFamily::Ecp5);
}

ResourceCounts estimate_instance_ecp5(const Instance& inst, const std::vector<MemFile>& mems) {
  ResourceCounts c;
  const std::string& m = inst.module;
  if (op_template_resources_ecp5(inst, mems, &c)) return c;  // an op's own template
  if (m == "rtlgen_swg") return swg(inst);
  if (m == "rtlgen_requant") {
    // per lane the multiplier tiles (b: the 32-bit multiplier), the shifters, rounding and clamp
    // and the pipeline
    const int64_t pe = param(inst, "PE", 1);
    c.dsp = pe * ecp5_mult_tiles(param(inst, "MUL_BITS", 32), 32);
    const auto [words, bits] = memory_shape(inst, mems);
    // (a parameter ROM of more than 32 words is block RAM in the open flow, whatever MEM_STYLE)
    Instance block = inst;
    for (auto& [k, v] : block.params)
      if (k == "MEM_STYLE" && words > 32) v = ParamValue::integer(0);
    ResourceCounts prm = ecp5_rom(block, words, bits, pe * 72);
    if (param(block, "MEM_STYLE") != 1) {
      const int64_t blocks =
          ecp5_requant_rom_blocks(inst, mems, ecp5_declared_rom_words(words, pe * 72));
      if (blocks >= 0) prm.ramb18 = blocks;
    }
    // (LeNet small after 2262ac9: the lanes with a block-RAM ROM take 407-644 LUT4 sites and
    // 524-579 FF, those with a LUT ROM 287-601 and 437-539)
    const bool lut_rom_lanes = param(block, "MEM_STYLE") == 1;
    c.lut = ecp5_round((lut_rom_lanes ? 300.0 : 525.0) * double(pe) + 1.33 * double(prm.lut));
    c.ff = (lut_rom_lanes ? 420 : 550) * pe + prm.ff;
    c.ramb18 = prm.ramb18;
    return c;
  }
  if (m == "rtlgen_fifo") {
    const int64_t w =
        param(inst, "WIDTH", 8) + (param(inst, "LAST_ENABLE") ? 1 : 0) + param(inst, "USER_WIDTH");
    const int64_t depth = param(inst, "DEPTH", 16);
    // pointers and counts of clog2(DEPTH) bits (ResNet-8's 602 x 16 skip FIFO: 103 LUT4
    // sites, 77 FF)
    const int64_t extra_bits = std::max<int64_t>(clog2(depth) - 4, 0);
    c.lut = 28 + 12 * extra_bits;
    c.ff = 15 + 5 * extra_bits;  // + the output register (the LUT RAM's read, or the BRAM's)
    if (depth >= kFifoBlockRamMinDepth) {
      // the read register sits in the block (no_rw_check: no collision logic behind it), the
      // OUT_REG stage in fabric until `rtlgen pnr` moves it in (Yosys 0.23, 602 x 16: 33 FF
      // without OUT_REG, 50 with)
      c.add(block_ram_ecp5(depth, w, 1, true));
      c.ff += w * param(inst, "OUT_REG");
    } else {
      c.add(ecp5_lut_ram(depth, w));
    }
    return c;
  }
  if (m == "rtlgen_width_converter") {
    const int64_t in_bits = param(inst, "IN_N", 1) * param(inst, "ELEM_BITS", 8),
                  out_bits = param(inst, "OUT_N", 1) * param(inst, "ELEM_BITS", 8);
    if (out_bits > in_bits) {  // up: the word assembled OUT_N / IN_N beats at a time
      const double k = double(out_bits) / double(in_bits);
      c.lut = ecp5_round(10 + double(out_bits) * (0.4 + 0.2 * k));
      c.ff =
          std::max<int64_t>(ecp5_round(3.5 + 2.02 * double(out_bits) - 1.07 * double(in_bits)), 10);
    } else {  // down: the word held and sent in slices (about one LUT4 per bit), and the skid
      // register's slice and output choice (rtlgen_skid)
      c.lut = 10 + in_bits + out_bits;
      c.ff = ecp5_round(3.5 + 1.01 * double(in_bits)) + out_bits + 2;
    }
    return c;
  }
  if (m == "rtlgen_argmax" || m == "rtlgen_tlast_gen") return estimate_instance(inst, mems);
  return ecp5_from_xilinx7(inst, mems);
}

}  // namespace rtlgen
