// Yosys on one memory per module (the block RAM models' [yosys] tests): a ROM is a registered
// read of an initialised array (random words, every bit column varying), a RAM one write port and
// a registered read; both marked for block RAM. Returns the cells of each module "m<k>" whose
// type is in `cell_types`, or {} when `yosys` is not on PATH.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace rtlgen_test {

struct MemoryShape {
  bool written;
  int64_t words, width;
};

using ModuleCells = std::map<std::string, std::map<std::string, int64_t>>;

inline bool have_yosys() { return std::system("command -v yosys >/dev/null 2>&1") == 0; }

// `synth`: the Yosys synthesis command ("synth_xilinx -family xc7", "synth_ecp5 -noflatten").
inline ModuleCells yosys_memory_cells(const std::vector<MemoryShape>& shapes,
                                      const std::string& synth,
                                      const std::set<std::string>& cell_types) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("rtlgen_memories_yosys_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string verilog, top_ports = "input clk, input en, input [14:0] a, input [511:0] d", body;
  std::mt19937_64 rng(1);
  for (size_t k = 0; k < shapes.size(); ++k) {
    const MemoryShape& s = shapes[k];
    const int aw = int(std::ceil(std::log2(double(s.words))));
    const std::string w = std::to_string(s.width - 1), n = std::to_string(s.words - 1);
    if (s.written) {
      verilog += fmt::format(
          "module m{0}(input clk, input en, input [{1}:0] a, input [{2}:0] d, output reg [{2}:0] "
          "q);\n(* ram_style = \"block\" *) reg [{2}:0] m [0:{3}];\n"
          "always @(posedge clk) begin if (en) m[a] <= d; q <= m[~a]; end\nendmodule\n",
          k, aw - 1, w, n);
      body += fmt::format("m{0} u{0}(clk, en, a[{1}:0], d[{2}:0], q{0});\n", k, aw - 1, w);
    } else {
      std::ofstream mem(dir / fmt::format("m{}.mem", k));
      for (int64_t i = 0; i < s.words; ++i) {
        std::string word;
        for (int64_t b = 0; b < (s.width + 3) / 4; ++b) word += "0123456789abcdef"[rng() % 16];
        mem << word << "\n";
      }
      verilog += fmt::format(
          "module m{0}(input clk, input en, input [{1}:0] a, output reg [{2}:0] q);\n"
          "(* rom_style = \"block\" *) reg [{2}:0] m [0:{3}];\ninitial $readmemh(\"m{0}.mem\", "
          "m);\nreg [{2}:0] r;\nalways @(posedge clk) if (en) begin r <= m[a]; q <= r; "
          "end\nendmodule\n",
          k, aw - 1, w, n);
      body += fmt::format("m{0} u{0}(clk, en, a[{1}:0], q{0});\n", k, aw - 1);
    }
    top_ports += fmt::format(", output [{}:0] q{}", w, k);
  }
  verilog += "module top(" + top_ports + ");\n" + body + "endmodule\n";
  std::ofstream(dir / "mems.v") << verilog;
  const std::string cmd = "cd '" + dir.string() + "' && yosys -q -p 'read_verilog mems.v; " +
                          synth + " -top top; tee -q -o stat.txt stat' >yosys.log 2>&1";
  if (std::system(cmd.c_str()) != 0) return {{"(yosys failed)", {}}};
  // stat: a "=== mK ===" section per module with its "<cell type> n" lines
  ModuleCells cells;
  std::ifstream stat(dir / "stat.txt");
  std::string line, module;
  while (std::getline(stat, line)) {
    std::istringstream words(line);
    std::string first, second;
    words >> first >> second;
    if (first == "===") module = second;
    if (cell_types.count(first)) cells[module][first] = std::stoll(second);
  }
  fs::remove_all(dir);
  return cells;
}

}  // namespace rtlgen_test
