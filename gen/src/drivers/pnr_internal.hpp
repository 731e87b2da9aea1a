// What the parts of `rtlgen pnr` share (internal): the wrapper module's name and two string
// helpers.
#pragma once

#include <cctype>
#include <string>

namespace rtlgen {

constexpr const char* kWrapper = "rtlgen_pnr_wrapper";

inline std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

// The netlist cell a nextpnr cell name comes from: nextpnr splits a CCU2C into
// "<cell>$CCU2_COMB0/1" and names the cells it inserts "$nextpnr_...".
inline std::string base_cell(const std::string& cell) {
  const size_t d = cell.find('$', 1);
  return d == std::string::npos ? cell : cell.substr(0, d);
}

}  // namespace rtlgen
