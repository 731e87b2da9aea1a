// `rtlgen pnr`: the design's ports and instances read from its Verilog, the wrapper that
// registers every port, and whether the cells fit the ECP5 part.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "drivers/pnr_internal.hpp"
#include "rtlgen/error.hpp"
#include "rtlgen/pnr.hpp"

namespace rtlgen {

using Json = nlohmann::ordered_json;

std::vector<VerilogPort> parse_module_ports(const std::string& verilog,
                                            const std::string& module_name,
                                            const std::string& what) {
  const std::regex head("module\\s+" + module_name + "\\s*(#\\s*\\([^;]*?\\)\\s*)?\\(");
  std::smatch m;
  if (!std::regex_search(verilog, m, head))
    throw Error(fmt::format("{}: no `module {} (` header", what, module_name));
  const size_t begin = size_t(m.position(0) + m.length(0));
  const size_t end = verilog.find(");", begin);
  if (end == std::string::npos)
    throw Error(fmt::format("{}: the port list of {} does not end", what, module_name));
  static const std::regex port_re(
      R"(^\s*(input|output)\s+(?:wire\s+|reg\s+)?(?:\[\s*([^:\]]+)\s*:\s*([^\]]+)\s*\]\s*)?(\w+))");
  std::vector<VerilogPort> ports;
  std::istringstream in(verilog.substr(begin, end - begin));
  std::string line;
  while (std::getline(in, line)) {
    const size_t comment = line.find("//");
    if (comment != std::string::npos) line = line.substr(0, comment);
    std::smatch pm;
    if (!std::regex_search(line, pm, port_re)) continue;
    VerilogPort p;
    p.input = pm[1] == "input";
    p.name = pm[4];
    if (pm[2].matched) {
      const std::string hi = trim(pm[2]), lo = trim(pm[3]);
      const bool numeric = !hi.empty() && !lo.empty() &&
                           hi.find_first_not_of("0123456789") == std::string::npos &&
                           lo.find_first_not_of("0123456789") == std::string::npos;
      if (!numeric)
        throw Error(
            fmt::format("{}: port {} of {} has a width [{}:{}] that is not a number; "
                        "the wrapper needs elaborated widths",
                        what, p.name, module_name, hi, lo));
      p.width = std::abs(std::stoi(hi) - std::stoi(lo)) + 1;
    }
    ports.push_back(p);
  }
  if (ports.empty()) throw Error(fmt::format("{}: {} has no ports", what, module_name));
  return ports;
}

std::map<std::string, std::string> parse_instances(const std::string& verilog) {
  static const std::regex with_params(R"(^\s*(\w+)\s*#\s*\()");
  static const std::regex close_params(R"(^\s*\)\s*(\w+)\s*\()");
  static const std::regex plain(R"(^\s*(\w+)\s+(\w+)\s*\(\s*$)");
  static const std::set<std::string> keywords = {"module", "input",  "output",  "wire",    "reg",
                                                 "assign", "always", "initial", "function"};
  std::map<std::string, std::string> inst;
  std::istringstream in(verilog);
  std::string line, pending;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, with_params) && !keywords.count(m[1])) {
      pending = m[1];
    } else if (!pending.empty() && std::regex_search(line, m, close_params)) {
      inst[m[1]] = pending;
      pending.clear();
    } else if (std::regex_search(line, m, plain) && !keywords.count(m[1])) {
      inst[m[2]] = m[1];
    }
  }
  return inst;
}

int pnr_wrapper_pins(const std::vector<VerilogPort>& ports) {
  int pins = 0;
  bool wide_in = false, wide_out = false;
  for (const auto& p : ports) {
    if (p.width == 1)
      ++pins;
    else
      (p.input ? wide_in : wide_out) = true;
  }
  return pins + (wide_in ? 1 : 0) + (wide_out ? 2 : 0);
}

