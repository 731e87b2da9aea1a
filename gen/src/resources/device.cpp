// The device table. Figures from the vendors' data sheets and, where the tools count differently,
// what the tools report as available (Quartus' ALM and M10K totals, nextpnr-ecp5's cell totals).
#include "rtlgen/device.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "rtlgen/error.hpp"

namespace rtlgen {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Device xilinx(const char* name, DeviceFamily family, const char* family_name, const char* part,
              const char* package, const char* speed, int64_t luts, int64_t ffs,
              int64_t lutram_luts, int64_t dsps, int64_t bram36, int64_t uram) {
  Device d;
  d.name = name, d.vendor = "xilinx", d.family = family, d.family_name = family_name;
  d.part = part, d.package = package, d.speed = speed;
  d.luts = luts, d.ffs = ffs, d.lutram_luts = lutram_luts;
  d.lutram_bits = lutram_luts * 64;     // a SLICEM LUT is a 64 x 1 RAM
  d.dsps = dsps, d.mults_18x18 = dsps;  // one 25x18 (E1) / 27x18 (E2) multiplier per slice
  d.bram36 = bram36, d.bram18 = 2 * bram36;
  d.bram_blocks = bram36, d.bram_block_bits = 36 * 1024;
  d.uram = uram;
  const bool e2 = family == DeviceFamily::XilinxUltraScalePlus;
  d.lut_name = "LUT", d.ff_name = "FF";
  d.dsp_name = e2 ? "DSP48E2" : "DSP48E1";
  d.bram_name = e2 ? "RAMB36E2" : "RAMB36E1";
  d.uram_name = uram > 0 ? "URAM288" : "";
  return d;
}

// Cyclone V: a DSP block holds two 18x19 multipliers; an M10K holds 10 Kb; an MLAB (10 ALMs)
// 640 bits. Registers: four per ALM.
Device cyclone5(const char* name, const char* part, const char* package, const char* speed,
                int64_t alms, int64_t mlab_kbits, int64_t dsp_blocks, int64_t m10k) {
  Device d;
  d.name = name, d.vendor = "intel", d.family = DeviceFamily::IntelCycloneV;
  d.family_name = "Cyclone V";
  d.part = part, d.package = package, d.speed = speed;
  d.luts = alms, d.ffs = 4 * alms;
  d.lutram_bits = mlab_kbits * 1024, d.lutram_luts = d.lutram_bits / 640 * 10;
  d.dsps = dsp_blocks, d.mults_18x18 = 2 * dsp_blocks;
  d.bram_blocks = m10k, d.bram_block_bits = 10 * 1024;
  d.lut_name = "ALM", d.ff_name = "register", d.dsp_name = "DSP block", d.bram_name = "M10K";
  return d;
}

// ECP5 packages: nextpnr's name and the ordering code's.
struct Ecp5Package {
  const char* nextpnr;
  const char* code;
};
const Ecp5Package kEcp5Packages[] = {{"TQFP144", "TG144"},   {"CABGA256", "BG256"},
                                     {"CSFBGA285", "MG285"}, {"CABGA381", "BG381"},
                                     {"CABGA554", "BG554"},  {"CABGA756", "BG756"}};

// ECP5: nextpnr-ecp5's totals (TRELLIS_COMB = TRELLIS_FF = LUT4s); half the LUT4s (slices 0
// and 1 of a PFU) can be 16 x 1 distributed RAM; a DP16KD is 18 Kb. Default package CABGA381
// (every size has it), speed 6.
Device ecp5(const char* name, const char* nextpnr, int64_t lut4, int64_t mult18, int64_t dp16kd,
            std::vector<std::string> packages) {
  Device d;
  d.name = name, d.vendor = "lattice", d.family = DeviceFamily::LatticeECP5;
  d.family_name = "ECP5";
  d.package = "CABGA381", d.speed = "6";
  d.part = fmt::format("{}-6BG381C", name);
  d.luts = lut4, d.ffs = lut4, d.lutram_luts = lut4 / 2, d.lutram_bits = lut4 / 2 * 16;
  d.dsps = mult18, d.mults_18x18 = mult18;
  d.bram_blocks = dp16kd, d.bram_block_bits = 18 * 1024;
  d.lut_name = "LUT4", d.ff_name = "TRELLIS_FF", d.dsp_name = "MULT18X18D";
  d.bram_name = "DP16KD";
  d.nextpnr_device = nextpnr;
  d.packages = std::move(packages);
  d.speed_grades = {"6", "7", "8"};
  return d;
}

std::vector<Device> build_table() {
  using F = DeviceFamily;
  std::vector<Device> t;
  // name, family, family name, default part, package, speed, LUT, FF, LUT RAM LUTs, DSP,
  // RAMB36, URAM288
  t.push_back(xilinx("xc7z010", F::Xilinx7Series, "Zynq-7000", "xc7z010clg400-1", "clg400", "-1",
                     17600, 35200, 6000, 80, 60, 0));
  t.push_back(xilinx("xc7z020", F::Xilinx7Series, "Zynq-7000", "xc7z020clg400-1", "clg400", "-1",
                     53200, 106400, 17400, 220, 140, 0));
  t.push_back(xilinx("xc7a35t", F::Xilinx7Series, "Artix-7", "xc7a35ticsg324-1L", "csg324", "-1L",
                     20800, 41600, 9600, 90, 50, 0));
  t.push_back(xilinx("xc7a100t", F::Xilinx7Series, "Artix-7", "xc7a100tcsg324-1", "csg324", "-1",
                     63400, 126800, 19000, 240, 135, 0));
  t.push_back(xilinx("xczu3eg", F::XilinxUltraScalePlus, "Zynq UltraScale+", "xczu3eg-sbva484-1-e",
                     "sbva484", "-1-e", 70560, 141120, 28800, 360, 216, 0));
  t.push_back(xilinx("xck26", F::XilinxUltraScalePlus, "Zynq UltraScale+ (Kria K26)",
                     "xck26-sfvc784-2LV-c", "sfvc784", "-2LV-c", 117120, 234240, 57600, 1248, 144,
                     64));
  t.push_back(xilinx("xczu7ev", F::XilinxUltraScalePlus, "Zynq UltraScale+", "xczu7ev-ffvc1156-2-e",
                     "ffvc1156", "-2-e", 230400, 460800, 101760, 1728, 312, 96));
  t.push_back(xilinx("xcu250", F::XilinxUltraScalePlus, "Virtex UltraScale+ (Alveo U250)",
                     "xcu250-figd2104-2L-e", "figd2104", "-2L-e", 1728000, 3456000, 791040, 12288,
                     2688, 1280));
  // Quartus' available totals: 32,070 / 41,910 ALMs, 397 / 553 M10K.
  t.push_back(cyclone5("5CSEMA5", "5CSEMA5F31C6", "F31", "C6", 32070, 480, 87, 397));
  t.push_back(cyclone5("5CSEBA6", "5CSEBA6U23I7", "U23", "I7", 41910, 621, 112, 553));
  // name, nextpnr flag, LUT4, MULT18X18D, DP16KD, packages
  t.push_back(
      ecp5("LFE5U-25F", "--25k", 24288, 28, 56, {"TQFP144", "CABGA256", "CSFBGA285", "CABGA381"}));
  t.push_back(ecp5("LFE5U-45F", "--45k", 43848, 72, 108,
                   {"TQFP144", "CABGA256", "CSFBGA285", "CABGA381", "CABGA554"}));
  t.push_back(ecp5("LFE5U-85F", "--85k", 83640, 156, 208,
                   {"CSFBGA285", "CABGA381", "CABGA554", "CABGA756"}));
  return t;
}

// Xilinx "xc7z020clg484-1" / "xczu7ev-ffvc1156-2-e": package letters+digits, then the speed.
void split_xilinx_suffix(std::string rest, Device& d) {
  if (!rest.empty() && rest[0] == '-') rest.erase(0, 1);
  const size_t dash = rest.find('-');
  d.package = rest.substr(0, dash);
  d.speed = dash == std::string::npos ? "" : rest.substr(dash);
}

// Lattice ordering part number: LFE5U-85F-6BG381C = part, speed 6, package BG381, grade C/I.
bool parse_ecp5_opn(const std::string& rest, Device& d) {
  // rest: "6BG381C" (after "LFE5U-85F-")
  if (rest.size() < 3 || !std::isdigit(static_cast<unsigned char>(rest[0]))) return false;
  const std::string speed(1, rest[0]);
  if (std::find(d.speed_grades.begin(), d.speed_grades.end(), speed) == d.speed_grades.end())
    return false;
  std::string body = rest.substr(1);
  const char grade =
      body.empty() ? 'C' : char(std::toupper(static_cast<unsigned char>(body.back())));
  if (grade == 'C' || grade == 'I') body.pop_back();
  for (char& c : body) c = char(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& p : kEcp5Packages) {
    if (body != p.code) continue;
    if (std::find(d.packages.begin(), d.packages.end(), p.nextpnr) == d.packages.end())
      return false;
    d.package = p.nextpnr, d.speed = speed;
    d.part = fmt::format("{}-{}{}{}", d.name, speed, p.code, grade);
    return true;
  }
  return false;
}

// "TG144|BG256|..." for the packages of an ECP5 part.
std::string ecp5_package_codes(const Device& d) {
  std::string s;
  for (const auto& p : kEcp5Packages)
    if (std::find(d.packages.begin(), d.packages.end(), p.nextpnr) != d.packages.end())
      s += (s.empty() ? "" : "|") + std::string(p.code);
  return s;
}

[[noreturn]] void unknown_device(const std::string& name, const std::string& why) {
  throw Error(
      fmt::format("unknown device '{}'{}; known devices: {}", name, why, known_device_names()));
}

}  // namespace

