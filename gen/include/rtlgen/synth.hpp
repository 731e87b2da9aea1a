// `rtlgen synth OUT`: runs Yosys on a generated design (synth_xilinx -family xc7 with the
// hierarchy kept, plus a generic `synth`) and reports resources per layer and a longest-path
// Fmax proxy in OUT/synth_report.json and as a table.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rtlgen {

struct SynthOptions {
  std::string out_dir;          // a directory written by `rtlgen generate`
  bool generic_only = false;    // skip synth_xilinx
  bool xilinx_only = false;     // skip the generic gate-level synth (slow on large ROMs)
  std::string yosys = "yosys";  // executable
};

// Cell counts of one design unit (a layer, the framer, or the whole design).
struct SynthCounts {
  int64_t lut = 0, ff = 0, carry = 0, mux = 0, lutram = 0, srl = 0, dsp = 0, ramb36 = 0,
          ramb18 = 0, other = 0;
  void add(const std::string& cell_type, int64_t n);
  void add(const SynthCounts& o, int64_t times = 1);
};

struct SynthLayer {
  std::string layer;                       // layer name, or "(output framer)", "(top)"
  std::vector<std::string> instances;
  SynthCounts counts;
  std::map<std::string, std::string> memories;  // "<instance>.<memory>" -> block RAM | LUT RAM | ...
};

struct SynthResult {
  std::string top;
  std::vector<SynthLayer> layers;  // in stream order
  SynthCounts total;
  int64_t xilinx_longest_path = -1;  // cells on the longest LUT/CARRY4/DSP path (FFs, BRAM cut)
  int64_t generic_cells = -1;        // generic `synth -flatten`
  int64_t generic_longest_path = -1; // gates on the longest path (ltp -noff)
  double xilinx_seconds = 0, generic_seconds = 0;
};

// Helpers exposed for tests: parse Yosys outputs.
// `mapping memory <module>.<mem> via <cell>` lines of a log -> "<module>.<mem>" -> kind.
std::map<std::string, std::string> parse_memory_mapping(const std::string& log);
// "Longest topological path in X (length=N)" -> N (max over matches), -1 if none.
int64_t parse_longest_path(const std::string& log);

// Runs Yosys, writes OUT/synth_report.json and OUT/synth/*.log, prints the table. Returns the
// process exit code. Throws rtlgen::Error when yosys is missing or fails.
int run_synth(const SynthOptions& opt);

}  // namespace rtlgen
