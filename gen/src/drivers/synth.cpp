// `rtlgen synth`: drives Yosys over a generated design and maps its per-module statistics back
// to the network's layers through the top's instance names (<layer>_swg, _mvu, _rq, ...).
#include "rtlgen/synth.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "rtlgen/error.hpp"
#include "rtlgen/file_util.hpp"

namespace rtlgen {

namespace fs = std::filesystem;

namespace {

std::string slurp_path(const fs::path& p) { return read_file_bytes(p.string()); }



bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

std::string strip_backslash(const std::string& s) { return !s.empty() && s[0] == '\\' ? s.substr(1) : s; }

// Instance name -> layer name by the planner's suffixes.
std::string layer_of(const std::string& inst, const std::set<std::string>& layers) {
  static const char* suffixes[] = {"_swg", "_mvu", "_rq",       "_fifo",    "_pool",
                                   "_gp",  "_wc",  "_rq_split", "_rq_merge"};
  for (const char* suf : suffixes) {
    const std::string s = suf;
    if (inst.size() > s.size() && inst.compare(inst.size() - s.size(), s.size(), s) == 0) {
      const std::string l = inst.substr(0, inst.size() - s.size());
      if (layers.count(l)) return l;
    }
  }
  if (inst == "output_framer") return "(output framer)";
  return "(top)";
}

// `stat -json` of Yosys 0.23 writes the design hierarchy's deeper levels (templates inside
// templates: rtlgen_mul_wide in rtlgen_requant) as plain text lines ("  <module>  <count>") into
// its "design" object. Those lines hold no quote or bracket, every JSON line does: drop them.
std::string stat_json_text(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const bool blank = line.find_first_not_of(" \t\r") == std::string::npos;
    if (!blank && line.find_first_of("\"{}[]") == std::string::npos) continue;
    out += line + "\n";
  }
  return out;
}

// Runs `yosys -s script` in `cwd`; returns wall seconds. Throws on failure.
double run_yosys(const std::string& yosys, const fs::path& cwd, const fs::path& script,
                 const fs::path& log) {
  const std::string cmd = fmt::format("cd {} && {} -q -l {} -s {} >/dev/null 2>&1", shell_quote(cwd.string()),
                                      shell_quote(yosys), shell_quote(log.string()), shell_quote(script.string()));
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = std::system(cmd.c_str());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
    std::string tail;
    if (fs::exists(log)) {
      const std::string text = slurp_path(log);
      const size_t err = text.find("ERROR:");
      tail = err != std::string::npos ? text.substr(err, 400) : text.substr(text.size() > 400 ? text.size() - 400 : 0);
    }
    throw Error(fmt::format("yosys failed (exit {}); see {}\n{}", WIFEXITED(rc) ? WEXITSTATUS(rc) : rc,
                            log.string(), tail));
  }
  return secs;
}

bool have_executable(const std::string& exe) {
  if (exe.find('/') != std::string::npos) return fs::exists(exe);
  return std::system(fmt::format("command -v {} >/dev/null 2>&1", shell_quote(exe)).c_str()) == 0;
}

nlohmann::ordered_json counts_json(const SynthCounts& c) {
  return {{"lut", c.lut},         {"ff", c.ff},         {"carry4", c.carry},
          {"muxf7_f8", c.mux},    {"lutram", c.lutram}, {"srl", c.srl},
          {"dsp48e1", c.dsp},     {"ramb36e1", c.ramb36}, {"ramb18e1", c.ramb18},
          {"bram36_equivalent", double(c.ramb36) + 0.5 * double(c.ramb18)},
          {"other", c.other}};
}

// Short label of the memories of one layer whose instance name ends in `suffix`.
// (`memory` is the template's array: wrom in rtlgen_mvu, prm_rom in rtlgen_requant).
std::string rom_kind(const SynthLayer& l, const std::string& suffix, const std::string& memory) {
  std::set<std::string> kinds;
  for (const auto& [mem, kind] : l.memories) {
    const size_t dot = mem.find('.');
    const std::string inst = mem.substr(0, dot);
    if (inst.size() >= suffix.size() &&
        inst.compare(inst.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        mem.substr(mem.rfind('.') + 1) == memory)  // "conv1_mvu.g_rom_block.wrom"
      kinds.insert(kind);
  }
  std::string s;
  for (const auto& k : kinds) s += (s.empty() ? "" : "+") + k;
  return s.empty() ? "-" : s;
}

}  // namespace