std::string Device::describe() const {
  std::string s = fmt::format("{} ({} {}{}): {} {}, {} {}, {} {}", name, family_name, part,
                              board.empty() ? "" : ", board " + board, luts, lut_name, ffs, ff_name,
                              dsps, dsp_name);
  if (family == DeviceFamily::Xilinx7Series || family == DeviceFamily::XilinxUltraScalePlus)
    s += fmt::format(", {} RAMB36 ({} RAMB18)", bram36, bram18);
  else
    s += fmt::format(", {} {} ({} Kb)", bram_blocks, bram_name, bram_bits() / 1024);
  if (uram > 0) s += fmt::format(", {} {}", uram, uram_name);
  s += fmt::format(", {} Kb distributed RAM", lutram_bits / 1024);
  return s;
}

const std::vector<Device>& known_devices() {
  static const std::vector<Device> table = build_table();
  return table;
}

const std::vector<BoardAlias>& known_boards() {
  static const std::vector<BoardAlias> boards = {
      {"pynq-z2", "xc7z020clg400-1", "TUL PYNQ-Z2"},
      {"zedboard", "xc7z020clg484-1", "Avnet ZedBoard"},
      {"zybo-z7-10", "xc7z010clg400-1", "Digilent Zybo Z7-10"},
      {"zybo-z7-20", "xc7z020clg400-1", "Digilent Zybo Z7-20"},
      {"arty-a7-35", "xc7a35ticsg324-1L", "Digilent Arty A7-35"},
      {"arty-a7-100", "xc7a100tcsg324-1", "Digilent Arty A7-100"},
      {"ultra96", "xczu3eg-sbva484-1-e", "Avnet Ultra96 / Ultra96-V2"},
      {"kv260", "xck26-sfvc784-2LV-c", "AMD Kria KV260"},
      {"zcu104", "xczu7ev-ffvc1156-2-e", "AMD ZCU104"},
      {"u250", "xcu250-figd2104-2L-e", "AMD Alveo U250"},
      {"de1-soc", "5CSEMA5F31C6", "Terasic DE1-SoC"},
      {"de10-nano", "5CSEBA6U23I7", "Terasic DE10-Nano"},
      {"ulx3s-25f", "LFE5U-25F-6BG381C", "Radiona ULX3S (25F)"},
      {"ulx3s-45f", "LFE5U-45F-6BG381C", "Radiona ULX3S (45F)"},
      {"ulx3s-85f", "LFE5U-85F-6BG381C", "Radiona ULX3S (85F)"},
      {"orangecrab", "LFE5U-25F-8MG285C", "Orange Crab r0.2 (25F)"},
      {"orangecrab-85f", "LFE5U-85F-8MG285C", "Orange Crab (85F)"},
  };
  return boards;
}

