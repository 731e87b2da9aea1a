// Analytic resource and latency model (see resource_model.hpp).
//
// Calibration: Yosys 0.23 synth_xilinx -family xc7 on configs/lenet_small.yaml (30 multipliers)
// and configs/lenet.yaml (712 multipliers), per instance (xilinx_stat.json + the top's instance
// list); the linear coefficients below are least-squares fits over those 45 instances, rounded.
// Errors of the totals against Yosys are listed in bench/README.md (and re-measured by
// bench/run_bench.py --synth).
//
//   rtlgen_requant  DSP = rtlgen_mul_wide's per lane: 2 (MUL_BITS <= 25: two 25x18 tiles; 1 at
//                   MUL_CYCLES 2, both tiles on one multiplier) or 4 (2x2 <= 18x18 tiles)
//                   LUT = 290 per lane whose multiplier/shift vary over the ROM words, 90 per
//                   lane with constant ones (per-tensor MobileNet uint8, or one channel group:
//                   Yosys folds the shifters away),
//                   FF = 290 per lane (380 at MUL_CYCLES 2); ROM CHANNELS/PE x PE*72 (one read
//                   port)
//   rtlgen_swg      LUT = 224 + 25 TPB + 2.0 TAP_W [TAP_E > SIMD] + 0.75 SIMD*8
//                   (the chunk select out of the TAP_E elements of a tap in a word read, the
//                   pixel or a chunk word of WORD_N: 3.9 fitted on LeNet's 48-bit pixels, 2.0
//                   on MobileNet's 64..2048-bit pixels; the wide ones dominate, so 2.0)
//                   FF  = 109 + (WORD_E - IN_N)*8 [IN_N < WORD_E] + TPB*(45 + WORD_W) + SIMD*8
//                   (pixel assembly, per tap port its counters and second read register,
//                   output register; + WORD_W per port for a LUT RAM line buffer's read
//                   register; structural, within 6% on the MLPerf Tiny DS-CNN's swg)
//                   line buffer: TPB copies of NROWS*IFM_W x IFM_C*8 (pixel words) or of
//                   NROWS*IFM_W*2^ceil(log2(IFM_C/WORD_N)) x WORD_N*8 (chunk words)
//   rtlgen_fifo     LUT 10, FF 12 + WIDTH, LUT RAM ceil(WIDTH/6) (16 deep)
//   others          small structural estimates (width converter, framer, argmax, fork)
//
// The ops' own templates (rtlgen_mvu, rtlgen_dwu, rtlgen_dwu_shared, the pools, rtlgen_add,
// rtlgen_concat, ...) have their terms, calibration notes and latencies in their op-table
// entries (gen/src/ops/, OpDef::template_resources / template_latency).
//
// Memory style (MEM_STYLE of rtlgen_swg / rtlgen_mvu / rtlgen_dwu / rtlgen_requant, set by
// choose_memory_styles() from distributed_memory()): a memory goes to LUTs when block RAM would
// hold fewer than 4,096 of its bits per RAMB18 (< 22% of 18 Kb) and it has at most 32,768 bits;
// block RAM otherwise. A LUT ROM costs ~1 LUT6 per varying bit column per 64 words (Yosys builds
// it as logic: its LUT RAM maps refuse ROMs), a LUT RAM line buffer RAM64M/RAM32M cells; both
// move the read register from the block RAM into flip-flops.
#include "rtlgen/resource_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "ops/op.hpp"
#include "plan/instance_params.hpp"
#include "rtlgen/error.hpp"

