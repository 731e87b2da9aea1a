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

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rtlgen/device.hpp"
#include "rtlgen/hw_plan.hpp"

namespace rtlgen {

struct ResourceCounts {
  int64_t lut = 0;     // logic LUTs (Yosys LUT1..LUT6), LUT RAM not included
  int64_t ff = 0;      // flip-flops (FD*)
  int64_t dsp = 0;     // DSP48E1
  int64_t lutram = 0;  // LUT RAM cells (RAM32M / RAM64M / RAM64X1D ...)
  int64_t ramb36 = 0;  // RAMB36E1
  int64_t ramb18 = 0;  // RAMB18E1
  int64_t srl = 0;     // SRL16E / SRLC32E (a LUT site each; not in `lut`)
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
  int64_t latency_cycles = 0;    // first input beat to last output beat of frame 0
  int64_t cycles_per_frame = 0;  // = plan.est_cycles_per_frame (the bottleneck)
};

// Estimates of one template instance (exposed for tests). `mems` are the plan's memory files
// (ROM contents decide constant bit columns).
ResourceCounts estimate_instance(const Instance& inst, const std::vector<MemFile>& mems);

// Block RAM of one memory (words x width bits, `read_ports` synchronous read ports; `written`: a
// RAM with a write port, else a ROM) as Yosys 0.23 maps it to 7-series RAMB18E1 / RAMB36E1:
// memory_libmap's cheapest geometry (see resource_model.cpp).
ResourceCounts block_ram(int64_t words, int64_t width, int read_ports, bool written = false);

// The same rule over another family's block RAM modes: ECP5 DP16KD / PDPW16KD (counted in
// ramb18) as Yosys synth_ecp5 maps them.
enum class BlockRamFamily { Xilinx7, Ecp5 };
ResourceCounts block_ram_modes(int64_t words, int64_t width, int read_ports, bool written,
                               BlockRamFamily family);
ResourceCounts block_ram_ecp5(int64_t words, int64_t width, int read_ports, bool written = false);

// Which synthesis the counts of a ResourceCounts stand for. Xilinx7: Yosys synth_xilinx -family
// xc7 (LUT6 logic, FF, DSP48E1, LUT RAM cells, RAMB36E1 / RAMB18E1). Ecp5: Yosys synth_ecp5 of
// the open flow (resource_model_ecp5.cpp): lut = LUT4 sites of logic (LUT4 + 2 per CCU2C), ff =
// TRELLIS_FF, dsp = MULT18X18D, lutram = TRELLIS_DPR16X4, ramb18 = DP16KD, ramb36 = 0.
enum class ResourceFamily { Xilinx7, Ecp5 };
ResourceCounts estimate_instance_ecp5(const Instance& inst, const std::vector<MemFile>& mems);

// Memory style of one memory of words x width bits (width: the bit columns that vary, as Yosys
// keeps them): distributed (LUT ROM / LUT RAM) when block RAM would hold fewer than
// kDistributedBitsPerRamb18 of them per RAMB18 it takes (under 22% of its 18,432 bits: small,
// or shallow and wide) and the memory is at most kDistributedMaxBits (a bound on its LUTs:
// about 1 LUT per 64 ROM bits, 1 LUT per 48 LUT RAM bits), or kDistributedShallowMaxBits when
// it is at most 64 words deep (one LUT ROM / RAM64M column: no read multiplexers, while block
// RAM keeps at most 72 of its bits per row: the line buffers of small wide feature maps, a
// 28 x 2048-bit one takes 29 RAMB36 at 5% fill or about 1,400 LUTs). Block RAM otherwise.
constexpr int64_t kDistributedBitsPerRamb18 = 4096;
constexpr int64_t kDistributedMaxBits = 32768;
constexpr int64_t kDistributedShallowMaxBits = 131072;
constexpr int64_t kDistributedShallowWords = 64;
bool distributed_memory(int64_t words, int64_t width);

// An rtlgen_fifo at least this deep is block RAM in both families' models, and the plan gives it
// the output register behind the RAM's read register (OUT_REG 1: one cycle more latency) that
// the block holds as its own (ECP5: the DP16KD clock-to-out otherwise sits in the consumer's path).
constexpr int64_t kFifoBlockRamMinDepth = 257;

// The rtlgen_requant inside an rtlgen_dwu_shared with REQUANT 1 (one for all its layers), as an
// instance with that requantizer's parameters, for memory_shape() and estimate_instance().
Instance unit_requantizer(const Instance& dwu_shared);

// Terms the templates' estimates share (the op-table entries' among them): LUT RAM cells of a
// words x width memory with one read port (Yosys memory_libmap: RAM32M 32 x 6, RAM64M 64 x 3
// per cell); a RAM (written and read) in LUT RAM or block RAM, whichever Yosys finds cheaper; a
// ROM by the instance's MEM_STYLE (1: LUTs, else block RAM; a one-word ROM is a constant).
int64_t lutram_units(int64_t words, int64_t width);
ResourceCounts ram_auto(int64_t words, int64_t width);
ResourceCounts rom_resources(const Instance& inst, int64_t words, int64_t bits);

// Words and the bit columns that are not constant over all words (Yosys' opt_mem drops the
// others) of the plan's memory file `file`, counted over bits [lsb, lsb + count) of each word;
// {0, 0} if the file is not in `mems`.
std::pair<int64_t, int64_t> rom_shape(const std::vector<MemFile>& mems, const std::string& file,
                                      int64_t lsb = 0, int64_t count = INT64_MAX);

// Words and varying bits of an instance's ROM or line buffer (one copy), as estimate_instance
// counts it (ROM contents from `mems`, else the full width); {0, 0} for templates without one.
std::pair<int64_t, int64_t> memory_shape(const Instance& inst, const std::vector<MemFile>& mems);

// Sets the MEM_STYLE parameter (0 = block RAM, 1 = distributed) of every instance with a
// ROM or line buffer (rtlgen_swg, rtlgen_mvu, rtlgen_dwu, rtlgen_requant; PARAM_MEM_STYLE of an
// rtlgen_dwu_shared's requantizer ROM) by distributed_memory(); estimate_instance() counts the
// memory by the same parameter.
void choose_memory_styles(HwPlan& plan);

// Block-RAM weight ROMs of rtlgen_mvu deeper than one block are, in the open ECP5 flow
// (RTLGEN_ECP5), read in banks one block deep (ROM_BANK_WORDS, one $readmemh file each,
// <stem>_bank<bbb>.mem next to the whole ROM's file), the bank multiplexer in a word-select
// stage of its own, not behind the block RAM's clock-to-out.
// One block deep at `width` bits: the deepest 16 Kb aspect ratio that holds the width (ECP5
// DP16KD: 16384x1 .. 1024x18; wider words use 1024-deep x18 blocks side by side, not the
// 512x36 mode, whose output register the open flow does not use).
int64_t rom_bank_words(int64_t width);

// Whether an instance is an rtlgen_mvu whose weight ROM is read in banks (block RAM, deeper
// than rom_bank_words of its PE*SIMD*8-bit word): from its parameters alone, so that the latency
// model (template_latency) can count the word-select stage before the memory passes run.
bool mvu_rom_in_banks(const Instance& inst);

// Sets ROM_BANK_WORDS / WEIGHT_BANK_PREFIX and adds the bank files (after choose_memory_styles).
void bank_deep_roms(HwPlan& plan);

// Register stages of one template instance (cycles from its input to its output beyond the
// streaming time), as documented in the template's header.
int64_t template_latency(const Instance& inst);

// DSP48E1s of one rtlgen_mul_wide with an `a_bits`-wide a (b up to 35 bits): two 25x18 partial
// products up to 25 bits, four <= 18x18 ones above; `cycles` = 2 (rtlgen_requant MUL_CYCLES,
// two-partial-product case only) computes both partial products on one multiplier.
int64_t mul_wide_dsp(int64_t a_bits, int64_t cycles = 1);

// Register stages of a layer's template chain.
int64_t stage_delay(const HwLayer& hw);

ResourceEstimate estimate_resources(const HwPlan& plan,
                                    ResourceFamily family = ResourceFamily::Xilinx7);

// The estimate against one device. `est` counts Xilinx 7-series cells; UltraScale+ takes them as
// they are and Cyclone V converts them (`converted` = true, the note says how). ECP5 is
// estimated by its own model from `plan` (ResourceFamily::Ecp5; LUT4 sites count six per
// TRELLIS_DPR16X4). Block RAM rows count the family's blocks (RAMB36 equivalents on Xilinx).
struct DeviceUse {
  std::string resource;  // "LUT", "FF", "DSP48E1", "RAMB36", "LUT RAM", ...
  double used = 0, available = 0;
  // The model's error bound on `used` (LUT and FF: the tests hold them within 10% of Yosys;
  // multipliers and block RAM are exact): a folding may fill the resource only up to
  // available / (1 + model_error), whatever the fill, so that it fits by Yosys' count too.
  double model_error = 0;
  double fraction() const { return available > 0 ? used / available : (used > 0 ? 1e9 : 0); }
  double limit(double fill) const { return std::min(fill, 1.0 / (1.0 + model_error)) * available; }
};
struct DeviceFit {
  Device device;
  std::vector<DeviceUse> rows;  // logic, FF, DSP, block RAM, LUT RAM (+ URAM: 0 used)
  bool converted = false;
  std::string note;          // how the counts were converted ("" for 7-series)
  int64_t weight_bits = 0;   // ROM bits of the plan (weights + requantizer constants)
  int64_t on_chip_bits = 0;  // block RAM + URAM + distributed RAM bits of the device
  // The rows above their limit(fill), as "DSP48E1 300 > 176 (0.8 x 220)"; "" = fits.
  // `with_model_error` false: above fill x available (the estimate itself over the device).
  std::string overflow(double fill, bool with_model_error = true) const;
  bool fits(double fill, bool with_model_error = true) const {
    return overflow(fill, with_model_error).empty();
  }
  double worst_fraction() const;  // highest used / available
  std::string summary() const;    // one line: "xc7z020: LUT 41% (21,812 / 53,200), ..."
};
DeviceFit fit_to_device(const ResourceEstimate& est, const HwPlan& plan, const Device& dev);

// Throws rtlgen::Error when the network names a device (YAML `device`) and the estimate of
// its plan exceeds a resource of it, naming each resource and the amounts.
void require_device_fit(const Network& net, const HwPlan& plan);

// The part the vendor scripts use when the network names no device: the smallest device of
// `vendor` ("xilinx", "intel") in the table whose resources hold the estimate (fill 1.0); the
// largest if none does (`fits` tells which).
Device smallest_fitting_device(const ResourceEstimate& est, const HwPlan& plan,
                               const std::string& vendor, bool* fits);

// Two lines: resource totals and latency (printed by `rtlgen fold`, in report.txt), in the cells
// of the family the estimate was made for.
std::string resource_summary(const ResourceEstimate& est,
                             ResourceFamily family = ResourceFamily::Xilinx7);

}  // namespace rtlgen
