// The resource-model tests' view of designs measured before rtlgen_swg's line buffers could hold
// channel chunks (WORD_N): a plan with every line buffer back in whole-pixel words.
#pragma once

#include <algorithm>

#include "rtlgen/hw_plan.hpp"
#include "rtlgen/resource_model.hpp"

namespace test {

// Line buffers of whole pixels (rtlgen_swg WORD_N 0) with the memory styles the generator gives
// them, as the designs were before the plan chose channel-chunk words: the figures measured then
// still check the model of pixel words.
inline void pixel_words(rtlgen::HwPlan& plan) {
  for (auto& hw : plan.layers)
    for (auto& inst : hw.instances) {
      if (inst.module != "rtlgen_swg") continue;
      auto& ps = inst.params;
      ps.erase(
          std::remove_if(ps.begin(), ps.end(), [](const auto& kv) { return kv.first == "WORD_N"; }),
          ps.end());
      const auto [words, width] = rtlgen::memory_shape(inst, hw.mems);
      const bool lut = rtlgen::distributed_memory(words, width) || hw.lut_buffer;
      for (auto& [k, v] : ps)
        if (k == "MEM_STYLE") v = rtlgen::ParamValue::integer(lut ? 1 : 0);
    }
}

}  // namespace test
