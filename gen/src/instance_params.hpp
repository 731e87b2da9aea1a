// Reading an instance's typed parameters (the resource model's and the memory passes' view of a
// plan), and the integer helpers they share.
#pragma once

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