std::string pnr_wrapper_verilog(const std::string& top, const std::vector<VerilogPort>& ports,
                                const std::string& clock_port, const std::string& banner) {
  bool has_clock = false;
  int wide_in = 0, wide_out = 0;
  for (const auto& p : ports) {
    if (p.name == clock_port)
      has_clock = p.input && p.width == 1;
    else if (p.width > 1)
      (p.input ? wide_in : wide_out) += p.width;
  }
  if (!has_clock)
    throw Error(fmt::format("{} has no 1-bit input `{}`: rtlgen pnr needs the design's clock", top,
                            clock_port));
  std::string pins = fmt::format("    input  wire {}", clock_port);
  std::string body, conns;
  for (const auto& p : ports) {
    if (p.name == clock_port || p.width > 1) continue;
    pins += fmt::format(",\n    {} wire {}_pin", p.input ? "input " : "output", p.name);
    body += fmt::format("reg {0}_q;\n", p.name);
    if (p.input) {
      body += fmt::format("always @(posedge {0}) {1}_q <= {1}_pin;\n", clock_port, p.name);
    } else {
      body +=
          fmt::format("wire {0}_d;\nalways @(posedge {1}) {0}_q <= {0}_d;\n", p.name, clock_port);
      body += fmt::format("assign {0}_pin = {0}_q;\n", p.name);
    }
  }
  if (wide_in) {
    pins += ",\n    input  wire wide_in_serial";
    body += fmt::format(
        "// All inputs wider than one bit ({} bits) come from one pin through a shift register.\n"
        "reg [{}:0] wide_in_q;\n"
        "always @(posedge {}) wide_in_q <= {};\n",
        wide_in, wide_in - 1, clock_port,
        wide_in > 1 ? fmt::format("{{wide_in_q[{}:0], wide_in_serial}}", wide_in - 2)
                    : std::string("wide_in_serial"));
  }
  std::string wide_out_cat;
  if (wide_out) {
    pins += ",\n    input  wire wide_out_shift,\n    output wire wide_out_serial";
    for (const auto& p : ports)
      if (!p.input && p.width > 1) {
        body += fmt::format("wire [{}:0] {}_d;\n", p.width - 1, p.name);
        wide_out_cat += (wide_out_cat.empty() ? "" : ", ") + p.name + "_d";
      }
    body += fmt::format(
        "// All outputs wider than one bit ({} bits) are captured in one register and shifted "
        "out\n// through one pin.\n"
        "reg [{}:0] wide_out_q;\n"
        "always @(posedge {}) wide_out_q <= wide_out_shift ? {} : {{{}}};\n"
        "assign wide_out_serial = wide_out_q[0];\n",
        wide_out, wide_out - 1, clock_port,
        wide_out > 1 ? fmt::format("{{1'b0, wide_out_q[{}:1]}}", wide_out - 1)
                     : std::string("1'b0"),
        wide_out_cat);
  }
  int in_bit = 0;
  for (const auto& p : ports) {
    std::string sig;
    if (p.name == clock_port)
      sig = clock_port;
    else if (p.width == 1)
      sig = p.input ? p.name + "_q" : p.name + "_d";
    else if (p.input) {
      sig = fmt::format("wide_in_q[{}:{}]", in_bit + p.width - 1, in_bit);
      in_bit += p.width;
    } else {
      sig = p.name + "_d";
    }
    conns += fmt::format("{}    .{}({})", conns.empty() ? "" : ",\n", p.name, sig);
  }
  return fmt::format(
      "{0}"
      "// Place-and-route wrapper of {1} (rtlgen pnr): every port except the clock is registered,\n"
      "// wide buses are (de)serialised through shift registers, so every timing path of {1}\n"
      "// starts and ends at a flip-flop and the design needs {2} pins. A timing harness, not an\n"
      "// interface: the handshake signals are delayed by a register each way.\n"
      "`default_nettype none\n"
      "module {3} (\n{4}\n);\n{5}{1} dut (\n{6}\n);\nendmodule\n`default_nettype wire\n",
      banner, top, pnr_wrapper_pins(ports), kWrapper, pins, body, conns);
}

std::vector<FitProblem> check_ecp5_fit(const std::map<std::string, int64_t>& cells,
                                       const Device& device) {
  const auto n = [&](const char* t) {
    const auto it = cells.find(t);
    return it == cells.end() ? int64_t(0) : it->second;
  };
  std::vector<FitProblem> problems;
  const auto check = [&](const char* resource, int64_t need, int64_t have, const char* advice) {
    if (need > have) problems.push_back({resource, need, have, advice});
  };
  check("LUT4 (TRELLIS_COMB: LUT4 + 2 per CCU2C + 4 per TRELLIS_DPR16X4)",
        n("LUT4") + 2 * n("CCU2C") + 4 * n("TRELLIS_DPR16X4"), device.luts,
        "fold to fewer multipliers (rtlgen fold NET --max-multipliers N -o NEW.yaml) or choose "
        "a larger device");
  check("TRELLIS_FF", n("TRELLIS_FF"), device.ffs,
        "fold to fewer multipliers (rtlgen fold NET --max-multipliers N -o NEW.yaml) or choose "
        "a larger device");
  check("MULT18X18D", n("MULT18X18D"), device.mults_18x18,
        "fold to fewer multipliers (rtlgen fold NET --max-multipliers N -o NEW.yaml): each 8x8 "
        "multiplier lane and each requantizer lane uses MULT18X18D blocks; or choose a larger "
        "device");
  check("DP16KD", n("DP16KD"), device.bram_blocks,
        "weights, requantizer constants and line buffers live in DP16KD blocks: a network with "
        "fewer parameters, or a larger device (the folding does not change the weight bits)");
  return problems;
}

}  // namespace rtlgen