void SynthCounts::add(const std::string& t, int64_t n) {
  if (starts_with(t, "LUT")) lut += n;
  else if (starts_with(t, "FD")) ff += n;
  else if (t == "CARRY4") carry += n;
  else if (t == "MUXF7" || t == "MUXF8") mux += n;
  else if (starts_with(t, "RAM32") || starts_with(t, "RAM64") || starts_with(t, "RAM128") ||
           starts_with(t, "RAM256") || starts_with(t, "RAM16"))
    lutram += n;
  else if (starts_with(t, "SRL")) srl += n;
  else if (starts_with(t, "DSP48")) dsp += n;
  else if (t == "RAMB36E1") ramb36 += n;
  else if (t == "RAMB18E1") ramb18 += n;
  else other += n;
}

void SynthCounts::add(const SynthCounts& o, int64_t k) {
  lut += k * o.lut, ff += k * o.ff, carry += k * o.carry, mux += k * o.mux;
  lutram += k * o.lutram, srl += k * o.srl, dsp += k * o.dsp, ramb36 += k * o.ramb36;
  ramb18 += k * o.ramb18, other += k * o.other;
}

std::map<std::string, std::string> parse_memory_mapping(const std::string& log) {
  std::map<std::string, std::string> m;
  std::istringstream in(log);
  std::string line;
  bool in_memory_map = false;
  while (std::getline(in, line)) {
    if (line.find("Executing MEMORY_MAP pass") != std::string::npos) in_memory_map = true;
    else if (in_memory_map && line.find("Executing ") != std::string::npos) in_memory_map = false;
    if (starts_with(line, "mapping memory ")) {
      const size_t via = line.find(" via ");
      if (via == std::string::npos) continue;
      const std::string mem = line.substr(15, via - 15), cell = line.substr(via + 5);
      m[mem] = cell.find("BLOCKRAM") != std::string::npos ? "block RAM"
               : cell.find("LUTRAM") != std::string::npos ? "LUT RAM"
                                                          : cell;
    } else if (in_memory_map && line.find("Mapping memory") != std::string::npos) {
      // memory_map: converted to logic (ROM contents become LUT constants, RAM becomes FFs)
      const size_t p = line.find("Mapping memory");
      std::string rest = line.substr(p + 14);
      while (!rest.empty() && (rest[0] == ' ' || rest.back() == ':' || rest.back() == ' '))
        rest = rest[0] == ' ' ? rest.substr(1) : rest.substr(0, rest.size() - 1);
      m[rest] = "logic/FFs";
    }
  }
  return m;
}

int64_t parse_longest_path(const std::string& log) {
  int64_t best = -1;
  const std::string key = "Longest topological path in ";
  for (size_t p = log.find(key); p != std::string::npos; p = log.find(key, p + 1)) {
    const size_t l = log.find("(length=", p);
    if (l == std::string::npos) break;
    best = std::max(best, int64_t(std::atoll(log.c_str() + l + 8)));
  }
  return best;
}

