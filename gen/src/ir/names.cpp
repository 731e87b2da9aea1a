#include "rtlgen/names.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "rtlgen/error.hpp"

namespace rtlgen {

std::string shorten_name(const std::string& s, size_t max) {
  if (s.size() <= max || max < 10) return s;
  uint32_t h = 2166136261u;  // FNV-1a, 32 bits
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  std::string head = s.substr(0, max - 9);
  while (!head.empty() && head.back() == '_') head.pop_back();
  return fmt::format("{}_{:08x}", head, h);
}

void check_netlist_identifiers(const Network& net, const HwPlan& plan) {
  // Every identifier the top module declares: ports, wires, instance names.
  std::map<std::string, int> count;
  for (const char* port :
       {"clk", "rst", "s_axis_tdata", "s_axis_tvalid", "s_axis_tready", "s_axis_tlast",
        "m_axis_tdata", "m_axis_tvalid", "m_axis_tready", "m_axis_tlast", "unused_s_axis_tlast"})
    ++count[port];
  if (plan.classify) ++count["m_axis_tuser"];
  for (const auto& w : plan.wires) ++count[w.name];
  for (const auto& hw : plan.layers)
    for (const auto& inst : hw.instances) ++count[inst.name];
  for (const auto& inst : plan.glue) ++count[inst.name];
  ++count[plan.tlast.name];
  if (plan.classify) ++count[plan.argmax.name];

  std::vector<std::pair<std::string, const SourceLoc*>> names;  // user names that make identifiers
  names.push_back({net.input.name, &net.input.loc});
  for (const Layer& l : net.layers) names.push_back({l.name, &l.loc});
  for (const auto& [id, n] : count) {
    if (n < 2) continue;
    // The names this identifier derives from: equal to it or a prefix followed by '_'. The
    // longest is the one that looks like a generated name (conv_a_rq next to conv_a).
    std::vector<std::string> owners;
    const SourceLoc* where = nullptr;
    size_t longest = 0;
    for (const auto& [name, loc] : names)
      if (id == name || id.compare(0, name.size() + 1, name + "_") == 0) {
        owners.push_back("'" + name + "'");
        if (name.size() >= longest) longest = name.size(), where = loc;
      }
    const std::string msg = fmt::format(
        "the netlist would declare '{}' twice: rtlgen derives identifiers from names as "
        "<name>_<suffix> (wires <layer>_tdata, instances <layer>_mvu, <layer>_rq, ..., fork "
        "branches <tensor>_b<i>) and {} {}{}; rename {} (reserved: names ending in a generated "
        "suffix of another name, s_axis_*, m_axis_*, clk, rst)",
        id, owners.size() < 2 ? "the name" : "the names",
        owners.empty() ? "'" + id + "'" : fmt::format("{}", fmt::join(owners, " and ")),
        owners.size() < 2 ? " gives the same one as a port or fixed instance"
                          : " give the same one",
        owners.empty() ? "the layer" : owners.back());
    if (where && !where->file.empty()) throw Error(*where, msg);
    // An imported network: its model file.
    throw Error(
        fmt::format("{}: {}", net.source.empty() ? "network '" + net.name + "'" : net.source, msg));
  }
}

}  // namespace rtlgen
