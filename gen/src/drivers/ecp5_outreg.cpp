// Block-RAM output registers for the open ECP5 flow (see ecp5_outreg.hpp).
#include "rtlgen/ecp5_outreg.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <vector>

namespace rtlgen {

namespace {

using NetlistJson = nlohmann::json;

// Yosys marks string parameters that look like bit strings with a trailing space ("1 ").
std::string param_text(const NetlistJson& cell, const char* name) {
  const auto& p = cell.at("parameters");
  if (!p.contains(name)) return "";
  std::string s = p.at(name).is_string() ? p.at(name).get<std::string>() : p.at(name).dump();
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// One bit of a connection: a net number, or a constant "0" / "1" / "x" / "z".
using Bit = NetlistJson;

std::optional<Bit> single_bit(const NetlistJson& cell, const char* port) {
  const auto& c = cell.at("connections");
  if (!c.contains(port) || c.at(port).size() != 1) return std::nullopt;
  return c.at(port).at(0);
}

bool is_constant(const Bit& b, const char* value) {
  return b.is_string() && b.get<std::string>() == value;
}

// A numeric parameter (Yosys writes them as 32-character bit strings).
int64_t param_number(const NetlistJson& cell, const char* name) {
  const auto& p = cell.at("parameters");
  if (!p.contains(name)) return -1;
  if (p.at(name).is_number_integer()) return p.at(name).get<int64_t>();
  const std::string s = param_text(cell, name);
  if (s.empty() || s.find_first_not_of("01") != std::string::npos) return -1;
  int64_t v = 0;
  for (char c : s) v = v * 2 + (c - '0');
  return v;
}

struct FlipFlop {
  std::string name;
  NetlistJson q;  // its output bit
};

}  // namespace

OutregResult absorb_dp16kd_output_registers(NetlistJson& module) {
  OutregResult result;
  NetlistJson& cells = module.at("cells");

  // Every sink of every net: (cell, port). Nets driving a module port count as a sink that
  // cannot be absorbed.
  std::map<int64_t, std::vector<std::pair<std::string, std::string>>> sinks;
  for (auto it = cells.begin(); it != cells.end(); ++it) {
    const NetlistJson& cell = it.value();
    const NetlistJson& dirs =
        cell.contains("port_directions") ? cell.at("port_directions") : NetlistJson();
    for (auto c = cell.at("connections").begin(); c != cell.at("connections").end(); ++c) {
      const bool output = dirs.is_object() && dirs.contains(c.key()) &&
                          dirs.at(c.key()).get<std::string>() == "output";
      if (output) continue;
      for (const auto& b : c.value())
        if (b.is_number_integer()) sinks[b.get<int64_t>()].push_back({it.key(), c.key()});
    }
  }
  if (module.contains("ports"))
    for (auto p = module.at("ports").begin(); p != module.at("ports").end(); ++p)
      for (const auto& b : p.value().at("bits"))
        if (b.is_number_integer()) sinks[b.get<int64_t>()].push_back({"", p.key()});

  std::vector<std::string> removed;
  for (auto it = cells.begin(); it != cells.end(); ++it) {
    NetlistJson& ram = it.value();
    if (ram.at("type").get<std::string>() != "DP16KD") continue;
    // In the 36-bit mode one port reads through both ports' data pins, and which output
    // register (and clock) then holds which half is not something this pass can check against
    // a model: such blocks stay as Yosys built them.
    const int64_t width_a = param_number(ram, "DATA_WIDTH_A"),
                  width_b = param_number(ram, "DATA_WIDTH_B");
    if (width_a < 1 || width_a > 18 || width_b < 1 || width_b > 18) {
      result.ports_left += 2;
      continue;
    }
    for (const char port : {'A', 'B'}) {
      const std::string p(1, port);
      const std::string regmode = "REGMODE_" + p;
      std::vector<std::pair<std::string, FlipFlop>> data;  // DO<port><k> -> its flip-flop
      bool used = false, ok = true;
      const auto clk = single_bit(ram, ("CLK" + p).c_str());
      const auto rst = single_bit(ram, ("RST" + p).c_str());
      std::optional<Bit> ce;  // the flip-flops' common clock enable ("1" = none)
      for (int k = 0; k < 18 && ok; ++k) {
        const std::string pin = fmt::format("DO{}{}", p, k);
        const auto bit = single_bit(ram, pin.c_str());
        if (!bit || !bit->is_number_integer()) continue;
        const auto s = sinks.find(bit->get<int64_t>());
        if (s == sinks.end() || s->second.empty()) continue;  // unused data bit
        used = true;
        if (s->second.size() != 1 || s->second[0].second != "DI") {
          ok = false;
          break;
        }
        const std::string& ff_name = s->second[0].first;
        const NetlistJson& ff = cells.at(ff_name);
        const auto ff_clk = single_bit(ff, "CLK");
        const auto ff_lsr = single_bit(ff, "LSR");
        const auto ff_q = single_bit(ff, "Q");
        const std::string cemux = param_text(ff, "CEMUX");
        std::optional<Bit> ff_ce;
        if (cemux == "1") ff_ce = Bit("1");
        else if (cemux == "CE") ff_ce = single_bit(ff, "CE");
        ok = ff.at("type").get<std::string>() == "TRELLIS_FF" && ff_clk && clk &&
             *ff_clk == *clk && param_text(ff, "CLKMUX") == "CLK" &&
             param_text(ram, ("CLK" + p + "MUX").c_str()) == "CLK" + p && ff_lsr &&
             is_constant(*ff_lsr, "0") && param_text(ff, "LSRMUX") == "LSR" &&
             param_text(ff, "REGSET") == "RESET" && ff_q && ff_ce && (!ce || *ce == *ff_ce);
        if (!ok) break;
        ce = ff_ce;
        data.push_back({pin, FlipFlop{ff_name, *ff_q}});
      }
      if (!used) continue;
      // the output register would also take the port's reset: only an unused one is free
      ok = ok && param_text(ram, regmode.c_str()) == "NOREG" && rst && is_constant(*rst, "0") &&
           (param_text(ram, ("OCE" + p + "MUX").c_str()).empty() ||
            param_text(ram, ("OCE" + p + "MUX").c_str()) == "OCE" + p);
      if (!ok) {
        ++result.ports_left;
        continue;
      }
      ram["parameters"][regmode] = "OUTREG";
      ram["connections"]["OCE" + p] = NetlistJson::array({*ce});
      for (const auto& [pin, ff] : data) {
        ram["connections"][pin] = NetlistJson::array({ff.q});
        removed.push_back(ff.name);
      }
      ++result.ports;
      result.flip_flops_removed += int(data.size());
    }
  }
  for (const auto& name : removed) cells.erase(name);
  return result;
}

}  // namespace rtlgen
