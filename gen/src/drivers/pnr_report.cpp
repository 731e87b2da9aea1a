// `rtlgen pnr`: nextpnr's report read back: clocks, and the critical paths with every cell
// mapped to rtlgen's instance, template and layer.
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

CellOrigin cell_origin(const std::string& cell, const DesignNames& names) {
  CellOrigin o;
  std::string c = cell;
  if (!c.empty() && c[0] == '$') {  // inserted by nextpnr or Yosys with no design name
    o.instance = "(tool-inserted)";
    return o;
  }
  const std::string prefix = names.wrapper_instance + ".";
  if (c.rfind(prefix, 0) != 0) {
    o.instance = "(pnr wrapper)";
    return o;
  }
  c = c.substr(prefix.size());
  const size_t dot = c.find('.');
  if (dot == std::string::npos) {
    o.instance = "(top glue)";
    return o;
  }
  o.instance = c.substr(0, dot);
  const auto it = names.instances.find(o.instance);
  if (it != names.instances.end()) o.template_name = it->second;
  for (const auto& l : names.layers)
    if (o.instance.size() > l.size() && o.instance.compare(0, l.size(), l) == 0 &&
        o.instance[l.size()] == '_' && l.size() > o.layer.size())
      o.layer = l;
  return o;
}

std::vector<PnrClock> parse_nextpnr_clocks(const std::string& report_json) {
  const auto j = nlohmann::json::parse(report_json);
  std::vector<PnrClock> clocks;
  static const std::regex glb(R"(^\$glbnet\$(.*?)(\$TRELLIS_IO_IN)?$)");
  for (auto it = j.at("fmax").begin(); it != j.at("fmax").end(); ++it) {
    PnrClock c;
    c.net = it.key();
    std::smatch m;
    c.name = std::regex_match(c.net, m, glb) ? std::string(m[1]) : c.net;
    c.fmax_mhz = it.value().at("achieved").get<double>();
    c.target_mhz = it.value().at("constraint").get<double>();
    clocks.push_back(c);
  }
  return clocks;
}

namespace {

Json origin_json(const CellOrigin& o) {
  Json j;
  j["instance"] = o.instance;
  j["template"] = o.template_name;
  j["layer"] = o.layer;
  return j;
}

std::string type_of(const std::string& cell, const DesignNames& names) {
  auto it = names.cell_types.find(cell);
  if (it == names.cell_types.end()) it = names.cell_types.find(base_cell(cell));
  return it == names.cell_types.end() ? "" : it->second;
}

// One critical path of nextpnr's report, named by the design.
Json summarise_path(const nlohmann::json& cp, const DesignNames& names) {
  Json p;
  p["from"] = cp.at("from");
  p["to"] = cp.at("to");
  double total = 0, logic = 0, routing = 0;
  Json steps = Json::array();
  Json instances = Json::array();
  std::map<std::string, int64_t> blocks;
  std::set<std::string> seen_cells;
  std::string last_instance;
  for (const auto& s : cp.at("path")) {
    const double d = s.at("delay").get<double>();
    const std::string type = s.at("type").get<std::string>();
    total += d;
    (type == "routing" ? routing : logic) += d;
    const std::string cell = s.at("to").at("cell").get<std::string>();
    const CellOrigin o = cell_origin(cell, names);
    const std::string ctype = type_of(cell, names);
    if (seen_cells.insert(base_cell(cell)).second && !ctype.empty()) ++blocks[ctype];
    // nextpnr's inserted cells (carry-chain feed-ins) sit between the design's own.
    if (o.instance != last_instance && o.instance != "(tool-inserted)") {
      Json e = origin_json(o);
      instances.push_back(e);
      last_instance = o.instance;
    }
    Json st;
    st["type"] = type;
    st["delay_ns"] = d;
    st["cell"] = cell;
    st["cell_type"] = ctype;
    st["port"] = s.at("to").at("port");
    st["instance"] = o.instance;
    steps.push_back(st);
  }
  const auto& path = cp.at("path");
  if (!path.empty()) {
    p["start"] = origin_json(cell_origin(path.front().at("from").at("cell"), names));
    p["start"]["cell"] = path.front().at("from").at("cell");
    p["start"]["cell_type"] = type_of(path.front().at("from").at("cell"), names);
    p["end"] = origin_json(cell_origin(path.back().at("to").at("cell"), names));
    p["end"]["cell"] = path.back().at("to").at("cell");
    p["end"]["cell_type"] = type_of(path.back().at("to").at("cell"), names);
  }
  p["delay_ns"] = total;
  p["logic_ns"] = logic;
  p["routing_ns"] = routing;
  p["cells_by_type"] = blocks;
  p["instances"] = instances;
  p["steps"] = steps;
  return p;
}

}  // namespace

std::string summarise_nextpnr_report(const std::string& report_json, const DesignNames& names) {
  const auto j = nlohmann::json::parse(report_json);
  Json out;
  Json clocks = Json::array();
  for (const auto& c : parse_nextpnr_clocks(report_json))
    clocks.push_back({{"name", c.name},
                      {"net", c.net},
                      {"fmax_mhz", c.fmax_mhz},
                      {"target_mhz", c.target_mhz},
                      {"met", c.fmax_mhz >= c.target_mhz}});
  out["clocks"] = clocks;
  Json util = Json::array();
  for (auto it = j.at("utilization").begin(); it != j.at("utilization").end(); ++it) {
    const int64_t used = it.value().at("used"), avail = it.value().at("available");
    util.push_back({{"resource", it.key()},
                    {"used", used},
                    {"available", avail},
                    {"percent", avail ? 100.0 * double(used) / double(avail) : 0.0}});
  }
  out["utilisation"] = util;
  Json paths = Json::array();
  for (const auto& cp : j.at("critical_paths")) paths.push_back(summarise_path(cp, names));
  out["critical_paths"] = paths;
  return out.dump();
}

}  // namespace rtlgen