int run_synth(const SynthOptions& opt) {
  const fs::path out = fs::absolute(opt.out_dir).lexically_normal();
  if (!fs::exists(out / "filelist.f") || !fs::exists(out / "report.json"))
    throw Error(fmt::format("{}: not a directory written by `rtlgen generate` (no filelist.f / "
                            "report.json)",
                            opt.out_dir));
  if (!have_executable(opt.yosys))
    throw Error(fmt::format("'{}' not found: rtlgen synth needs Yosys (e.g. apt-get install "
                            "yosys), or pass --yosys PATH",
                            opt.yosys));
  const auto report = nlohmann::json::parse(slurp_path(out / "report.json"));
  const std::string top = report.at("top").get<std::string>();
  std::vector<std::string> layer_order;
  std::set<std::string> layer_names;
  for (const auto& l : report.at("layers")) {
    layer_order.push_back(l.at("name").get<std::string>());
    layer_names.insert(layer_order.back());
  }
  std::string reads;
  {
    std::istringstream fl(slurp_path(out / "filelist.f"));
    std::string line;
    while (std::getline(fl, line)) {
      if (line.empty() || starts_with(line, "//")) continue;
      reads += fmt::format("read_verilog {}\n", (out / line).string());
    }
  }
  const fs::path dir = out / "synth";
  fs::create_directories(dir);
  const fs::path mem = out / "mem";
  SynthResult r;
  r.top = top;
  nlohmann::ordered_json j;
  j["generated_by"] = fmt::format("rtlgen synth {}", opt.out_dir);
  j["top"] = top;

  if (!opt.generic_only) {
    fmt::print("yosys synth_xilinx -family xc7 -top {} (hierarchy kept; may take minutes) ...\n", top);
    std::fflush(stdout);
    const fs::path script = dir / "xilinx.ys", log = dir / "yosys_xilinx.log";
    const fs::path stat = dir / "xilinx_stat.json", topdump = dir / "xilinx_top.il",
                   ltp = dir / "xilinx_ltp.txt";
    std::ofstream(script) << reads
                          << fmt::format("synth_xilinx -family xc7 -top {}\n", top)
                          << fmt::format("tee -q -o {} stat -json\n", stat.string())
                          << fmt::format("tee -q -o {} dump {}\n", topdump.string(), top)
                          << "flatten\n"
                          << "delete t:FD* t:RAMB* t:DSP48E1 t:SRL*\n"
                          << fmt::format("tee -q -o {} ltp -noff\n", ltp.string());
    r.xilinx_seconds = run_yosys(opt.yosys, mem, script, log);
    const auto st = nlohmann::json::parse(stat_json_text(slurp_path(stat))).at("modules");
    // Per-module counts, recursively through submodule instances.
    std::map<std::string, SynthCounts> direct;
    std::map<std::string, std::map<std::string, int64_t>> subs;
    for (auto it = st.begin(); it != st.end(); ++it) {
      const std::string name = strip_backslash(it.key());
      direct[name];
      for (auto c = it.value().at("num_cells_by_type").begin();
           c != it.value().at("num_cells_by_type").end(); ++c) {
        const std::string type = strip_backslash(c.key());
        if (st.contains(c.key()) || st.contains("\\" + type) || st.contains(type))
          subs[name][type] += c.value().get<int64_t>();
        else
          direct[name].add(type, c.value().get<int64_t>());
      }
    }
    std::map<std::string, SynthCounts> full;
    std::function<SynthCounts(const std::string&)> total_of = [&](const std::string& m) {
      auto f = full.find(m);
      if (f != full.end()) return f->second;
      SynthCounts c = direct[m];
      for (const auto& [sub, n] : subs[m]) c.add(total_of(sub), n);
      full[m] = c;
      return c;
    };
    // Instances of the top (RTLIL dump: "  cell <type> <name>").
    std::map<std::string, SynthLayer> by_layer;
    std::map<std::string, std::string> inst_module;
    {
      std::istringstream d(slurp_path(topdump));
      std::string line;
      while (std::getline(d, line)) {
        std::istringstream ls(line);
        std::string kw, type, name;
        ls >> kw >> type >> name;
        if (kw != "cell") continue;
        type = strip_backslash(type);
        name = strip_backslash(name);
        const std::string layer = direct.count(type) ? layer_of(name, layer_names) : "(top)";
        SynthLayer& sl = by_layer[layer];
        sl.layer = layer;
        if (direct.count(type)) {
          sl.instances.push_back(name);
          inst_module[name] = type;
          sl.counts.add(total_of(type));
        } else {
          sl.counts.add(type, 1);
        }
      }
    }
    // Memories: "<module>.<memory>" -> kind, attributed to every instance of the module.
    const auto mems = parse_memory_mapping(slurp_path(log));
    for (const auto& [key, kind] : mems)
      for (const auto& [inst, module] : inst_module)
        if (key.size() > module.size() && key.compare(0, module.size(), module) == 0 &&
            key[module.size()] == '.')
          by_layer[layer_of(inst, layer_names)].memories[inst + key.substr(module.size())] = kind;
    for (const auto& name : layer_order)
      if (by_layer.count(name)) r.layers.push_back(by_layer[name]);
    for (const char* extra : {"(output framer)", "(top)"})
      if (by_layer.count(extra)) r.layers.push_back(by_layer[extra]);
    for (const auto& l : r.layers) r.total.add(l.counts);
    r.xilinx_longest_path = parse_longest_path(slurp_path(ltp));

    auto layers = nlohmann::ordered_json::array();
    for (const auto& l : r.layers) {
      nlohmann::ordered_json e;
      e["layer"] = l.layer;
      e["instances"] = l.instances;
      const nlohmann::ordered_json counts = counts_json(l.counts);
      for (auto it = counts.begin(); it != counts.end(); ++it) e[it.key()] = it.value();
      e["weight_rom"] = rom_kind(l, "_mvu", "wrom");
      e["requant_rom"] = rom_kind(l, "_rq", "prm_rom");
      e["memories"] = l.memories;
      layers.push_back(e);
    }
    j["xilinx"] = {{"command", fmt::format("synth_xilinx -family xc7 -top {}", top)},
                   {"seconds", r.xilinx_seconds},
                   {"layers", layers},
                   {"total", counts_json(r.total)},
                   {"longest_path_cells", r.xilinx_longest_path},
                   {"longest_path_note",
                    "cells (LUT, CARRY4, MUXF7/8, LUT RAM reads) on the longest combinational path "
                    "between FFs, DSP48E1s, block RAMs and SRLs (ltp -noff on the flattened netlist "
                    "with those cut): an Fmax proxy, not timing"},
                   {"log", (dir / "yosys_xilinx.log").string()}};
  }

  // Table (printed before the slow generic run; the JSON is rewritten after it).
  {
  std::string s;
  if (!opt.generic_only) {
    s += fmt::format("\nYosys synth_xilinx -family xc7, {} ({:.0f} s)\n", top, r.xilinx_seconds);
    size_t name_w = 5;  // as wide as the longest layer name
    for (const auto& l : r.layers) name_w = std::max(name_w, l.layer.size());
    const auto row = [name_w](const std::string& name, const SynthCounts& c, const std::string& w,
                              const std::string& p) {
      return fmt::format("{:<{}} {:>7} {:>7} {:>6} {:>6} {:>6} {:>5} {:>6} {:>6}  {:<10} {}\n",
                         name, name_w, c.lut, c.ff, c.carry, c.lutram, c.srl, c.dsp, c.ramb36,
                         c.ramb18, w, p);
    };
    s += fmt::format("{:<{}} {:>7} {:>7} {:>6} {:>6} {:>6} {:>5} {:>6} {:>6}  {:<10} {}\n", "layer",
                     name_w,
                     "LUT", "FF", "CARRY4", "LUTRAM", "SRL", "DSP", "RAMB36", "RAMB18",
                     "weight ROM", "requant ROM");
    for (const auto& l : r.layers) s += row(l.layer, l.counts, rom_kind(l, "_mvu", "wrom"), rom_kind(l, "_rq", "prm_rom"));
    s += row("total", r.total, "", "");
    s += fmt::format("block RAM: {} RAMB36E1 + {} RAMB18E1 = {:.1f} RAMB36 equivalents; "
                     "MUXF7/F8 {}\n",
                     r.total.ramb36, r.total.ramb18, r.total.ramb36 + 0.5 * r.total.ramb18,
                     r.total.mux);
    s += fmt::format("longest path (Fmax proxy): {} cells between registers/DSP/BRAM\n",
                     r.xilinx_longest_path);
  }
  fmt::print("{}", s);
  std::fflush(stdout);
  std::ofstream(out / "synth_report.json") << j.dump(2) << "\n";
  }

  if (opt.xilinx_only) return 0;
  fmt::print("yosys synth -flatten -top {} (generic gates) ...\n", top);
  std::fflush(stdout);
  {
    const fs::path script = dir / "generic.ys", log = dir / "yosys_generic.log";
    const fs::path stat = dir / "generic_stat.json", ltp = dir / "generic_ltp.txt";
    std::ofstream(script) << reads << fmt::format("synth -flatten -top {}\n", top)
                          << fmt::format("tee -q -o {} stat -json\n", stat.string())
                          << fmt::format("tee -q -o {} ltp -noff\n", ltp.string());
    r.generic_seconds = run_yosys(opt.yosys, mem, script, log);
    const auto st = nlohmann::json::parse(slurp_path(stat));
    r.generic_cells = st.at("design").at("num_cells").get<int64_t>();
    r.generic_longest_path = parse_longest_path(slurp_path(ltp));
    nlohmann::ordered_json by_type = st.at("design").at("num_cells_by_type");
    j["generic"] = {{"command", fmt::format("synth -flatten -top {}", top)},
                    {"seconds", r.generic_seconds},
                    {"cells", r.generic_cells},
                    {"cells_by_type", by_type},
                    {"longest_path_gates", r.generic_longest_path},
                    {"log", log.string()}};
  }
  std::ofstream(out / "synth_report.json") << j.dump(2) << "\n";

  std::string s;
  s += fmt::format("generic synth: {} cells, longest path {} gates ({:.0f} s)\n", r.generic_cells,
                   r.generic_longest_path, r.generic_seconds);
  s += fmt::format("wrote {}\n", (out / "synth_report.json").string());
  fmt::print("{}", s);
  return 0;
}

}  // namespace rtlgen
