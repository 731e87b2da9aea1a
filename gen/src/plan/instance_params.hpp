// Reading an instance's typed parameters (the resource model's and the memory passes' view of a
// plan), and the integer helpers they share.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "rtlgen/hw_plan.hpp"

namespace rtlgen {

inline int64_t round_count(double v) { return int64_t(std::llround(v)); }
inline int64_t ceil_div(int64_t a, int64_t b) { return b <= 0 ? 0 : (a + b - 1) / b; }
inline int clog2(int64_t v) {
  int b = 0;
  while ((int64_t(1) << b) < v) ++b;
  return b;
}

// The value of the integer parameter `name`; `def` if absent or not an integer.
inline int64_t param(const Instance& inst, const std::string& name, int64_t def = 0) {
  for (const auto& [k, v] : inst.params)
    if (k == name) return v.kind() == ParamValue::Kind::Integer ? v.as_int() : def;
  return def;
}

// rtlgen_swg's line-buffer word as the template lays it out (see its header): elements per word
// (PPB pixels, or a chunk of WORD_N channels), words per pixel (a column of 2^ceil(log2) words
// in the address; 1 for pixel words) and elements of one tap in a word read.
struct SwgWord {
  int64_t elems = 1, per_pixel = 1, tap_elems = 1;
};
inline SwgWord swg_word(const Instance& inst) {
  const int64_t ic = std::max<int64_t>(param(inst, "IFM_C", 1), 1), in_n = param(inst, "IN_N", 1),
                word_n = param(inst, "WORD_N");
  if (word_n > 0 && word_n < ic) return {word_n, ic / word_n, word_n};
  const int64_t ppb = in_n > ic ? in_n / ic : 1;
  return {ppb * ic, 1, ic};
}

// The fields of a vector parameter, field 0 first; empty if absent.
inline std::vector<int64_t> param_fields(const Instance& inst, const std::string& name) {
  for (const auto& [k, v] : inst.params)
    if (k == name) return v.fields();
  return {};
}

// The string of a string parameter (a file name); empty if absent.
inline std::string param_str(const Instance& inst, const std::string& name) {
  for (const auto& [k, v] : inst.params)
    if (k == name) return v.text();
  return "";
}

}  // namespace rtlgen
