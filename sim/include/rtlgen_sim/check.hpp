// Comparing collected streams with references, with readable failure messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace rtlgen_sim {

// "" if equal, else a description of the length difference / first mismatches (up to
// max_report), with element indices and, if elems_per_group > 0, group (beat/vector) numbers.
inline std::string compare_elements(const std::vector<int64_t>& got,
                                    const std::vector<int64_t>& expected,
                                    std::size_t elems_per_group = 0, int max_report = 8) {
  std::ostringstream s;
  int reported = 0;
  std::size_t mismatches = 0;
  const std::size_t n = got.size() < expected.size() ? got.size() : expected.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (got[i] == expected[i]) continue;
    ++mismatches;
    if (reported++ < max_report) {
      s << "element " << i;
      if (elems_per_group) s << " (group " << i / elems_per_group << ", index " << i % elems_per_group << ")";
      s << ": got " << got[i] << ", expected " << expected[i] << "\n";
    }
  }
  if (mismatches) s << mismatches << " mismatching element(s) of " << n << "\n";
  if (got.size() != expected.size())
    s << "length: got " << got.size() << " elements, expected " << expected.size() << "\n";
  return s.str();
}

}  // namespace rtlgen_sim