namespace rtlgen {

void ResourceCounts::add(const ResourceCounts& o) {
  lut += o.lut;
  ff += o.ff;
  dsp += o.dsp;
  lutram += o.lutram;
  ramb36 += o.ramb36;
  ramb18 += o.ramb18;
  srl += o.srl;
}

int64_t lutram_units(int64_t words, int64_t width) {
  if (words <= 32) return ceil_div(width, 6);
  return ceil_div(words, 64) * ceil_div(width, 3);
}

ResourceCounts ram_auto(int64_t words, int64_t width) {
  ResourceCounts c;
  if (words <= 0 || width <= 0) return c;
  const ResourceCounts b = block_ram(words, width, 1, true);
  const int64_t bram_cost = b.ramb36 * 257 + b.ramb18 * 129;
  const int64_t lr = lutram_units(words, width);
  if (lr * 8 <= bram_cost) {
    c.lutram = lr;
    if (words > 64) c.lut += ceil_div(words, 64) * width / 2;  // read multiplexers
  } else {
    c = b;
  }
  return c;
}

namespace {

// A ROM built from LUTs (MEM_STYLE 1; Yosys "logic"): per varying bit column one LUT6 per 64
// words (two 5-input columns share a LUT6 up to 32 words; MUXF7/F8 join up to 256 words, LUTs
// beyond), plus the read register in flip-flops (block RAM absorbs it).
ResourceCounts lut_rom(int64_t words, int64_t bits) {
  ResourceCounts c;
  if (words <= 1 || bits <= 0) return c;
  c.lut = words <= 32 ? ceil_div(bits, 2) : bits * ceil_div(words, 64);
  if (words > 256) c.lut += bits * ceil_div(words, 256) / 2;
  c.ff = bits;
  return c;
}

// A written RAM in LUT RAM (MEM_STYLE 1): RAM64M / RAM32M cells, read multiplexers beyond 64
// words, and the read register in flip-flops.
ResourceCounts lut_ram(int64_t words, int64_t width) {
  ResourceCounts c;
  if (words <= 0 || width <= 0) return c;
  c.lutram = lutram_units(words, width);
  if (words > 64) c.lut += ceil_div(words, 64) * width / 2;
  c.ff = width;
  return c;
}

// rtlgen_swg's line buffer (one copy of TPB): {words, bits}. A row slot holds
// 2^ceil(log2(words per row)) words ({slot, column} addressing; chunk words: a column of
// 2^ceil(log2(words per pixel)), {slot, column, chunk}).
std::pair<int64_t, int64_t> swg_line_shape(const Instance& inst) {
  const int64_t ih = param(inst, "IFM_H"), iw = param(inst, "IFM_W"), ic = param(inst, "IFM_C"),
                kh = param(inst, "K_H"), sh = param(inst, "STRIDE_H", 1), pt = param(inst, "PAD_T"),
                pb = param(inst, "PAD_B"), in_n = param(inst, "IN_N", 1);
  const int64_t ofm_h = (ih + pt + pb - kh) / sh + 1;
  const int64_t y0_last = (ofm_h - 1) * sh - pt, lo_last = std::max<int64_t>(y0_last, 0);
  const int64_t need0 = std::min(kh - pt, ih);
  const int64_t nrows = std::max(kh + sh + 1, ih - lo_last + need0);
  const int64_t ppb = in_n > ic && ic > 0 ? in_n / ic : 1;
  const int64_t wpr = std::max<int64_t>(iw / ppb, 1);
  const SwgWord word = swg_word(inst);
  return {nrows << (clog2(wpr) + clog2(word.per_pixel)), word.elems * param(inst, "ELEM_BITS", 8)};
}

}  // namespace

ResourceCounts rom_resources(const Instance& inst, int64_t words, int64_t bits) {
  if (words <= 1 || bits <= 0) return {};
  // (ROM_BANK_WORDS banks exist only in the open ECP5 flow, not in this Xilinx model)
  return param(inst, "MEM_STYLE") == 1 ? lut_rom(words, bits) : block_ram(words, bits, 1);
}

std::pair<int64_t, int64_t> rom_shape(const std::vector<MemFile>& mems, const std::string& file,
                                      int64_t lsb, int64_t count) {
  for (const auto& m : mems) {
    if (m.name != file) continue;
    if (m.words.empty()) return {0, 0};
    const std::vector<bool> varies = m.varying_columns();
    const int64_t n = int64_t(varies.size()), lo = std::clamp<int64_t>(lsb, 0, n);
    const int64_t hi = count >= n - lo ? n : lo + std::max<int64_t>(count, 0);
    return {int64_t(m.words.size()), std::count(varies.begin() + std::ptrdiff_t(lo),
                                                varies.begin() + std::ptrdiff_t(hi), true)};
  }
  return {0, 0};
}

std::pair<int64_t, int64_t> memory_shape(const Instance& inst, const std::vector<MemFile>& mems) {
  const std::string& m = inst.module;
  const int64_t pe = param(inst, "PE", 1);
  std::pair<int64_t, int64_t> shape{0, 0};
  if (m == "rtlgen_swg") return swg_line_shape(inst);
  if (m == "rtlgen_mvu") {
    shape = rom_shape(mems, param_str(inst, "WEIGHT_FILE"));
    if (shape.first == 0) {
      const int64_t simd = param(inst, "SIMD", 1);
      shape = {ceil_div(param(inst, "MH"), pe) * ceil_div(param(inst, "MW"), simd), pe * simd * 8};
    }
  } else if (m == "rtlgen_requant") {
    shape = rom_shape(mems, param_str(inst, "PARAM_FILE"));
    if (shape.first == 0) shape = {ceil_div(param(inst, "CHANNELS", 1), pe), 72 * pe};
  } else if (m == "rtlgen_dwu") {
    shape = rom_shape(mems, param_str(inst, "WEIGHT_FILE"));
    if (shape.first == 0)
      shape = {ceil_div(param(inst, "CHANNELS", 1), pe) * param(inst, "TAPS", 9), pe * 8};
  }
  return shape;
}

Instance unit_requantizer(const Instance& dwu_shared) {
  Instance r{"rtlgen_requant", dwu_shared.name + "/u_requant", {}, {}};
  for (const auto& [k, v] : dwu_shared.params) {
    if (k == "RQ_PE")
      r.params.emplace_back("PE", v);
    else if (k == "PARAM_MEM_STYLE")
      r.params.emplace_back("MEM_STYLE", v);
    else if (k == "N")
      r.params.emplace_back("LAYERS", v);
    else if (k == "ACC_BITS" || k == "MUL_BITS" || k == "MUL_CYCLES" || k == "PARAM_FILE")
      r.params.emplace_back(k, v);
  }
  return r;
}

bool distributed_memory(int64_t words, int64_t width) {
  if (words <= 0 || width <= 0) return false;
  const int64_t bits = words * width;
  const ResourceCounts b = block_ram(words, width, 1);
  const int64_t ramb18 = 2 * b.ramb36 + b.ramb18;
  const int64_t max_bits =
      words <= kDistributedShallowWords ? kDistributedShallowMaxBits : kDistributedMaxBits;
  return bits <= max_bits && bits < kDistributedBitsPerRamb18 * ramb18;
}

ResourceCounts block_ram(int64_t words, int64_t width, int read_ports, bool written) {
  return block_ram_modes(words, width, read_ports, written, BlockRamFamily::Xilinx7);
}

ResourceCounts block_ram_modes(int64_t words, int64_t width, int read_ports, bool written,
                               BlockRamFamily family) {
  ResourceCounts best;
  if (words <= 0 || width <= 0) return best;
  read_ports = std::max(read_ports, 1);
  // Yosys memory_libmap: per block RAM mode and data width w (depth 2^abits / w), the memory is
  // cut into mult_a = ceil(words / depth) address ranges whose words are laid side by side and
  // packed into ceil(mult_a * word / w) units: a 1,152 x 128 ROM takes 3 x 128 bits in 11
  // RAMB18 at 512 x 36, not 12. Cost: the mode's cost per unit plus 0.5 per bit of the read
  // multiplexer over the ranges; the cheapest wins (true dual port first on a tie, as in the
  // library). A written memory's word is padded to whole 9-bit bytes of the write enable
  // (widths >= 9).
  struct Mode {
    int abits;
    int max_width_log2;  // index into kWidths
    int cost;
    int64_t ramb36_per_unit, ramb18_per_unit;
    bool tdp;
    bool write_36_only;  // a written memory takes this mode only 36 bits wide (PDPW16KD)
  };
  static const int64_t kWidths[] = {1, 2, 4, 9, 18, 36, 72};
  // Yosys 0.23 brams_xc4v.txt (xc7: HAS_SIZE_36, HAS_CASCADE, HAS_MIXWIDTH_SDP)
  static const Mode kXilinx7[] = {{14, 4, 129, 0, 1, true, false},    // TDP RAMB18, <= 18 bits
                                  {15, 5, 257, 1, 0, true, false},    // TDP RAMB36, <= 36
                                  {16, 3, 513, 2, 0, true, false},    // TDP 2 cascaded RAMB36
                                  {14, 5, 129, 0, 1, false, false},   // SDP RAMB18, <= 36
                                  {15, 6, 257, 1, 0, false, false}};  // SDP RAMB36, <= 72
  // Yosys 0.23 and 0.70 ecp5 brams.txt (the same): DP16KD true dual port up to 18 bits a port,
  // PDPW16KD one read port up to 36 bits and a 36-bit write port; counted as ramb18
  static const Mode kEcp5[] = {{14, 4, 128, 0, 1, true, false},   // DP16KD
                               {14, 5, 128, 0, 1, false, true}};  // PDPW16KD
  const Mode* modes = family == BlockRamFamily::Ecp5 ? kEcp5 : kXilinx7;
  const size_t n_modes = family == BlockRamFamily::Ecp5 ? std::size(kEcp5) : std::size(kXilinx7);
  double best_cost = 0;
  bool found = false;
  for (size_t k = 0; k < n_modes; ++k) {
    const Mode& m = modes[k];
    // a true-dual-port copy serves two read ports (of a ROM), a simple-dual-port copy one
    const int64_t copies = m.tdp && !written ? ceil_div(read_ports, 2) : read_ports;
    for (int b = 0; b <= m.max_width_log2; ++b) {
      if (written && m.write_36_only && b != m.max_width_log2) continue;
      const int64_t unit_width = kWidths[b];
      const int64_t byte = written ? std::min<int64_t>(9, unit_width) : 1;
      const int64_t word = ceil_div(width, byte) * byte;
      const int64_t ranges = ceil_div(words, int64_t(1) << (m.abits - b));
      const int64_t units = ceil_div(ranges * word, unit_width);
      const double cost =
          double(m.cost * units * copies) + 0.5 * double((ranges - 1) * width * read_ports);
      if (!found || cost < best_cost) {
        found = true;
        best_cost = cost;
        best = ResourceCounts{};
        best.ramb36 = m.ramb36_per_unit * units * copies;
        best.ramb18 = m.ramb18_per_unit * units * copies;
        // the read multiplexer over the ranges in LUT6 (4:1 each): ResNet-8's 1,152 x 256 ROM
        // in three ranges, 264 LUT more than a one-range MVU of its shape; in LUT4 (2:1, with
        // the slice's PFUMX / L6MUX21 joining them) on ECP5
        best.lut = family == BlockRamFamily::Ecp5 ? (ranges > 1 ? ceil_div(ranges, 2) * width : 0)
                                                  : (ranges - 1 + 2) / 3 * width;
        best.lut *= read_ports;
      }
    }
  }
  return best;
}

int64_t mul_wide_dsp(int64_t a_bits, int64_t cycles) {
  if (a_bits > 25) return 4;
  return cycles == 2 ? 1 : 2;
}

ResourceCounts estimate_instance(const Instance& inst, const std::vector<MemFile>& mems) {
  ResourceCounts c;
  const std::string& m = inst.module;
  if (op_template_resources(inst, mems, &c)) return c;  // the op table's own templates
  if (m == "rtlgen_requant") {
    const int64_t pe = param(inst, "PE", 1);
    c.dsp = mul_wide_dsp(param(inst, "MUL_BITS", 32), param(inst, "MUL_CYCLES", 1)) * pe;
    // A lane whose multiplier / shift (bits 0..39 of its {bias, multiplier, shift}) vary over
    // the ROM words needs the variable shifters; a constant one (per-tensor MobileNet uint8,
    // or a single channel group) is folded away by Yosys.
    const std::string pf = param_str(inst, "PARAM_FILE");
    for (int64_t p = 0; p < pe; ++p) {
      const bool varies = rom_shape(mems, pf, p * 72, 40).second > 0;
      c.lut += varies ? 290 : 90;
    }
    // (Yosys, LeNet at 64 multipliers: a half-rate lane keeps its operands and the alternating
    // multiplier input in fabric registers, ~90 FF more than a full-rate one)
    c.ff = (param(inst, "MUL_CYCLES", 1) == 2 ? 380 : 290) * pe;
    const auto [words, bits] = memory_shape(inst, mems);
    c.add(rom_resources(inst, words, bits));
  } else if (m == "rtlgen_requant_float") {
    // |x| * MANT on rtlgen_mul_wide (25 x 25 bits); priority encoder, two variable shifters and
    // comparators for the two roundings (estimate, not yet fitted to Yosys)
    const int64_t pe = param(inst, "PE", 1), ch = param(inst, "CHANNELS", 1);
    c.dsp = mul_wide_dsp(25) * pe;
    c.lut = 450 * pe;
    c.ff = 420 * pe;
    auto [words, bits] = rom_shape(mems, param_str(inst, "PARAM_FILE"));
    if (words == 0) words = ceil_div(ch, pe), bits = 64 * pe;
    if (words > 1 && bits > 0) c.add(block_ram(words, bits, 1));
  } else if (m == "rtlgen_swg") {
    const int64_t ic = param(inst, "IFM_C"), simd = param(inst, "SIMD", 1);
    const int64_t tpb = simd > ic ? simd / ic : 1;
    // the chunk select: SIMD elements out of the tap's pixel (pixel words) or out of a chunk
    // word holding several SIMD chunks; none when a word is one chunk
    const SwgWord word = swg_word(inst);
    const bool chunks = word.tap_elems > simd;
    const int64_t eb = param(inst, "ELEM_BITS", 8), tap_w = word.tap_elems * eb;
    c.lut = round_count(224 + 25.4 * double(tpb) + (chunks ? 2.0 * double(tap_w) : 0.0) +
                        0.75 * double(simd * eb));
    const auto [depth, width] = swg_line_shape(inst);
    // Registers: the part of a word that arrives before its last beat (IN_N below the word),
    // per tap port its position counters (~45) and the second read data register (a word), the
    // output register; a LUT RAM line buffer adds its read register (lut_ram).
    const int64_t in_n = param(inst, "IN_N", 1);
    const int64_t part = in_n < word.elems ? (word.elems - in_n) * eb : 0;
    c.ff = 109 + part + tpb * (45 + width) + simd * eb;
    const ResourceCounts line =
        param(inst, "MEM_STYLE") == 1 ? lut_ram(depth, width) : block_ram(depth, width, 1, true);
    for (int64_t i = 0; i < tpb; ++i) c.add(line);
  } else if (m == "rtlgen_fifo") {
    const int64_t w =
        param(inst, "WIDTH", 8) + (param(inst, "LAST_ENABLE") ? 1 : 0) + param(inst, "USER_WIDTH");
    const int64_t depth = param(inst, "DEPTH", 16);
    c.lut = 10 + (depth > 64 ? ceil_div(depth, 64) * w / 2 : 0);
    c.ff = 12 + w * (1 + param(inst, "OUT_REG"));
    if (depth >= kFifoBlockRamMinDepth) {
      c.add(block_ram(depth, w, 1, true));
    } else if (depth > 64) {
      // Yosys' own choice by cost (zoo resnet8 at the xc7z020: a 247 x 33 skip FIFO in a
      // RAMB18, which the model had in 44 LUT RAM cells)
      c.add(ram_auto(depth, w));
    } else {
      c.lutram = lutram_units(depth, w);
    }
  } else if (m == "rtlgen_width_converter") {
    const int64_t in_n = param(inst, "IN_N", 1), out_n = param(inst, "OUT_N", 1),
                  eb = param(inst, "ELEM_BITS", 8);
    const int64_t n = std::max(in_n, out_n) * eb / 8;
    // down (IN_N > OUT_N): the held word shifts out OUT_N elements at a time, one LUT and one
    // FF per input bit (Yosys 0.23 on the templates since 7d546e7, nine down converters of zoo
    // fc_autoencoder, resnet8 and dscnn_kws at the xc7z020: 640 -> 80 x 8 bits 5,131 LUT /
    // 5,126 FF, 8 -> 1 x 19 bits 163 / 158, 2 -> 1 x 8 bits 23 / 19; 1.7 LUT per bit before,
    // fitted on the word[idx*OUT_W +: OUT_W] slice: 8,244 LUT at 640 -> 80)
    c.lut = in_n > out_n ? 10 + in_n * eb : 10 + 7 * n;
    c.ff = in_n > out_n ? 5 + in_n * eb : 20 + 10 * n;
  } else if (m == "rtlgen_fork") {
    const int64_t k = param(inst, "N_OUT", 2);
    c.lut = 2 + 2 * k;
    c.ff = k;
  } else if (m == "rtlgen_argmax") {
    const int64_t n = param(inst, "N", 1), idx = param(inst, "IDX_BITS", 8);
    c.lut = 10 + n * (12 + idx) + idx * 2;
    c.ff = 10 + n * 8 + 2 * idx;
  } else if (m == "rtlgen_requant_shift") {
    // Not calibrated against Yosys yet: one multiplier by a constant and about 3 adders of
    // ACC_BITS..PROD_BITS bits per lane, a bias ROM of CHANNELS x 32 bits.
    const int64_t pe = param(inst, "PE", 1), ch = param(inst, "CHANNELS", 1),
                  prod = param(inst, "PROD_BITS", 40);
    c.dsp = pe * ceil_div(prod, 36);
    c.lut = pe * 3 * prod;
    c.ff = pe * 5 * prod;
    if (ceil_div(ch, pe) > 1) c.add(block_ram(ceil_div(ch, pe), 32 * pe, 1));
  } else if (m == "rtlgen_tlast_gen") {
    c.lut = 2 + clog2(std::max<int64_t>(param(inst, "BEATS", 2), 2));
    c.ff = 1 + clog2(std::max<int64_t>(param(inst, "BEATS", 2), 2));
  } else {
    c.lut = 50;  // unknown template: a token amount
    c.ff = 50;
  }
  // Shift registers Yosys puts in SRL16E (delay lines of the control and tag pipelines; per
  // instance, the seed MobileNet at 198 multipliers: 226 in all)
  // (the ops' own templates count theirs in their op-table entries)
  static const std::map<std::string, int64_t> kSrl = {{"rtlgen_requant", 10}, {"rtlgen_swg", 1}};
  const auto srl = kSrl.find(m);
  if (srl != kSrl.end()) c.srl = srl->second;
  return c;
}

namespace {

const Instance* find_module(const HwLayer& hw, const std::string& module) {
  for (const auto& inst : hw.instances)
    if (inst.module == module) return &inst;
  return nullptr;
}

}  // namespace

// Register stages of one template instance, as its header comment states (rtl_templates/*.v):
// the one place the latency model and the skip-FIFO slack take them from.
int64_t template_latency(const Instance& inst) {
  const std::string& m = inst.module;
  if (const std::optional<int64_t> v = op_template_latency(inst)) return *v;  // the op table's
  if (m == "rtlgen_swg") return 4;  // row/need check, RAM read, RAM output register, tap select
  if (m == "rtlgen_requant") return 12;
  if (m == "rtlgen_requant_float") return 16;
  if (m == "rtlgen_requant_shift") return 7;
  if (m == "rtlgen_fifo") return 2 + param(inst, "OUT_REG");
  if (m == "rtlgen_width_converter") return 2;
  if (m == "rtlgen_argmax") return 1 + clog2(std::max<int64_t>(param(inst, "N", 1), 1));
  return 1;
}

// Pipeline delay (cycles) a stage adds on top of its streaming time: registers of its templates.
int64_t stage_delay(const HwLayer& hw) {
  int64_t d = 0;
  for (const auto& inst : hw.instances) d += template_latency(inst);
  return d;
}

namespace {}  // namespace

ResourceEstimate estimate_resources(const HwPlan& plan, ResourceFamily family) {
  const auto instance = [family](const Instance& inst, const std::vector<MemFile>& mems) {
    return family == ResourceFamily::Ecp5 ? estimate_instance_ecp5(inst, mems)
                                          : estimate_instance(inst, mems);
  };
  ResourceEstimate e;
  e.cycles_per_frame = plan.est_cycles_per_frame;
  // Frame 0 of every stream: cycle of its first and of its last beat.
  std::map<std::string, std::pair<int64_t, int64_t>> when;
  when[plan.input.tensor] = {0, std::max<int64_t>(plan.input.beats_per_frame() - 1, 0)};
  std::pair<int64_t, int64_t> prev = when[plan.input.tensor];
  for (const auto& hw : plan.layers) {
    LayerEstimate le;
    le.layer = hw.layer;
    for (const auto& inst : hw.instances) le.res.add(instance(inst, hw.mems));

    auto it = when.find(hw.in.tensor);
    auto [a_in, f_in] = it != when.end() ? it->second : prev;
    // a join starts when its latest input does
    for (const auto& t : hw.join_inputs) {
      auto jt = when.find(t);
      if (jt == when.end()) continue;
      a_in = std::max(a_in, jt->second.first);
      f_in = std::max(f_in, jt->second.second);
    }
    const int64_t span = std::max<int64_t>(f_in - a_in, 0);
    // own cycles per frame; a shared depthwise unit's member streams frame 0 at its own rate
    // (est_cycles is the whole unit's, the steady-state limit when every member is busy)
    const int64_t t = std::max<int64_t>(
        hw.shared_unit.empty() ? hw.est_cycles
                               : std::max(int64_t(hw.out.shape.h) * hw.out.shape.w * hw.nf * hw.sf,
                                          hw.in.beats_per_frame()),
        1);
    const int64_t d = stage_delay(hw);
    int64_t a = 0, f = 0;
    if (const Instance* s = find_module(hw, "rtlgen_swg")) {
      // Sliding window: starts once the rows of the first window are in; the output rows that
      // need the last input row remain after it.
      const int64_t ih = std::max<int64_t>(param(*s, "IFM_H", 1), 1), kh = param(*s, "K_H", 1),
                    sh = std::max<int64_t>(param(*s, "STRIDE_H", 1), 1), pt = param(*s, "PAD_T"),
                    pb = param(*s, "PAD_B");
      const int64_t ofm_h = std::max<int64_t>((ih + pt + pb - kh) / sh + 1, 1);
      const int64_t need0 = std::clamp<int64_t>(kh - pt, 1, ih);
      const int64_t first_row =
          std::max<int64_t>(ceil_div(std::max<int64_t>(ih - kh + pt, 0), sh), 0);
      const int64_t rows_last = std::clamp<int64_t>(ofm_h - first_row, 1, ofm_h);
      // An MVU computes a window only once all SF beats of it are in its ping-pong buffer:
      // the first window after the last input row is read in before any of its folds start.
      const int64_t window_fill = find_module(hw, "rtlgen_mvu") ? std::max(hw.sf, 1) : 0;
      a = a_in + span * need0 / ih + d;
      f = std::max(f_in + window_fill + rows_last * t / ofm_h + d, a + t);
    } else if (hw.in.shape.h * hw.in.shape.w <= 1 || find_module(hw, "rtlgen_global_pool")) {
      // Whole-vector stages (fully connected, MEAN): the last input is needed first.
      const int64_t out_beats = std::max<int64_t>(hw.out.beats_per_frame(), 1);
      const int64_t compute = find_module(hw, "rtlgen_global_pool")
                                  ? out_beats
                                  : std::max<int64_t>(int64_t(hw.nf) * hw.sf, 1);
      a = f_in + std::max<int64_t>(compute / out_beats, 1) + d;
      f = std::max(f_in + compute + d, a_in + t + d);
    } else {
      // Per-pixel streaming stages (pointwise convolution, ADD): one pixel of fill.
      const int64_t px = std::max<int64_t>(int64_t(hw.in.shape.h) * hw.in.shape.w, 1);
      a = a_in + span / px + d;
      f = std::max(f_in + t / px + d, a + t);
    }
    le.first_out_cycle = a;
    le.last_out_cycle = f;
    when[hw.out.tensor] = {a, f};
    when[hw.layer] = {a, f};
    prev = {a, f};
    e.total.add(le.res);
    e.layers.push_back(le);
  }
  // Output framer (+ argmax: one register) and glue between layers.
  e.glue.add(instance(plan.tlast, {}));
  int64_t out_delay = 1;
  if (plan.classify) {
    e.glue.add(instance(plan.argmax, {}));
    out_delay += template_latency(plan.argmax);
  }
  for (const auto& g : plan.glue) e.glue.add(instance(g, {}));
  e.total.add(e.glue);
  e.latency_cycles = prev.second + out_delay;
  return e;
}

std::string resource_summary(const ResourceEstimate& est, ResourceFamily family) {
  const ResourceCounts& t = est.total;
  if (family == ResourceFamily::Ecp5)
    return fmt::format(
        "resource estimate (Lattice ECP5, Yosys synth_ecp5 calibration): {} LUT4 of logic + {} "
        "TRELLIS_DPR16X4, {} FF, {} MULT18X18D, {} DP16KD\n"
        "latency estimate: {} cycles from the first input beat to the last output beat of a "
        "frame\n",
        t.lut, t.lutram, t.ff, t.dsp, t.ramb18, est.latency_cycles);
  return fmt::format(
      "resource estimate (Xilinx 7-series, Yosys synth_xilinx calibration): {} LUT + {} LUT RAM, "
      "{} FF, {} DSP48E1, {} RAMB36 + {} RAMB18 = {:.1f} BRAM36\n"
      "latency estimate: {} cycles from the first input beat to the last output beat of a frame\n",
      t.lut, t.lutram, t.ff, t.dsp, t.ramb36, t.ramb18, t.bram36(), est.latency_cycles);
}

}  // namespace rtlgen