Device find_device(const std::string& name) {
  const std::string key = lower(name);
  if (key.empty()) unknown_device(name, "");
  for (const auto& b : known_boards()) {
    if (lower(b.board) != key) continue;
    Device d = find_device(b.part);
    d.board = b.board;
    return d;
  }
  // Longest part name that prefixes the key ("xc7a100t" before "xc7a35t" does not matter, but
  // "lfe5u-25f" must not be taken for a prefix of another part).
  const Device* best = nullptr;
  for (const auto& d : known_devices()) {
    const std::string base = lower(d.name);
    if (key.compare(0, base.size(), base) == 0 && (!best || base.size() > best->name.size()))
      best = &d;
  }
  if (!best) unknown_device(name, "");
  Device d = *best;
  const std::string rest = name.substr(d.name.size());
  if (rest.empty()) return d;
  switch (d.family) {
    case DeviceFamily::Xilinx7Series:
    case DeviceFamily::XilinxUltraScalePlus:
      d.part = d.name + rest;  // the user's spelling: Vivado's grades have capitals (-2LV-c)
      split_xilinx_suffix(rest, d);
      if (d.package.empty())
        unknown_device(name, fmt::format(" (expected {} followed by a package and speed grade, "
                                         "e.g. {})",
                                         d.name, best->part));
      return d;
    case DeviceFamily::IntelCycloneV: {
      // 5CSEMA5F31C6: package F31 (letter + pin count code), speed C6 / I7 / A7.
      std::string r = rest;
      for (char& c : r) c = char(std::toupper(static_cast<unsigned char>(c)));
      size_t i = 1;
      while (i < r.size() && std::isdigit(static_cast<unsigned char>(r[i]))) ++i;
      if (r.size() < 3 || !std::isalpha(static_cast<unsigned char>(r[0])) || i == 1 ||
          i >= r.size())
        unknown_device(name, fmt::format(" (expected {} followed by package and speed grade, "
                                         "e.g. {})",
                                         d.name, best->part));
      d.package = r.substr(0, i), d.speed = r.substr(i);
      d.part = d.name + r;
      return d;
    }
    case DeviceFamily::LatticeECP5:
      if (rest[0] == '-' && parse_ecp5_opn(rest.substr(1), d)) return d;
      unknown_device(name, fmt::format(" (expected {}-<speed 6|7|8><package {}><C|I>, e.g. {})",
                                       d.name, ecp5_package_codes(d), best->part));
  }
  unknown_device(name, "");
}

std::string known_device_names() {
  std::string s;
  for (const auto& d : known_devices()) s += (s.empty() ? "" : ", ") + d.name;
  s += " (boards:";
  for (const auto& b : known_boards()) s += " " + b.board;
  return s + ")";
}

}  // namespace rtlgen
