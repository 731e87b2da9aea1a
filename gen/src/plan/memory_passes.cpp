// The plan's memory passes: each memory's style (block or distributed, by the resource model's
// rule) and block-RAM weight ROMs deeper than one block read in banks.
#include <fmt/format.h>

#include <algorithm>

#include "plan/instance_params.hpp"
#include "rtlgen/resource_model.hpp"

namespace rtlgen {

void choose_memory_styles(HwPlan& plan) {
  for (auto& hw : plan.layers)
    for (auto& inst : hw.instances) {
      if (inst.module == "rtlgen_dwu_shared" && param(inst, "REQUANT") == 1) {
        // the parameter ROM of the unit's requantizer
        const auto [words, width] = memory_shape(unit_requantizer(inst), hw.mems);
        inst.params.emplace_back("PARAM_MEM_STYLE",
                                 ParamValue::integer(distributed_memory(words, width) ? 1 : 0));
        continue;
      }
      const auto [words, width] = memory_shape(inst, hw.mems);
      if (words == 0) continue;
      const bool lut =
          distributed_memory(words, width) || (hw.lut_buffer && inst.module == "rtlgen_swg");
      inst.params.emplace_back("MEM_STYLE", ParamValue::integer(lut ? 1 : 0));
    }
}

int64_t rom_bank_words(int64_t width) {
  if (width <= 1) return 16384;
  if (width <= 2) return 8192;
  if (width <= 4) return 4096;
  if (width <= 9) return 2048;
  // wider words: 1024-deep blocks of 18 bits side by side, not the 36-bit mode (512 deep),
  // whose output register `rtlgen pnr` leaves alone (ecp5_outreg.hpp)
  return 1024;
}

namespace {

// Bank depth of an rtlgen_mvu weight ROM read in banks, 0 when it is not (one decision for the
// bank pass and the latency model).
int64_t mvu_bank_words(const Instance& inst) {
  if (inst.module != "rtlgen_mvu" || param(inst, "MEM_STYLE") == 1) return 0;
  const int64_t pe = std::max<int64_t>(param(inst, "PE", 1), 1),
                simd = std::max<int64_t>(param(inst, "SIMD", 1), 1);
  const int64_t words = ceil_div(param(inst, "MH", 1), pe) * ceil_div(param(inst, "MW", 1), simd);
  const int64_t bank_words = rom_bank_words(pe * simd * 8);
  return words > bank_words ? bank_words : 0;
}

}  // namespace

bool mvu_rom_in_banks(const Instance& inst) { return mvu_bank_words(inst) > 0; }

void bank_deep_roms(HwPlan& plan) {
  for (auto& hw : plan.layers) {
    std::vector<MemFile> banks;
    for (auto& inst : hw.instances) {
      const int64_t bank_words = mvu_bank_words(inst);
      if (bank_words == 0) continue;
      const std::string file = param_str(inst, "WEIGHT_FILE");
      const auto mem = std::find_if(hw.mems.begin(), hw.mems.end(),
                                    [&](const MemFile& m) { return m.name == file; });
      if (mem == hw.mems.end()) continue;
      const std::string stem = file.size() > 4 && file.compare(file.size() - 4, 4, ".mem") == 0
                                   ? file.substr(0, file.size() - 4)
                                   : file;
      inst.params.emplace_back("ROM_BANK_WORDS", ParamValue::integer(bank_words));
      inst.params.emplace_back("WEIGHT_BANK_PREFIX", ParamValue::string(stem));
      for (size_t first = 0, b = 0; first < mem->words.size(); first += size_t(bank_words), ++b) {
        const size_t last = std::min(mem->words.size(), first + size_t(bank_words));
        banks.push_back({fmt::format("{}_bank{:03d}.mem", stem, b),
                         {mem->words.begin() + std::ptrdiff_t(first),
                          mem->words.begin() + std::ptrdiff_t(last)},
                         mem->word_bits});
      }
    }
    hw.mems.insert(hw.mems.end(), banks.begin(), banks.end());
  }
}

}  // namespace rtlgen
