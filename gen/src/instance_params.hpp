// Reading an instance's parameters back from the Verilog literals the planner wrote (the
// resource model's and the memory passes' view of a plan), and the integer helpers they share.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "rtlgen/hw_plan.hpp"

namespace rtlgen {

inline int64_t ceil_div(int64_t a, int64_t b) { return b <= 0 ? 0 : (a + b - 1) / b; }
inline int clog2(int64_t v) {
  int b = 0;
  while ((int64_t(1) << b) < v) ++b;
  return b;
}

inline int64_t param(const Instance& inst, const std::string& name, int64_t def = 0) {
  for (const auto& [k, v] : inst.params)
    if (k == name) {
      char* end = nullptr;
      const long long x = std::strtoll(v.c_str(), &end, 10);
      return end == v.c_str() ? def : int64_t(x);
    }
  return def;
}

// The fields of a vector parameter written as a concatenation of decimal fields, last first
// ("{32'd8, 32'd4}" -> {4, 8}); empty if absent.
inline std::vector<int64_t> param_fields(const Instance& inst, const std::string& name) {
  std::vector<int64_t> out;
  for (const auto& [k, v] : inst.params) {
    if (k != name) continue;
    for (size_t at = v.find("'d"); at != std::string::npos; at = v.find("'d", at + 2))
      out.insert(out.begin(), std::strtoll(v.c_str() + at + 2, nullptr, 10));
  }
  return out;
}

inline std::string param_str(const Instance& inst, const std::string& name) {
  for (const auto& [k, v] : inst.params)
    if (k == name) {
      std::string s = v;
      if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
      return s;
    }
  return "";
}

}  // namespace rtlgen
